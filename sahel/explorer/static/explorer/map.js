// A page's map (Leaflet): the country outlines of the vendored world-atlas (Natural Earth,
// through topojson-client), and a ring at each place of #map-data that has coordinates,
// wider as the coordinates are less precise. Circle markers: no marker images to find.
"use strict";

(function () {
  const container = document.getElementById("map");
  const data = window.sahelExplorer.data("map-data");
  if (!container || !data) return;
  const el = window.sahelExplorer.element;
  const RADIUS = { 1: 6, 2: 11, 3: 18 };
  const SAHEL = [[8, -17], [24, 16]]; // Mali and its neighbours

  const map = L.map(container, { zoomSnap: 0.25, scrollWheelZoom: false, worldCopyJump: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Outlines: Natural Earth");
  map.fitBounds(SAHEL);

  const points = data.points.map((point) => {
    const marker = L.circleMarker([point.latitude, point.longitude], {
      radius: RADIUS[point.precision] || RADIUS[3],
      color: "#8a2b0f",
      weight: 2,
      dashArray: point.precision > 1 ? "4 3" : null,
      fillColor: "#d9541e",
      fillOpacity: 0.35,
      className: `place precision-${point.precision || "unknown"}`,
    });
    const popup = el("div", "map-popup");
    const link = el("a", "", point.name);
    link.href = point.href;
    popup.append(link, el("p", "", point.precision_label), el("p", "", point.what.join("; ")));
    marker.bindPopup(popup);
    marker.bindTooltip(point.name);
    return marker;
  });

  fetch(container.dataset.atlas)
    .then((response) => response.json())
    .then((atlas) => {
      const countries = topojson.feature(atlas, atlas.objects.countries);
      L.geoJSON(countries, {
        interactive: false,
        style: { color: "#7d8790", weight: 1, fillColor: "#f1ede4", fillOpacity: 1 },
      }).addTo(map);
      for (const marker of points) marker.addTo(map);
      if (points.length) {
        map.fitBounds(L.featureGroup(points).getBounds().pad(0.5), { maxZoom: 7 });
      }
      container.dataset.drawnOutlineCount = String(countries.features.length);
      container.dataset.drawnPointCount = String(points.length);
      container.dataset.ready = "true";
    })
    .catch((error) => {
      container.prepend(el("p", "picture-empty", "The country outlines could not be loaded."));
      console.error("map outlines:", error);
    });
  window.sahelExplorer.map = map;
})();
