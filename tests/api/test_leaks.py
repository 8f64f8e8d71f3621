"""Adversarial leak tests for the public REST API.

The rule (SPEC §1 "Publication and visibility"): the anonymous public sees only published
claims. A draft or withdrawn actor appears nowhere public — not in lists, details, search,
nested relations of published objects, counts, exports, history or the change feed — and its
id answers 404. Editorial notes and editor account names/emails are never public. Filters
must not act as an oracle: `?actor=<hidden id or slug>` answers exactly as for an id that
never existed.

`world` (tests/leak_world.py) builds, once per module, a small database in which every
hidden thing carries a marker and is tied to published objects. The tests crawl every
public endpoint, in every format, live and `as_of` several instants, and assert that no
marker appears and that counts and ids are exactly the public ones.
"""

import csv
import io
import json
import time

import pytest
from rest_framework.test import APIClient

from actors.models import Actor, Name
from affiliations.models import Affiliation
from events.models import Event
from sahel.core import services
from tests.api.exported import read_export
from tests.leak_world import (
    HIDDEN_RESOURCES,
    INSTANTS,
    LIST_CASES,
    NONEXISTENT_ID,
    NONEXISTENT_SLUG,
    PREFIX,
    RESOURCES,
    SEARCHED_NAMES,
    assert_no_leak,
    body_text,
    change_set_of_cursor,
    formats,
    hidden_only_change_sets,
)

# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def client(world, db):
    return APIClient()


def fetch(client, world, url, status=200, **params):
    """GET, check the status, and check body and headers for leaks. Returns the body."""
    return check(client.get(url, params), world, f"GET {url} {params}", status)


def check(response, world, where: str, status=200) -> str:
    text = body_text(response)
    assert response.status_code == status, (where, response.status_code, text[:500])
    assert_no_leak(text, world.forbidden(), where)
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    assert_no_leak(headers, world.forbidden(), f"{where} (headers)")
    return text


def fetch_json(client, world, url, status=200, **params):
    return json.loads(fetch(client, world, url, status, **params))


def ids_in(text: str, fmt: str) -> list[int]:
    if fmt == "json":
        return [row["id"] for row in json.loads(text)["results"]]
    if fmt == "geojson":
        return [feature["id"] for feature in json.loads(text)["features"]]
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(text))]


def url(resource: str, pk=None, suffix: str = "") -> str:
    return f"/api/v1/{resource}/" + (f"{pk}/" if pk is not None else "") + suffix


def as_of(world, instant: str) -> dict:
    if instant == "live":
        return {}
    return {"as_of": world.instants[instant].isoformat()}


def without_value(text: str, value: str) -> str:
    """`text` with the probed value taken out: where it is quoted (an error names it), and
    anywhere for a value that is not a bare number (a number also occurs in timestamps)."""
    text = text.replace(f"'{value}'", "'<value>'").replace(f'"{value}"', '"<value>"')
    return text if value.isdigit() else text.replace(value, "<value>")


def same_answer(client, probe: str, control: str, path: str, param: str, **params):
    """The answer to `param=probe` is the answer to `param=control`, the value aside."""
    answers = []
    for value in (probe, control):
        response = client.get(path, {param: value, **params})
        text = without_value(body_text(response), value)
        answers.append((response.status_code, response["Content-Type"], text))
    assert answers[0] == answers[1], (path, param, params)


# -- the world is what it claims to be ---------------------------------------------------------


def test_the_hidden_world_is_tied_to_published_claims(world):
    """Guard the premise: hidden actors carry *published* names, ties and participations,
    and the unpublished actor really was public at its instant."""
    assert not Actor.objects.filter(pk=world.deleted.pk).exists()
    assert Actor.history.filter(id=world.deleted.pk, history_type="-").exists()
    for actor in (world.draft, world.withdrawn, world.unpublished):
        assert Name.objects.filter(actor=actor, status="published").exists()
        assert Affiliation.objects.filter(subject=actor, status="published").exists()
        assert Affiliation.objects.filter(object=actor, status="published").exists()
        assert actor.participations.filter(status="published", event=world.e1).exists()
    assert Actor.objects.get(pk=world.draft.pk).status == "draft"
    assert Actor.objects.get(pk=world.withdrawn.pk).status == "withdrawn"
    assert Actor.objects.get(pk=world.unpublished.pk).status == "withdrawn"
    then = world.instants["unpublished_was_public"]
    for obj in (world.unpublished, world.later_withdrawn_name):
        past = type(obj).history.filter(id=obj.pk, history_date__lte=then).latest("history_date")
        assert past.status == "published"
    assert Event.objects.get(pk=world.e2.pk).parent_id == world.draft_event.pk
    assert len(world.markers) > 100


