"""The Popolo export: one JSON document of `persons`, `organizations`, `memberships`,
`events` and `areas` (the Popolo data specification, http://www.popoloproject.com/),
built from the items of the JSON Lines export, in one snapshot.

- actors: persons (kind `person`) and organizations (every other kind, with its kind and
  subkind as `classification`), their names as `other_names`, crosswalks as
  `identifiers`, the sources cited for them (with a URL) as `sources`;
- ties: memberships, for the ties that are one (`sahel.read.ftm.MEMBERSHIP`: member of,
  leader of, commander of ... an actor that is not a person); a person member as
  `person_id`, an organization as `member`. Popolo has no other kind of relation: the
  other ties are in the JSON Lines and FtM exports;
- events: events (the event type as `classification`, the place as `location`, the
  participants beside them);
- places: areas (`parent_id`, a GeoJSON point as `geometry`).

Popolo dates are ISO 8601 prefixes: each date is the most precise prefix still true of the
EDTF value (`iso_prefix`), left out when none is (`2000~`, `../2015`), and the exact EDTF
is kept beside it (`birth_date_edtf`). Extra fields (`certainty`, `*_edtf`, `participants`)
are allowed by the schemas, which do not close their objects.
"""

from sahel.read import export
from sahel.read.ftm import MEMBERSHIP, date_prefix


def popolo_id(resource: str, pk: int) -> str:
    return f"sahel-{resource}-{pk}"


def _date(record: dict, name: str, date: dict | None) -> None:
    if not date:
        return
    if (prefix := date_prefix(date)) is not None:
        record[name] = prefix
    record[f"{name}_edtf"] = date["edtf"]


def _sources(citations: list[dict]) -> list[dict]:
    links, seen = [], set()
    for citation in citations:
        source = citation["source"]
        if source is None or not source["url"] or source["url"] in seen:
            continue
        seen.add(source["url"])
        links.append({"url": source["url"], "note": source["title"]})
    return links


def _without_empty(record: dict) -> dict:
    return {key: value for key, value in record.items() if value not in ("", None, [])}


def actor(item: dict) -> tuple[str, dict]:
    """("persons" or "organizations", the Popolo record)."""
    person = item["kind"] == "person"
    record = {
        "id": popolo_id("actors", item["id"]),
        "name": item["name"],
        "other_names": [
            _without_empty({"name": name["name"], "note": name["kind"]})
            for name in item["names"]
            if name["name"] != item["name"]
        ],
        "identifiers": [
            {"identifier": item["slug"], "scheme": "sahel"},
            *(
                {"identifier": identifier["value"], "scheme": identifier["scheme"]}
                for identifier in item["identifiers"]
            ),
        ],
        "certainty": item["certainty"],
        "sources": _sources(item["citations"]),
    }
    if person:
        record["summary"] = item["description"]
        _date(record, "birth_date", item["begin"])
        _date(record, "death_date", item["end"])
    else:
        record["description"] = item["description"]
        record["classification"] = " / ".join(filter(None, [item["kind"], item["subkind"]]))
        _date(record, "founding_date", item["begin"])
        _date(record, "dissolution_date", item["end"])
        if item["area"]:
            record["area_id"] = popolo_id("places", item["area"]["id"])
    return ("persons" if person else "organizations"), _without_empty(record)


def membership(item: dict) -> dict | None:
    kind, member, organization = item["type"], item["subject"], item["object"]
    if kind["slug"] not in MEMBERSHIP or organization["kind"] == "person":
        return None
    record = {
        "id": popolo_id("affiliations", item["id"]),
        "label": f"{member['name']} {kind['label']} {organization['name']}",
        "role": item["role_title"] or kind["label"],
        "organization_id": popolo_id("actors", organization["id"]),
        "type": kind["slug"],
        "certainty": item["certainty"],
        "sources": _sources(item["citations"]),
    }
    if member["kind"] == "person":
        record["person_id"] = popolo_id("actors", member["id"])
    else:
        record["member"] = {"@type": "Organization", "id": popolo_id("actors", member["id"])}
    _date(record, "start_date", item["start"])
    _date(record, "end_date", item["end"])
    return _without_empty(record)


def event(item: dict) -> dict:
    record = {
        "id": popolo_id("events", item["id"]),
        "name": item["title"],
        "description": item["description"],
        "classification": item["type"]["label"] if item["type"] else None,
        "location": item["place"]["name"] if item["place"] else None,
        "parent_id": popolo_id("events", item["parent"]["id"]) if item["parent"] else None,
        "certainty": item["certainty"],
        "fatalities": item["fatalities"],
        "participants": [
            _without_empty(
                {
                    "id": popolo_id("actors", participant["actor"]["id"]),
                    "role": participant["role"]["label"] if participant["role"] else None,
                    "certainty": participant["certainty"],
                }
            )
            for participant in item["participants"]
            if participant["actor"] is not None
        ],
        "sources": _sources(item["citations"]),
    }
    # The event's date (one EDTF value) as its start and end: the prefix true of all of
    # it (a day, a month or a year), or left out; the EDTF as `date_edtf`.
    if item["date"]:
        if (prefix := date_prefix(item["date"])) is not None:
            record["start_date"] = record["end_date"] = prefix
        record["date_edtf"] = item["date"]["edtf"]
    return _without_empty(record)


def area(item: dict) -> dict:
    record = {
        "id": popolo_id("places", item["id"]),
        "name": item["name"],
        "identifier": item["slug"],
        "classification": item["kind"],
        "parent_id": popolo_id("places", item["parent"]["id"]) if item["parent"] else None,
    }
    if item["latitude"] is not None and item["longitude"] is not None:
        record["geometry"] = {
            "type": "Point",
            "coordinates": [float(item["longitude"]), float(item["latitude"])],
        }
    return _without_empty(record)


def document(projections: dict, as_of=None) -> dict:
    """The Popolo document of the public data (live, or as of `as_of`), read in one
    snapshot; `as_of` names the instant it is true of. Built in memory: Popolo is one JSON
    document (the dataset is small; the JSON Lines export streams)."""
    found = {key: [] for key in ("persons", "organizations", "memberships", "events", "areas")}
    with export.snapshot_at(as_of) as (read_as_of, instant):
        for item in export.items("actors", projections["actors"], read_as_of):
            key, record = actor(item)
            found[key].append(record)
        for item in export.items("affiliations", projections["affiliations"], read_as_of):
            if (record := membership(item)) is not None:
                found["memberships"].append(record)
        for item in export.items("events", projections["events"], read_as_of):
            found["events"].append(event(item))
        for item in export.items("places", projections["places"], read_as_of):
            found["areas"].append(area(item))
    return {"as_of": instant, **found}
