"""Places as map points: the coordinates the database holds, with their precision, and
what happened or is based there. A place without coordinates is listed, never guessed."""

from places.models import GeoPrecision

PRECISION = dict(GeoPrecision.choices)


def place_points(entries: list[tuple[dict | None, str]], *, href) -> dict:
    """(place summary or item, what ties it to the page) pairs to the map's points (one a
    place, with everything there) and the places without coordinates; `href(name, slug)`:
    a page's address."""
    by_place: dict[int, dict] = {}
    for place, what in entries:
        if not place:
            continue
        found = by_place.setdefault(
            place["id"],
            {
                "id": place["id"],
                "slug": place["slug"],
                "name": place["name"],
                "href": href("place", place["slug"]),
                "kind": place["kind"],
                "latitude": _number(place["latitude"]),
                "longitude": _number(place["longitude"]),
                "precision": place["precision"],
                "precision_label": PRECISION.get(place["precision"], "not given"),
                "what": [],
            },
        )
        if what not in found["what"]:
            found["what"].append(what)
    places = sorted(by_place.values(), key=lambda p: (p["name"].lower(), p["id"]))
    located = [p for p in places if p["latitude"] is not None]
    return {
        "points": located,
        "unlocated": [p for p in places if p["latitude"] is None],
    }


def _number(value) -> float | None:
    # Decimal from the database; JSON and Leaflet want a number.
    return None if value is None else float(value)
