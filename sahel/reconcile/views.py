"""A W3C Reconciliation Service (API 0.2) at /reconcile/: match a spreadsheet column of
names against the published actors (OpenRefine, README "Reconciling a column").

- `GET /reconcile/`: the manifest; with `queries=` (GET or form POST), a batch of queries
  (each ranked by `sahel.read.matcher`, filtered by `type`, refined by `properties`
  `kind` and `country`); with `extend=`, data extension (kind, names, identifiers, begin,
  end, ties).
- `/reconcile/preview/?id=`: an HTML card; `/reconcile/suggest/{entity,type,property}/`;
  `/reconcile/propose_properties/`.

Entity ids are actor slugs. Only published actors, their published names, identifiers and
ties are read (sahel.core.selectors). Bad input is a 400 whose JSON names the parameter.
"""

import json

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from actors.models import Actor, ActorKind, Identifier, Name
from affiliations.models import Affiliation
from places.models import Place
from sahel.core.names import normalize_name
from sahel.core.selectors import public
from sahel.read.matcher import match, match_many

MAX_PARAMETER = 10_000  # characters of one parameter (a batch of queries included)
MAX_QUERIES = 50  # queries in one batch
MAX_QUERY = 200  # characters of one query
MAX_LIMIT = 25
DEFAULT_LIMIT = 5
MATCH_SCORE = 0.9  # `match: true` only at this score or above ...
MATCH_LEAD = 0.1  # ... and this far ahead of the next candidate
AREA_MISMATCH = 0.8  # a candidate outside the asked country/area: its score times this

TYPES = [{"id": kind.value, "name": kind.label} for kind in ActorKind]
KINDS = {kind.value: kind.label for kind in ActorKind}
PROPERTIES = [
    {"id": "kind", "name": "kind", "description": "Actor kind (person, organization ...)"},
    {"id": "country", "name": "country or area", "description": "Place slug or name"},
    {"id": "names", "name": "names", "description": "Every published name"},
    {"id": "identifiers", "name": "identifiers", "description": "scheme:value crosswalks"},
    {"id": "begin", "name": "begin", "description": "Birth or founding (EDTF)"},
    {"id": "end", "name": "end", "description": "Death or dissolution (EDTF)"},
    {"id": "ties", "name": "ties", "description": "Actors tied to it (affiliations)"},
]
EXTENSIBLE = {"kind", "country", "names", "identifiers", "begin", "end", "ties"}


class BadInput(Exception):
    def __init__(self, parameter: str, message: str):
        self.parameter, self.message = parameter, message


def _bad(exc: BadInput) -> JsonResponse:
    return JsonResponse({exc.parameter: [exc.message]}, status=400)


def _text(raw, parameter: str, *, limit: int = MAX_PARAMETER, empty_ok=False) -> str:
    if not isinstance(raw, str):
        raise BadInput(parameter, "Not text.")
    if len(raw) > limit:
        raise BadInput(parameter, f"Too long: {len(raw)} characters (at most {limit}).")
    if "\x00" in raw:
        raise BadInput(parameter, "Contains a NUL character.")
    if not empty_ok and not raw.strip():
        raise BadInput(parameter, "Empty.")
    return raw


def _json(raw: str, parameter: str):
    try:
        return json.loads(_text(raw, parameter))
    except json.JSONDecodeError as exc:
        raise BadInput(parameter, f"Not JSON: {exc.msg} (line {exc.lineno}).") from None


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def manifest(request) -> dict:
    base = _base(request)
    return {
        "versions": ["0.2"],
        "name": "Sahel actor database",
        "identifierSpace": f"{base}/api/v1/actors/",
        "schemaSpace": f"{base}/reconcile/schema/",
        "documentation": f"{base}/api/v1/schema/redoc/",
        "view": {"url": f"{base}/actors/{{{{id}}}}/"},
        "defaultTypes": TYPES,
        "preview": {"url": f"{base}/reconcile/preview/?id={{{{id}}}}", "width": 400, "height": 160},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/reconcile/suggest/entity/"},
            "type": {"service_url": base, "service_path": "/reconcile/suggest/type/"},
            "property": {"service_url": base, "service_path": "/reconcile/suggest/property/"},
        },
        "extend": {
            "propose_properties": {
                "service_url": base,
                "service_path": "/reconcile/propose_properties/",
            },
            "property_settings": [],
        },
    }