# -- lists, details and their formats ----------------------------------------------------------


@pytest.mark.parametrize(("resource", "fmt"), LIST_CASES)
def test_lists_show_exactly_the_public_rows(client, world, resource, fmt):
    text = fetch(client, world, url(resource), page_size=1000, format=fmt)
    ids = ids_in(text, fmt)
    assert set(ids) == world.public["live"][resource]
    assert len(ids) == len(set(ids))
    if fmt != "csv":
        assert json.loads(text)["count"] == len(world.public["live"][resource])
    # The page count is the public count too.
    count = len(world.public["live"][resource])
    fetch(client, world, url(resource), page_size=1, page=count, format=fmt)
    fetch(client, world, url(resource), 404, page_size=1, page=count + 1, format=fmt)


@pytest.mark.parametrize(("resource", "fmt"), LIST_CASES)
def test_details_of_listed_rows(client, world, resource, fmt):
    listed = ids_in(fetch(client, world, url(resource), page_size=1000), "json")
    for pk in sorted(set(listed) | world.public["live"][resource]):
        text = fetch(client, world, url(resource, pk), format=fmt)
        if fmt == "json":
            assert json.loads(text)["id"] == pk


@pytest.mark.parametrize(("resource", "fmt"), [c for c in LIST_CASES if c[0] in HIDDEN_RESOURCES])
def test_hidden_ids_are_404_like_ids_that_never_existed(client, world, resource, fmt):
    for obj in world.hidden[resource]:
        fetch(client, world, url(resource, obj.pk), 404, format=fmt)
        same_answer_at(client, resource, obj.pk, NONEXISTENT_ID, format=fmt)
        same_answer_at(client, resource, obj.slug, NONEXISTENT_SLUG, format=fmt)


def same_answer_at(client, resource, probe, control, suffix="", **params):
    """GET <resource>/<probe>/<suffix> answers as <resource>/<control>/<suffix>."""
    answers = []
    for value in (str(probe), control):
        response = client.get(url(resource, value, suffix), params)
        text = without_value(body_text(response), value)
        answers.append((response.status_code, response["Content-Type"], text))
    assert answers[0] == answers[1], (resource, probe, suffix)


def test_nested_relations_of_published_objects_hide_hidden_ones(client, world):
    e1 = fetch_json(client, world, url("events", world.e1.pk))
    assert [p["actor"]["id"] for p in e1["participants"]] == [world.a.pk]
    e2 = fetch_json(client, world, url("events", world.e2.pk))
    assert e2["parent"] is None
    assert e2["participants"] == []
    a = fetch_json(client, world, url("actors", world.a.pk))
    assert [n["name"] for n in a["names"]] == ["Alpha Alias"]
    assert len(a["citations"]) == 1
    tie = fetch_json(client, world, url("affiliations", world.aff_ab.pk))
    assert (tie["subject"]["id"], tie["object"]["id"]) == (world.a.pk, world.b.pk)


# -- search and filters: no oracle -------------------------------------------------------------


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize("label", SEARCHED_NAMES)
def test_search_by_a_hidden_name_finds_nothing(client, world, label, instant):
    marker = f"Leakmark{label.replace('-', '')}"
    for text in (marker, marker.lower(), marker[:-2]):
        body = fetch_json(client, world, url("actors"), search=text, **as_of(world, instant))
        assert (body["count"], body["results"]) == (0, []), (text, body)


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
def test_search_for_any_marker_finds_nothing(client, world, instant):
    """Slugs, descriptions, identifiers, quotes ...: no marker finds any actor."""
    for marker in world.markers:
        body = fetch_json(client, world, url("actors"), search=marker, **as_of(world, instant))
        assert body["count"] == 0, (marker, body)


@pytest.mark.parametrize("resource", ["places", "sources"])
def test_search_elsewhere_finds_nothing(client, world, resource):
    body = fetch_json(client, world, url(resource), search=PREFIX)
    assert body["count"] == 0


