"""What each explorer page shows, read as the APIs read it (`sahel.explorer.reading`):
the context of its template, and the data its scripts draw (embedded as JSON)."""

import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse

from actors.projections import ACTOR_SUMMARY
from actors.resources import ACTORS
from affiliations.projections import AffiliationProjection
from affiliations.resources import AFFILIATIONS
from events.resources import EVENTS
from places.resources import PLACES
from sahel.core.fuzzy_dates import parse_bounds
from sahel.explorer import graph, maps, reading
from sahel.explorer.timeline import describe, timeline
from sahel.read import citing, network

RECENT_CHANGE_SETS = 6
RECENT_ENTRIES = 10  # a change set's first entries shown; the feed has the rest
SEARCH_RESULTS = 50


class NotPublic(Exception):
    """No public object of that name: hidden and absent alike."""

    def __init__(self, what: str, slug: str):
        super().__init__(f"No public {what} {slug!r}.")


def instant_text(as_of: datetime.datetime | None) -> str:
    return as_of.isoformat().replace("+00:00", "Z") if as_of else ""


class Links:
    """Addresses of the explorer's pages, keeping the instant read (`as_of`)."""

    do_not_call_in_templates = True  # templates use {% page %} and `links.query`

    def __init__(self, as_of: datetime.datetime | None):
        self.as_of = as_of

    def query(self, **params) -> str:
        params = {name: value for name, value in params.items() if value not in (None, "")}
        if self.as_of:
            params["as_of"] = instant_text(self.as_of)
        return f"?{urlencode(params)}" if params else ""

    def __call__(self, name: str, slug: str | None = None, **params) -> str:
        path = reverse(f"explorer:{name}", args=[slug] if slug is not None else [])
        return path + self.query(**params)


def _found(resource, slug: str, what: str, as_of) -> dict:
    item = reading.one(resource, slug, as_of=as_of)
    if item is None:
        raise NotPublic(what, slug)
    return item


def home(request, *, as_of) -> dict:
    links = Links(as_of)
    return {
        "counts": reading.counts(as_of=as_of),
        "recent": [
            {
                **change,
                "entries": [_change_entry(entry, links) for entry in change["entries"]],
                "rest": _rest_of(change),
            }
            for change in reading.recent_changes(
                RECENT_CHANGE_SETS, entries=RECENT_ENTRIES, as_of=as_of
            )
        ],
        "licence": citing.licence(),
        "site": request.build_absolute_uri("/"),
        "citation": citing.how_to_cite(request.build_absolute_uri("/")),
        "api": {
            "rest": reverse("api-root"),
            "swagger": reverse("swagger"),
            "redoc": reverse("redoc"),
            "graphql": reverse("graphql"),
            "changes": reverse("changes"),
            "export": reverse("export"),
        },
    }


def _rest_of(change: dict) -> str:
    """The feed from the last entry shown of a change set with more: the rest of it."""
    if not change["more"]:
        return ""
    return f"{reverse('changes')}?{urlencode({'since': change['entries'][-1]['cursor']})}"


def _change_entry(entry: dict, links: Links) -> dict:
    """A feed entry, with what it is about in words and a link to its page (none for a
    removal: its content is not public any more)."""
    data, resource = entry.get("data") or {}, entry["resource"]
    pages = {"actors": "actor", "events": "event", "places": "place"}
    label = data.get("name") or data.get("title") or ""
    if resource == "affiliations" and data:
        subject, kind, obj = data.get("subject") or {}, data.get("type") or {}, data.get("object")
        label = f"{subject.get('name', '?')} {kind.get('label', '')} {(obj or {}).get('name', '?')}"
    href = ""
    if data.get("slug") and resource in pages:
        href = links(pages[resource], data["slug"])
    elif resource == "affiliations" and data.get("subject"):
        href = links("actor", data["subject"]["slug"])
    changed = sorted(entry.get("changes") or {})
    return {**entry, "label": label, "href": href, "changed": changed}


def search(request, *, as_of) -> dict:
    text = request.GET.get("q", "").strip()
    context = {"q": text, "results": None}
    if text:
        found = reading.listed(ACTORS, {"search": text}, as_of=as_of, limit=SEARCH_RESULTS)
        links = Links(as_of)
        context["results"] = found
        for item in found.items:
            item["href"] = links("actor", item["slug"])
    return context