# -- queries -------------------------------------------------------------------------------


def _types(raw, key: str) -> set[str]:
    if raw is None:
        return set()
    wanted = [raw] if isinstance(raw, str) else raw
    if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
        raise BadInput("queries", f"{key}: type must be a type id or a list of them.")
    unknown = sorted(set(wanted) - set(KINDS))
    if unknown:
        raise BadInput("queries", f"{key}: unknown type {unknown[0]!r}; types: {', '.join(KINDS)}.")
    return set(wanted)


def _values(v) -> list[str]:
    values = v if isinstance(v, list) else [v]
    found = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("id", value.get("name", ""))
        found.append(str(value))
    return found


def _parse_query(key: str, query) -> dict:
    if not isinstance(query, dict):
        raise BadInput("queries", f"{key}: a query is an object with `query`.")
    text = query.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadInput("queries", f"{key}: `query` must be non-empty text.")
    _text(text, "queries", limit=MAX_QUERY)
    limit = query.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit >= 1:
        raise BadInput("queries", f"{key}: `limit` must be a positive number.")
    kinds = _types(query.get("type"), key)
    constraints = {}
    properties = query.get("properties", [])
    if not isinstance(properties, list):
        raise BadInput("queries", f"{key}: `properties` must be a list.")
    for prop in properties:
        if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
            raise BadInput("queries", f"{key}: each property is {{pid, v}}.")
        if prop["pid"] not in ("kind", "country"):
            raise BadInput("queries", f"{key}: unknown property {prop['pid']!r} (kind, country).")
        constraints[prop["pid"]] = _values(prop["v"])
    if "kind" in constraints:
        kinds |= _types(constraints.pop("kind"), key)
    return {
        "text": text,
        "limit": min(int(limit), MAX_LIMIT),
        "kinds": kinds,
        "country": constraints.get("country"),
    }


def _places() -> dict[int, dict]:
    return {row["id"]: row for row in public(Place).values("id", "slug", "name", "parent_id")}


def _within(place_id, wanted: list[str], places: dict) -> bool:
    """Is the place (or a place it lies within) one of `wanted` (slugs or names)?"""
    keys = {normalize_name(value) for value in wanted}
    seen = set()
    while place_id in places and place_id not in seen:
        seen.add(place_id)
        place = places[place_id]
        if place["slug"] in wanted or normalize_name(place["name"]) in keys:
            return True
        place_id = place["parent_id"]
    return False


def reconcile(queries: dict) -> dict:
    """A batch: key -> {"result": [candidates]}, best first."""
    parsed = {key: _parse_query(key, query) for key, query in queries.items()}
    # One SQL query for the whole batch's candidates (each query ranked as it is alone).
    found = match_many([q["text"] for q in parsed.values()], limit=200)
    hits = dict(zip(parsed, found, strict=True))
    ids = {hit.actor_id for found in hits.values() for hit in found}
    actors = {
        row["id"]: row
        for row in public(Actor)
        .filter(id__in=ids)
        .values("id", "slug", "name", "kind", "description", "area_id")
    }
    places = _places() if any(q["country"] for q in parsed.values()) else {}
    results = {}
    for key, q in parsed.items():
        candidates = []
        for hit in hits[key]:
            actor = actors.get(hit.actor_id)
            if actor is None or (q["kinds"] and actor["kind"] not in q["kinds"]):
                continue
            value, features = hit.score, [{"id": "name", "value": hit.score}]
            if q["country"]:
                inside = _within(actor["area_id"], q["country"], places)
                features.append({"id": "country", "value": inside})
                value = value if inside else value * AREA_MISMATCH
            candidates.append((value, actor, hit, features))
        candidates.sort(key=lambda c: (-c[0], c[1]["name"], c[1]["id"]))
        candidates = candidates[: q["limit"]]
        result = []
        for i, (value, actor, hit, features) in enumerate(candidates):
            ahead = len(candidates) == 1 or value - candidates[1][0] >= MATCH_LEAD
            result.append(
                {
                    "id": actor["slug"],
                    "name": actor["name"],
                    "description": actor["description"] or f"matched {hit.name!r}",
                    "score": round(100 * value, 1),
                    "features": features,
                    "match": i == 0 and value >= MATCH_SCORE and ahead,
                    "type": [{"id": actor["kind"], "name": KINDS[actor["kind"]]}],
                }
            )
        results[key] = {"result": result}
    return results