ACTOR_FILTERS = [("affiliations", p) for p in ("actor", "subject", "object")] + [
    ("events", "actor")
]


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("probe", ["draft", "withdrawn", "deleted", "unpublished"])
@pytest.mark.parametrize(("resource", "param"), ACTOR_FILTERS)
def test_filtering_by_a_hidden_actor_answers_as_for_no_actor(
    client, world, resource, param, probe, fmt, instant
):
    actor = world.probes[probe]
    params = {"format": fmt, "page_size": 1000, **as_of(world, instant)}
    same_answer(client, str(actor.pk), NONEXISTENT_ID, url(resource), param, **params)
    same_answer(client, actor.slug, NONEXISTENT_SLUG, url(resource), param, **params)


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_filtering_by_a_hidden_parent_event_answers_as_for_no_event(client, world, fmt, instant):
    params = {"format": fmt, **as_of(world, instant)}
    event = world.draft_event
    same_answer(client, str(event.pk), NONEXISTENT_ID, url("events"), "parent", **params)
    same_answer(client, event.slug, NONEXISTENT_SLUG, url("events"), "parent", **params)


@pytest.mark.parametrize(
    ("resource", "params", "expected"),
    [
        ("affiliations", {"actor": "a"}, ["aff_ab"]),
        ("affiliations", {"actor": "b"}, ["aff_ab"]),
        ("affiliations", {"subject": "a"}, ["aff_ab"]),
        ("affiliations", {"object": "a"}, []),
        ("events", {"actor": "a"}, ["e1"]),
        ("events", {"actor": "b"}, []),
        ("events", {"parent": "e1"}, []),
        ("actors", {"place": "place"}, ["a"]),
        ("events", {"place": "place"}, ["e1", "e2"]),
    ],
)
@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
def test_filtering_by_public_objects_counts_only_public_rows(
    client, world, resource, params, expected, instant
):
    query = {k: getattr(world, v).pk for k, v in params.items()}
    for fmt in formats(resource):
        text = fetch(
            client,
            world,
            url(resource),
            page_size=1000,
            format=fmt,
            **query,
            **as_of(world, instant),
        )
        assert sorted(ids_in(text, fmt)) == sorted(getattr(world, n).pk for n in expected)


# -- transaction time --------------------------------------------------------------------------