def parse_depth(raw: str | None) -> int:
    if raw in (None, ""):
        return 1
    if raw.isascii() and raw.isdigit() and len(raw) < 3:
        depth = int(raw)
        network.check_depth(depth)
        return depth
    raise ValidationError({"depth": f"{raw!r}: give a whole number from 1 to {network.MAX_DEPTH}."})


def parse_valid_at(raw: str | None):
    """A year (or any EDTF date) the ties may have held at; None for any time."""
    if raw in (None, ""):
        return None
    try:
        bounds = parse_bounds(raw.strip())
    except ValidationError as exc:
        raise ValidationError({"valid_at": exc.messages}) from None
    if bounds.lower is None and bounds.upper is None:
        raise ValidationError({"valid_at": f"{raw!r} has no known bounds."})
    return bounds


def actor(request, slug: str, *, as_of) -> dict:
    links = Links(as_of)
    item = _found(ACTORS, slug, "actor", as_of)
    depth = parse_depth(request.GET.get("depth"))
    valid_at = request.GET.get("valid_at", "").strip()
    walked = network.walk(
        str(item["id"]), depth=depth, bounds=parse_valid_at(valid_at), as_of=as_of
    )
    nodes = list(walked.actors().values("id", *ACTOR_SUMMARY, "certainty"))
    edges = AffiliationProjection.build_rows(
        list(walked.affiliations().values(*AffiliationProjection.columns())), as_of=as_of
    )
    ties = reading.listed(AFFILIATIONS, {"actor": str(item["id"])}, as_of=as_of)
    events = reading.listed(EVENTS, {"actor": str(item["id"])}, as_of=as_of)
    for event in events.items:
        event["roles"] = [
            part for part in event["participants"] if (part["actor"] or {}).get("id") == item["id"]
        ]
    places = [(item["area"], "the actor's country or area")]
    places += [(event["place"], event["title"]) for event in events.items]
    for node in nodes:
        node["href"] = links("actor", node["slug"])
    return {
        "actor": item,
        "depth": depth,
        "depths": range(1, network.MAX_DEPTH + 1),
        "valid_at": valid_at,
        "network": {"nodes": nodes, "edges": edges, "truncated": walked.truncated},
        "graph": graph.elements(nodes, edges, root=item["id"], href=links),
        "ties": _with_dates(ties, ("start", "end")),
        "events": _with_dates(events, ("date",)),
        "timeline": timeline(ties.items, events.items, actor_id=item["id"]),
        "map": maps.place_points(places, href=links),
    }


def event(request, slug: str, *, as_of) -> dict:
    item = _found(EVENTS, slug, "event", as_of)
    sub_events = reading.listed(EVENTS, {"parent": str(item["id"])}, as_of=as_of)
    shown = [item, *sub_events.items]
    return {
        "event": item,
        "when": describe(item["date"]),
        "sub_events": _with_dates(sub_events, ("date",)),
        "timeline": timeline([], shown),
        "map": maps.place_points(
            [(event["place"], event["title"]) for event in shown], href=Links(as_of)
        ),
    }


def place(request, slug: str, *, as_of) -> dict:
    links = Links(as_of)
    item = _found(PLACES, slug, "place", as_of)
    inside = reading.listed(PLACES, {"parent": str(item["id"])}, as_of=as_of)
    events = reading.listed(EVENTS, {"place": str(item["id"])}, as_of=as_of)
    actors = reading.listed(ACTORS, {"place": str(item["id"])}, as_of=as_of)
    places = [(item, "this place")] + [(sub, "a place within it") for sub in inside.items]
    places += [(event["place"], event["title"]) for event in events.items]
    return {
        "place": item,
        "inside": inside,
        "events": _with_dates(events, ("date",)),
        "actors": actors,
        "timeline": timeline([], events.items),
        "map": maps.place_points(places, href=links),
    }


def _with_dates(listing: reading.Listing, fields: tuple[str, ...]) -> reading.Listing:
    """Each item's dates in words (`<field>_text`), for the tables."""
    for item in listing.items:
        for name in fields:
            item[f"{name}_text"] = describe(item[name])
    return listing
