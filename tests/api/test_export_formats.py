"""The FollowTheMoney and Popolo exports, checked by their own library and schemas over the
curated dataset (every public actor, tie and event comes out with its names and dates), and
the flat CSV tables (scalar columns, joined by id) and the releases (`manage.py release`:
frictionless, the CFF schema, the delta). One module: the dataset is loaded once."""

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import frictionless
import pytest
import yaml
from django.core.management import call_command
from django.db import transaction
from followthemoney import model
from jsonschema import Draft7Validator

from actors.models import Actor
from affiliations.models import Affiliation
from sahel.core import services
from sahel.dataset.loader import loader_user
from sahel.read.ftm import Strict, ValueLost, date_prefix
from tests.api.exported import Truncated, read_export, records_of
from tests.api.formats import popolo_validators


@pytest.fixture(scope="module")
def exported(curated, django_db_blocker):
    """The JSON Lines records (the reference), FtM entities and the Popolo document of
    the curated dataset, read once."""
    from rest_framework.test import APIClient

    client = APIClient()
    with django_db_blocker.unblock():
        records = records_of(client.get("/api/v1/export/"))
        response = client.get("/api/v1/export/", {"format": "ftm"})
        assert response["Content-Type"].startswith("application/x-ndjson")
        entities = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
        response = client.get("/api/v1/export/", {"format": "popolo"})
        assert response.status_code == 200
        popolo = response.json()
    by_resource = {}
    for record in records:
        by_resource.setdefault(record["resource"], []).append(record)
    return by_resource, {entity["id"]: entity for entity in entities}, popolo, len(entities)


def _values(entity, *props):
    return {value for prop in props for value in entity["properties"].get(prop, [])}


def _dates_come_out(entity, record, props: dict):
    summary = " ".join(entity["properties"].get("summary", []))
    for name, prop in props.items():
        date = record[name]
        if not date:
            assert prop not in entity["properties"], (record["id"], name)
            continue
        assert f"{name} (EDTF): {date['edtf']}" in summary, (entity["id"], name)
        prefix = date_prefix(date)
        assert entity["properties"].get(prop, []) == ([prefix] if prefix else []), (
            entity["id"],
            name,
            date,
        )


def test_ftm_entities_are_valid_and_their_links_resolve(exported):
    _, entities, _, count = exported
    assert len(entities) == count, "ids are unique"
    for data in entities.values():
        proxy = model.get_proxy(data, cleaned=False)  # cleaned again, as `ftm validate` does
        assert proxy.schema.name == data["schema"]
        assert proxy.to_dict()["properties"] == data["properties"], data["id"]
        for prop, values in data["properties"].items():
            spec = proxy.schema.get(prop)
            for value in values:
                assert spec.type.clean(value, proxy=proxy) == value or spec.type.name == "text"
            if spec.type.name == "entity":
                for value in values:
                    target = model.get(entities[value]["schema"])
                    assert target.is_a(spec.range), (data["id"], prop, target, spec.range)


def test_every_actor_tie_and_event_comes_out_in_ftm_with_names_and_dates(exported):
    records, entities, _, _ = exported
    for actor in records["actors"]:
        entity = entities[f"sahel-actors-{actor['id']}"]
        assert entity["properties"]["name"] == [actor["name"]]
        names = _values(entity, "name", "alias", "abbreviation")
        assert {name["name"] for name in actor["names"]} <= names
        props = (
            {"begin": "birthDate", "end": "deathDate"}
            if actor["kind"] == "person"
            else {"begin": "incorporationDate", "end": "dissolutionDate"}
        )
        assert (entity["schema"] == "Person") == (actor["kind"] == "person")
        _dates_come_out(entity, actor, props)
    schemas = set()
    for tie in records["affiliations"]:
        entity = entities[f"sahel-affiliations-{tie['id']}"]
        schemas.add(entity["schema"])
        schema = model.get(entity["schema"])
        ends = [
            *entity["properties"][schema.edge_source],
            *entity["properties"][schema.edge_target],
        ]
        assert sorted(ends) == sorted(
            [f"sahel-actors-{tie['subject']['id']}", f"sahel-actors-{tie['object']['id']}"]
        )
        assert tie["type"]["label"] in _values(entity, "role", "relationship")
        _dates_come_out(entity, tie, {"start": "startDate", "end": "endDate"})
    assert {"Membership", "Succession", "UnknownLink"} <= schemas
    for event in records["events"]:
        entity = entities[f"sahel-events-{event['id']}"]
        assert entity["schema"] == "Event"
        assert entity["properties"]["name"] == [event["title"]]
        involved = {f"sahel-actors-{p['actor']['id']}" for p in event["participants"]}
        assert set(entity["properties"].get("involved", [])) == involved
        _dates_come_out(entity, event, {"date": "date"})
    for source in records["sources"]:
        entity = entities[f"sahel-sources-{source['id']}"]
        assert entity["schema"] == "Document"
        assert entity["properties"]["title"] == [source["title"]]
    cited = sum(
        len(record["citations"])
        for rs in records.values()
        for record in rs
        if "citations" in record
    )
    assert sum(e["schema"] == "Documentation" for e in entities.values()) >= cited