@pytest.mark.parametrize("instant", INSTANTS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_as_of_lists_and_details_show_only_what_is_public_now_and_was_then(
    client, world, resource, instant
):
    past = as_of(world, instant)
    expected = world.public[instant][resource]
    for fmt in formats(resource):
        text = fetch(client, world, url(resource), page_size=1000, format=fmt, **past)
        assert set(ids_in(text, fmt)) == expected, (fmt, instant)
    for pk in expected:
        for fmt in formats(resource):
            fetch(client, world, url(resource, pk), format=fmt, **past)
    for pk in world.hidden_ids(resource):
        for fmt in formats(resource):
            fetch(client, world, url(resource, pk), 404, format=fmt, **past)


def test_a_withdrawn_actors_public_past_does_not_come_back(client, world):
    then = as_of(world, "unpublished_was_public")
    fetch(client, world, url("actors", world.unpublished.pk), 404, **then)
    actors = fetch_json(client, world, url("actors"), page_size=1000, **then)
    assert world.unpublished.pk not in [r["id"] for r in actors["results"]]
    e1 = fetch_json(client, world, url("events", world.e1.pk), **then)
    assert [p["actor"]["id"] for p in e1["participants"]] == [world.a.pk]
    a = fetch_json(client, world, url("actors", world.a.pk), **then)
    assert [n["name"] for n in a["names"]] == ["Alpha Alias"]
    for tie in world.hidden["affiliations"]:
        fetch(client, world, url("affiliations", tie.pk), 404, **then)


# -- history, change feed, export --------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_history_of_public_objects(client, world, resource):
    for pk in world.public["live"][resource]:
        body = fetch_json(client, world, url(resource, pk, "history/"))
        assert body["id"] == pk
        assert body["revisions"], "a public object was created publicly at least once"


@pytest.mark.parametrize("resource", HIDDEN_RESOURCES)
def test_history_of_hidden_objects_is_404_like_ids_that_never_existed(client, world, resource):
    for pk in world.hidden_ids(resource):
        fetch(client, world, url(resource, pk, "history/"), 404)
        same_answer_at(client, resource, pk, NONEXISTENT_ID, "history/")


def test_change_feed_shows_no_hidden_object(client, world):
    """Objects never public never appear; objects public for a while (the unpublished
    actor and its ties) appear, at most, as removed: id only, no content."""
    body = fetch_json(client, world, "/api/v1/changes/", limit=1000)
    entries = body["results"]
    hidden = {(r, pk) for r in RESOURCES for pk in world.hidden_ids(r)}
    for entry in entries:
        key = (entry["resource"], entry["id"])
        if key in hidden:
            assert key in world.once_public, ("never public, yet in the feed", entry)
            assert entry["action"] == "removed", entry
            assert not {"data", "changes"} & set(entry), entry
    created = {(e["resource"], e["id"]) for e in entries if e["action"] == "created"}
    live = {(r, pk) for r in RESOURCES for pk in world.public["live"][r]}
    assert live <= created, "sanity: every public object's creation is in the feed"


@pytest.fixture(scope="module")
def feed_walk(world, django_db_blocker):
    """The change feed walked from the start one change set at a time (limit=1), resuming
    from each cursor in turn: [(params, response)]. Walked once: it is slow."""
    client, pages, since = APIClient(), [], None
    with django_db_blocker.unblock():
        for _ in range(1000):
            params = {"limit": 1, **({"since": since} if since else {})}
            response = client.get("/api/v1/changes/", params)
            pages.append((params, response))
            if response.status_code != 200 or response.json()["next"] is None:
                break
            since = response.json()["cursor"]
    return pages


def test_change_feed_walked_one_change_set_at_a_time(world, feed_walk, db):
    """Resuming from each cursor in turn shows nothing hidden either."""
    for params, response in feed_walk:
        check(response, world, f"GET /api/v1/changes/ {params}")
    assert len(feed_walk) > 10


@pytest.mark.parametrize("instant", INSTANTS)
@pytest.mark.parametrize("resource", [None, *RESOURCES])
def test_export_streams_only_public_rows(client, world, resource, instant):
    params = {**as_of(world, instant), **({"resource": resource} if resource else {})}
    text = fetch(client, world, "/api/v1/export/", **params)
    rows, _ = read_export(text.encode())
    exported = {(row["resource"], row["id"]) for row in rows}
    assert len(exported) == len(rows)
    expected = {
        (r, pk) for r in ([resource] if resource else RESOURCES) for pk in world.public[instant][r]
    }
    assert exported == expected


@pytest.mark.parametrize("resource", RESOURCES)
def test_streamed_live_export_shows_only_public_rows(world, db, resource, monkeypatch):
    """The live export's streams (GET /export/ reads them in its own snapshot, outside a
    test's transaction), in batches of 2 parents: exactly the public objects, nothing
    hidden in them (names, participants, citations of hidden claims)."""
    from sahel.read import export
    from sahel.read.resources import projections

    monkeypatch.setattr(export, "STREAM_BATCH", 2)
    projection = projections()[resource]
    text = b"".join(export.lines(resource, projection)).decode()
    assert_no_leak(text, world.forbidden(), f"the streamed export of {resource}")
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert ids == sorted(world.public["live"][resource])


@pytest.mark.parametrize("path", ["/", "/healthz/", "/api/v1/", "/api/v1/schema/"])
def test_other_public_pages(client, world, path):
    fetch(client, world, path)


# -- metadata side channels --------------------------------------------------------------------
#
# Not content, but still an oracle for hidden activity: a hidden-only change set (a draft
# created or edited) should leave no trace a member of the public can observe.


def test_change_feed_cursors_do_not_reveal_hidden_change_sets(world, feed_walk, db):
    """Walking the feed one change set at a time must not stop on hidden-only change sets:
    an empty page whose cursor names a hidden change set (its id and commit time, base64)
    tells the public when, and how often, editors worked on drafts."""
    hidden = hidden_only_change_sets(world)
    assert len(hidden) == 3
    revealed = set()
    for _, response in feed_walk:
        body = response.json()
        if body["next"] is not None and not body["results"]:
            revealed.add(change_set_of_cursor(body["cursor"]))
    assert not revealed & hidden, (
        f"{len(revealed & hidden)} of {len(hidden)} known hidden-only change sets are handed "
        f"out as cursors of empty feed pages ({len(revealed)} empty pages in all)"
    )


def test_hidden_only_edit_does_not_change_public_cache_validators(client, world):
    """An ETag / Last-Modified computed over hidden rows lets anyone poll for, and time to
    the second, editors' work on drafts."""
    paths = [
        url("actors"),
        url("actors", world.a.pk),
        url("affiliations"),
        url("events"),
        url("events", world.e1.pk),
        url("events", world.e1.pk, "history/"),
    ]
    first = {path: client.get(path) for path in paths}
    assert all(r.status_code == 200 for r in first.values())
    time.sleep(1.1)  # Last-Modified has one-second resolution
    services.update(
        world.draft,
        user=world.writer,
        reason="hidden-only edit",
        expected_version=Actor.objects.get(pk=world.draft.pk).version,
        description="edited again",
    )
    problems = []
    for path, before in first.items():
        if before.get("ETag"):
            after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
            if after.status_code != 304:
                problems.append(f"{path}: ETag {before['ETag']} -> {after.get('ETag')}")
        else:
            after = client.get(path)
        if after.get("Last-Modified") not in (None, before.get("Last-Modified")):
            problems.append(
                f"{path}: Last-Modified {before.get('Last-Modified')} -> {after['Last-Modified']}"
            )
    assert not problems, "a hidden-only edit is observable:\n" + "\n".join(problems)


@pytest.mark.parametrize("instant", INSTANTS)
def test_ftm_and_popolo_exports_show_only_public_objects(client, world, instant):
    """The FtM and Popolo exports (built from the export's items) carry nothing hidden:
    no marker in their bodies, and exactly the public objects' ids."""
    params = as_of(world, instant)
    ftm_lines = fetch(client, world, "/api/v1/export/", format="ftm", **params)
    entities = [json.loads(line) for line in ftm_lines.splitlines()]
    popolo = json.loads(fetch(client, world, "/api/v1/export/", format="popolo", **params))
    public = world.public[instant]
    for resource in ("actors", "affiliations", "events", "sources"):
        prefix = f"sahel-{resource}-"
        ids = {int(e["id"].removeprefix(prefix)) for e in entities if e["id"].startswith(prefix)}
        assert ids == set(public[resource]), (resource, instant)
    actors = {item["id"] for key in ("persons", "organizations") for item in popolo[key]}
    assert actors == {f"sahel-actors-{pk}" for pk in public["actors"]}
    assert {item["id"] for item in popolo["events"]} == {
        f"sahel-events-{pk}" for pk in public["events"]
    }
    assert {item["id"] for item in popolo["areas"]} == {
        f"sahel-places-{pk}" for pk in public["places"]
    }
    members = {item["id"] for item in popolo["memberships"]}
    assert members <= {f"sahel-affiliations-{pk}" for pk in public["affiliations"]}


@pytest.mark.parametrize("instant", INSTANTS)
def test_flat_csv_tables_show_only_public_rows(client, world, instant):
    """Every table's rows (read in one pass, as a release reads them) carry no marker and
    the resource tables exactly the public ids; the endpoint serves them."""
    from sahel.read import tables
    from sahel.read.resources import projections

    params = as_of(world, instant)
    found = {}
    for table, row in tables.rows(projections(), world.instants.get(instant)):
        found.setdefault(table, []).append(row)
    assert_no_leak(json.dumps(found, default=str), world.forbidden(), f"the tables {params}")
    for resource in RESOURCES:
        ids = {row["id"] for row in found.get(resource, [])}
        assert ids == set(world.public[instant][resource]), resource
    for table in ("actors", "citations"):
        text = fetch(client, world, "/api/v1/export/", format="csv", table=table, **params)
        served = {int(row["id"]) for row in csv.DictReader(io.StringIO(text))}
        assert served == {row["id"] for row in found.get(table, [])}, table


def test_a_release_shows_nothing_hidden(world, db, tmp_path):
    """Every file of a release (the formats above, the manifest, the delta, the citation)."""
    from django.core.management import call_command

    call_command("release", str(tmp_path), stdout=io.StringIO())
    [folder] = tmp_path.glob("sahel-*")
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert len(files) > 15
    for path in files:
        assert_no_leak(path.read_text(), world.forbidden(), f"the release's {path.name}")
    delta = json.loads((folder / "delta.json").read_text())
    for resource in RESOURCES:
        assert set(delta["resources"][resource]["added"]) == set(world.public["live"][resource])