# -- data extension ------------------------------------------------------------------------


def extend(query) -> dict:
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
        raise BadInput("extend", "An object with `ids` (a list) and `properties`.")
    ids = query["ids"]
    if not all(isinstance(i, str) for i in ids) or len(ids) > 500:
        raise BadInput("extend", "`ids` must be at most 500 entity ids (text).")
    wanted = query.get("properties")
    if not isinstance(wanted, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in wanted
    ):
        raise BadInput("extend", "`properties` must be a list of {id}.")
    unknown = sorted({p["id"] for p in wanted} - EXTENSIBLE)
    if unknown:
        raise BadInput("extend", f"Unknown property {unknown[0]!r}: {', '.join(EXTENSIBLE)}.")
    pids = [p["id"] for p in wanted]
    actors = {
        row["slug"]: row
        for row in public(Actor)
        .filter(slug__in=ids)
        .values("id", "slug", "name", "kind", "begin", "end", "area_id")
    }
    by_id = {row["id"]: row for row in actors.values()}
    names, identifiers, ties = {}, {}, {}
    if "names" in pids:
        for row in public(Name).filter(actor_id__in=by_id).order_by("actor_id", "id").values():
            names.setdefault(row["actor_id"], []).append({"str": row["name"]})
    if "identifiers" in pids:
        found = public(Identifier).filter(actor_id__in=by_id).order_by("actor_id", "id")
        for row in found.values("actor_id", "scheme", "value"):
            identifiers.setdefault(row["actor_id"], []).append(
                {"str": f"{row['scheme']}:{row['value']}"}
            )
    if "ties" in pids:
        found = public(Affiliation).filter(subject_id__in=by_id) | public(Affiliation).filter(
            object_id__in=by_id
        )
        pairs = list(found.order_by("id").values_list("subject_id", "object_id"))
        others = {i for pair in pairs for i in pair}
        summary = {
            row["id"]: row
            for row in public(Actor).filter(id__in=others).values("id", "slug", "name")
        }
        for subject, obj in pairs:
            for this, other in ((subject, obj), (obj, subject)):
                if this in by_id and other in summary:
                    tied = ties.setdefault(this, [])
                    item = {"id": summary[other]["slug"], "name": summary[other]["name"]}
                    if item not in tied:
                        tied.append(item)
    places = _places() if "country" in pids else {}
    rows = {}
    for entity in ids:
        actor = actors.get(entity)
        row = rows[entity] = {}
        for pid in pids:
            if actor is None:
                row[pid] = []
            elif pid == "kind":
                row[pid] = [{"id": actor["kind"], "name": KINDS[actor["kind"]]}]
            elif pid in ("begin", "end"):
                row[pid] = [{"str": actor[pid]}] if actor[pid] else []
            elif pid == "country":
                place = places.get(actor["area_id"])
                row[pid] = [{"id": place["slug"], "name": place["name"]}] if place else []
            else:
                row[pid] = {"names": names, "identifiers": identifiers, "ties": ties}[pid].get(
                    actor["id"], []
                )
    meta = [{"id": p["id"], "name": p["name"]} for p in PROPERTIES if p["id"] in pids]
    return {"meta": sorted(meta, key=lambda m: pids.index(m["id"])), "rows": rows}