def test_the_strict_wrapper_refuses_what_ftm_would_drop_or_change():
    entity = Strict("Person", "sahel-actors-1")
    entity.add("birthDate", "2012-09")
    with pytest.raises(ValueLost):
        entity.add("birthDate", "2000~")  # FtM would keep "2000": not what the source says
    with pytest.raises(ValueLost):
        entity.add("sourceUrl", "not a url")
    with pytest.raises(ValueLost):
        entity.add("involved", "sahel-events-1")  # no such property on a Person
    assert entity.to_dict()["properties"] == {"birthDate": ["2012-09"]}


def test_every_popolo_item_is_valid_against_the_popolo_schemas(exported):
    records, _, popolo, _ = exported
    validators = popolo_validators()
    for key, validator in validators.items():
        assert popolo[key], key
        for item in popolo[key]:
            errors = [error.message for error in validator.iter_errors(item)]
            assert not errors, (key, item["id"], errors)
    # A bad date is caught (the validators do check).
    bad = {"id": "x", "name": "x", "birth_date": "2000~"}
    assert list(validators["persons"].iter_errors(bad))
    actors = {f"sahel-actors-{a['id']}": a for a in records["actors"]}
    assert {p["id"] for p in popolo["persons"]} | {o["id"] for o in popolo["organizations"]} == set(
        actors
    )
    assert len(popolo["events"]) == len(records["events"])
    assert len(popolo["areas"]) == len(records["places"])
    assert popolo["memberships"]


def test_popolo_dates_are_the_prefix_still_true_with_the_edtf_beside(exported):
    records, _, popolo, _ = exported
    actors = {f"sahel-actors-{a['id']}": a for a in records["actors"]}
    fields = {
        "birth_date": "begin",
        "death_date": "end",
        "founding_date": "begin",
        "dissolution_date": "end",
    }
    seen_omitted = False
    for record in popolo["persons"] + popolo["organizations"]:
        actor = actors[record["id"]]
        for field, name in fields.items():
            if f"{field}_edtf" not in record:
                continue
            assert record[f"{field}_edtf"] == actor[name]["edtf"]
            prefix = date_prefix(actor[name])
            assert record.get(field) == prefix
            seen_omitted |= prefix is None
    ties = {f"sahel-affiliations-{t['id']}": t for t in records["affiliations"]}
    for record in popolo["memberships"]:
        tie = ties[record["id"]]
        for field, name in {"start_date": "start", "end_date": "end"}.items():
            if tie[name]:
                assert record[f"{field}_edtf"] == tie[name]["edtf"]
                assert record.get(field) == date_prefix(tie[name])
                seen_omitted |= date_prefix(tie[name]) is None
            else:
                assert field not in record
    events = {f"sahel-events-{e['id']}": e for e in records["events"]}
    for record in popolo["events"]:
        event = events[record["id"]]
        if event["date"]:
            assert record["date_edtf"] == event["date"]["edtf"]
            assert record.get("start_date") == date_prefix(event["date"])
            seen_omitted |= date_prefix(event["date"]) is None
    assert seen_omitted, "the curated data has dates no ISO prefix is true of (2015~, 2018-09/..)"


# -- flat CSV tables ---------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode(), newline="")))


@pytest.fixture(scope="module")
def flat(curated, django_db_blocker):
    """Every flat table of the curated dataset, read once: name -> rows."""
    from rest_framework.test import APIClient

    from sahel.read.resources import projections
    from sahel.read.tables import layout

    client = APIClient()
    with django_db_blocker.unblock():
        return {
            name: _csv(client.get("/api/v1/export/", {"format": "csv", "table": name}))
            for name in layout(projections())[1]
        }


