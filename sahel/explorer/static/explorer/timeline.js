// A page's timeline (vis-timeline): the items of #timeline-data as
// sahel/explorer/timeline.py draws them (ranges, points, hatched and faded parts as CSS
// classes and custom properties). Selecting an item scrolls to its row in the table.
"use strict";

(function () {
  const container = document.getElementById("timeline");
  const data = window.sahelExplorer.data("timeline-data");
  if (!container || !data || data.items.length === 0) return;
  const el = window.sahelExplorer.element;

  // Text, never HTML: labels come from the data.
  const items = data.items.map((item) => ({
    ...item,
    content: el("span", "", item.content),
    title: el("span", "", item.title),
  }));
  const groups = data.groups.map((group) => ({ ...group, content: el("span", "", group.content) }));
  const timeline = new vis.Timeline(container, new vis.DataSet(items), new vis.DataSet(groups), {
    min: data.window.min,
    max: data.window.max,
    start: data.window.min,
    end: data.window.max,
    stack: true,
    zoomMin: 1000 * 60 * 60 * 24 * 30,
    orientation: { axis: "top" },
    margin: { item: { horizontal: 2, vertical: 6 } },
    tooltip: { followMouse: true },
    groupOrder: "order",
  });
  timeline.on("select", ({ items: selected }) => {
    const row = selected.length && document.getElementById(`row-${selected[0]}`);
    if (row) {
      row.scrollIntoView({ block: "center", behavior: "smooth" });
      row.classList.add("highlight");
      setTimeout(() => row.classList.remove("highlight"), 2000);
    }
  });
  timeline.once("changed", () => {
    container.dataset.drawnItemCount = String(timeline.itemsData.length);
    container.dataset.ready = "true";
  });
  window.sahelExplorer.timeline = timeline;
})();