# -- views ----------------------------------------------------------------------------------


@csrf_exempt  # read-only, no session: OpenRefine posts forms from its server
@require_http_methods(["GET", "POST"])
def service(request):
    params = request.POST if request.method == "POST" else request.GET
    try:
        for name in params:
            _text(params.get(name), name, empty_ok=True)
        if "queries" in params:
            queries = _json(params["queries"], "queries")
            if not isinstance(queries, dict) or not queries:
                raise BadInput("queries", 'An object of queries: {"q0": {"query": ...}}.')
            if len(queries) > MAX_QUERIES:
                raise BadInput("queries", f"At most {MAX_QUERIES} queries in a batch.")
            return JsonResponse(reconcile(queries))
        if "extend" in params:
            return JsonResponse(extend(_json(params["extend"], "extend")))
        unknown = sorted(set(params) - {"callback"})
        if unknown:
            raise BadInput(unknown[0], "Unknown parameter: queries or extend.")
    except BadInput as exc:
        return _bad(exc)
    return JsonResponse(manifest(request))


@require_GET
@xframe_options_exempt  # shown in OpenRefine's frame
def preview(request):
    try:
        slug = _text(request.GET.get("id", ""), "id", limit=200)
    except BadInput as exc:
        return _bad(exc)
    actor = (
        public(Actor)
        .filter(slug=slug)
        .values("id", "slug", "name", "kind", "description", "begin", "end", "area_id")
        .first()
    )
    if actor is None:
        return JsonResponse({"id": [f"No published actor {slug!r}."]}, status=404)
    place = public(Place).filter(id=actor["area_id"]).values_list("name", flat=True).first()
    others = [
        name
        for name in public(Name)
        .filter(actor_id=actor["id"])
        .order_by("id")
        .values_list("name", flat=True)
        if name != actor["name"]
    ]
    dates = "–".join(d for d in (actor["begin"], actor["end"]) if d)
    card = {
        **actor,
        "kind_label": KINDS[actor["kind"]],
        "area": place,
        "names": others,
        "dates": dates,
    }
    page = f"/actors/{actor['slug']}/"
    return HttpResponse(render_to_string("reconcile/preview.html", {"actor": card, "page": page}))


def _prefix(request) -> str:
    return _text(request.GET.get("prefix", ""), "prefix", limit=MAX_QUERY)


@require_GET
def suggest_entity(request):
    try:
        prefix = _prefix(request)
    except BadInput as exc:
        return _bad(exc)
    hits = match(prefix, limit=10)
    actors = {
        row["id"]: row
        for row in public(Actor)
        .filter(id__in=[hit.actor_id for hit in hits])
        .values("id", "slug", "name", "kind", "description")
    }
    result = [
        {
            "id": actors[hit.actor_id]["slug"],
            "name": actors[hit.actor_id]["name"],
            "description": actors[hit.actor_id]["description"] or f"matched {hit.name!r}",
            "notable": [
                {"id": actors[hit.actor_id]["kind"], "name": KINDS[actors[hit.actor_id]["kind"]]}
            ],
        }
        for hit in hits
        if hit.actor_id in actors
    ]
    return JsonResponse({"result": result})


def _suggest_from(request, items):
    try:
        prefix = normalize_name(_prefix(request))
    except BadInput as exc:
        return _bad(exc)
    found = [i for i in items if prefix in normalize_name(i["name"]) or prefix in i["id"]]
    return JsonResponse({"result": found})


@require_GET
def suggest_type(request):
    return _suggest_from(request, TYPES)


@require_GET
def suggest_property(request):
    return _suggest_from(request, PROPERTIES)


@require_GET
def propose_properties(request):
    kind = request.GET.get("type")
    if kind is not None and kind not in KINDS:
        return _bad(BadInput("type", f"Unknown type {kind!r}; types: {', '.join(KINDS)}."))
    body = {"properties": PROPERTIES}
    if kind:
        body["type"] = kind
    return JsonResponse(body)