def test_resource_csv_pages_have_scalar_columns_only(api):
    for resource in ("actors", "affiliations", "events", "places", "sources"):
        rows = _csv(api.get(f"/api/v1/{resource}/", {"format": "csv", "page_size": 1000}))
        assert rows, resource
        assert not {"names", "identifiers", "participants", "citations", "authors"} & set(
            rows[0]
        ), resource
        for row in rows:
            for value in row.values():
                try:
                    parsed = json.loads(value)
                except ValueError:
                    continue
                assert not isinstance(parsed, list | dict), (resource, value)


def test_flat_tables_hold_the_export_joined_by_id(exported, flat):
    records, _, _, _ = exported
    ids = {name: {int(row["id"]) for row in rows if "id" in row} for name, rows in flat.items()}
    for resource in ("actors", "affiliations", "events", "places", "sources"):
        assert ids[resource] == {record["id"] for record in records[resource]}, resource
    names = [(a["id"], n["id"], n["name"]) for a in records["actors"] for n in a["names"]]
    assert sorted(names) == sorted(
        (int(r["actor_id"]), int(r["id"]), r["name"]) for r in flat["actor_names"]
    )
    participants = [
        (e["id"], p["actor"]["id"]) for e in records["events"] for p in e["participants"]
    ]
    assert sorted(participants) == sorted(
        (int(r["event_id"]), int(r["actor_id"])) for r in flat["event_participants"]
    )
    authors = [(s["id"], a) for s in records["sources"] for a in s["authors"]]
    assert sorted(authors) == sorted(
        (int(r["source_id"]), r["value"]) for r in flat["source_authors"]
    )

    def citations(item):
        found = [c["id"] for c in item.get("citations", [])]
        for child in ("names", "participants"):
            for sub in item.get(child, []):
                found += [c["id"] for c in sub["citations"]]
        return found

    cited = sorted(c for rs in records.values() for item in rs for c in citations(item))
    assert cited == sorted(int(row["id"]) for row in flat["citations"])
    targets = ("actor_id", "name_id", "affiliation_id", "event_id", "participant_id", "place_id")
    for row in flat["citations"]:
        assert sum(bool(row[column]) for column in targets) == 1, row
    # Every reference resolves in the table it names.
    from sahel.read.resources import projections
    from sahel.read.tables import layout

    for name, table in layout(projections())[1].items():
        for column, target in table.foreign_keys:
            values = {int(row[column]) for row in flat[name] if row[column]}
            assert values <= ids[target], (name, column, values - ids[target])


def test_flat_table_cells_cannot_run_as_formulas(api, make):
    from sahel.read.tables import neutralise

    actor = make.actor(slug="formula-names", name="Plain", status="published")
    make.name(actor, "=HYPERLINK(1)", status="published")
    names = _csv(api.get("/api/v1/export/", {"format": "csv", "table": "actor_names"}))
    assert "'=HYPERLINK(1)" in {row["name"] for row in names}
    assert neutralise("-3") == "'-3"
    assert neutralise("a=b") == "a=b"


def test_export_format_and_table_errors_name_the_parameter(api):
    for params, name in [
        ({"format": "xml"}, "format"),
        ({"format": "csv"}, "table"),
        ({"format": "csv", "table": "robots"}, "table"),
        ({"table": "actors"}, "table"),
        ({"format": "popolo", "resource": "actors"}, "resource"),
    ]:
        response = api.get("/api/v1/export/", params)
        assert response.status_code == 400, params
        assert list(response.json()) == [name], response.json()


# -- releases ----------------------------------------------------------------------------------

CFF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "citation-file-format-1.2.0.schema.json"


def _release(directory) -> dict:
    out = io.StringIO()
    call_command("release", str(directory), "--site", "https://sahel.example.org/", stdout=out)
    return json.loads((sorted(directory.glob("sahel-*"))[-1] / "release.json").read_text())


