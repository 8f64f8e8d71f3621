"""CSV and GeoJSON renderings of the same projected data the JSON API returns."""

import csv
import io

from rest_framework import renderers

from sahel.read.tables import neutralise


def flatten(item: dict, prefix: str = "") -> dict:
    """Nested objects become dotted columns (date.edtf, subject.slug); lists (names,
    citations, participants) are left out: they are tables of their own, joined by id
    (`/api/v1/export/?format=csv&table=actor_names`)."""
    flat = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif not isinstance(value, list):
            flat[name] = value
    return flat


def _results(data):
    if isinstance(data, dict) and "results" in data:
        return data["results"]
    return [data] if isinstance(data, dict) else data


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {})["view"]  # errors are JSON (views.JsonErrors)
        rows = [flatten(item) for item in _results(data)]
        projection = view.projection
        if view.action == "retrieve" and view.detail_projection is not None:
            projection = view.detail_projection
        columns = projection.flat_columns()  # the same columns for every page
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({key: neutralise(value) for key, value in row.items()} for row in rows)
        return buffer.getvalue().encode(self.charset)


def geometry(item: dict) -> dict | None:
    """A point from the object's own coordinates, or from its place's."""
    place = item if "latitude" in item else item.get("place") or {}
    if place.get("latitude") is None or place.get("longitude") is None:
        return None
    return {"type": "Point", "coordinates": [float(place["longitude"]), float(place["latitude"])]}


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Errors are JSON (views.JsonErrors): `data` is a page or an object.
        features = [
            {
                "type": "Feature",
                "id": item["id"],
                "geometry": geometry(item),
                "properties": item,
            }
            for item in _results(data)
        ]
        collection = {"type": "FeatureCollection", "features": features}
        if isinstance(data, dict) and "results" in data:
            collection.update({k: data[k] for k in ("count", "next", "previous")})
        elif isinstance(data, dict):
            collection = features[0]
        data = collection
        return super().render(data, accepted_media_type, renderer_context)