def test_two_releases_validate_and_the_second_names_its_delta(api, make, tmp_path, settings):
    settings.SAHEL_DATA_LICENCE = {
        "name": "CC-BY-4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    first = _release(tmp_path)
    folder = tmp_path / f"sahel-{first['version']}"
    assert first["previous"] is None
    assert first["licence"]["name"] == "CC-BY-4.0"
    # Every file's sha256 is in the manifest and in SHA256SUMS.
    for name, entry in first["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == {*first["files"], "release.json"}
    # The API asked as of the release's instant gives the release's export, byte for byte.
    again = b"".join(api.get("/api/v1/export/", {"as_of": first["as_of"]}).streaming_content)
    assert again == (folder / "sahel.jsonl").read_bytes()
    # The data package, by frictionless (schemas, primary and foreign keys, hashes).
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    names = (broken / "data" / "actor_names.csv").read_text().splitlines()
    header, row, *rest = names
    cells = row.split(",")
    cells[1] = "987654321"  # actor_id: an actor the release does not have
    (broken / "data" / "actor_names.csv").write_text("\n".join([header, ",".join(cells), *rest]))
    package = json.loads((broken / "datapackage.json").read_text())
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (broken / "datapackage.json").write_text(json.dumps(package))
    assert not frictionless.validate(str(broken / "datapackage.json")).valid
    # CITATION.cff, by the Citation File Format 1.2.0 schema (as cffconvert validates it).
    cff = yaml.safe_load((folder / "CITATION.cff").read_text())
    validator = Draft7Validator(json.loads(CFF_SCHEMA.read_text()))
    assert not list(validator.iter_errors(cff)), [e.message for e in validator.iter_errors(cff)]
    assert cff["version"] == first["version"]
    assert cff["license"] == "CC-BY-4.0"
    assert first["as_of"] in cff["message"]
    assert list(validator.iter_errors({**cff, "authors": []}))

    user = loader_user()
    actor = Actor.objects.filter(status="published").order_by("id").first()
    tie = Affiliation.objects.filter(status="published").order_by("id").last()
    with transaction.atomic():
        added = make.actor(slug="added-between-releases", name="Added", status="published")
        services.update(
            actor,
            user=user,
            reason="Reworded",
            expected_version=actor.version,
            description="Reworded between releases.",
        )
        services.withdraw(tie, user=user, reason="Retracted", expected_version=tie.version)
        second = _release(tmp_path)
        transaction.set_rollback(True)
    assert second["version"] == f"{first['version']}.2"
    assert second["previous"] == {"version": first["version"], "as_of": first["as_of"]}
    delta = json.loads((tmp_path / f"sahel-{second['version']}" / "delta.json").read_text())
    assert delta["previous"] == second["previous"]
    assert delta["resources"] == {
        "actors": {"added": [added.pk], "changed": [actor.pk], "removed": []},
        "affiliations": {"added": [], "changed": [], "removed": [tie.pk]},
        "events": {"added": [], "changed": [], "removed": []},
        "places": {"added": [], "changed": [], "removed": []},
        "sources": {"added": [], "changed": [], "removed": []},
    }


def test_licence_and_how_to_cite_at_the_api_root(api, settings):
    settings.SAHEL_DATA_LICENCE = None
    root = api.get("/api/v1/").json()
    assert root["licence"] is None  # not set: says so, claims none
    assert root["how_to_cite"].startswith("Sahel actor database curators. Sahel actor database.")
    settings.SAHEL_DATA_LICENCE = {"name": "CC-BY-4.0", "url": "https://example.org/l"}
    settings.SAHEL_CITATION = "Cite us as the Sahel actor database."
    for url in ("/api/v1/", "/"):
        body = api.get(url, HTTP_ACCEPT="application/json").json()
        assert body["licence"] == {"name": "CC-BY-4.0", "url": "https://example.org/l"}, url
        assert body["how_to_cite"] == "Cite us as the Sahel actor database.", url
    assert "actors" in root


# -- the JSON Lines export's closing line ---------------------------------------------------


def test_a_truncated_export_is_detectable(api):
    body = b"".join(api.get("/api/v1/export/", {"resource": "actors,places"}).streaming_content)
    records, end = read_export(body)
    assert end == {"resource": "end", "records": len(records), "as_of": end["as_of"]}
    assert len(records) == api.get("/api/v1/actors/").json()["count"] + len(
        [r for r in records if r["resource"] == "places"]
    )
    lines = body.splitlines(keepends=True)
    # Cut after any whole line (what a worker killed mid-stream leaves): no closing line.
    for cut in (0, 1, len(lines) // 2, len(lines) - 1):
        with pytest.raises(Truncated):
            read_export(b"".join(lines[:cut]))
    # A line lost in the middle (a proxy's retry, a bad splice): the count disagrees.
    with pytest.raises(Truncated):
        read_export(b"".join(lines[:3] + lines[4:]))


def test_the_closing_line_names_the_instant_asked(api):
    body = b"".join(
        api.get("/api/v1/export/", {"resource": "events", "as_of": "2000-01-01"}).streaming_content
    )
    assert read_export(body) == (
        [],
        {"resource": "end", "records": 0, "as_of": "2000-01-01T00:00:00Z"},
    )
