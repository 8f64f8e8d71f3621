"""Adversarial leak tests for the public REST API.

The rule (SPEC §1 "Publication and visibility"): the anonymous public sees only published
claims. A draft or withdrawn actor appears nowhere public — not in lists, details, search,
nested relations of published objects, counts, exports, history or the change feed — and its
id answers 404. Editorial notes and editor account names/emails are never public. Filters
must not act as an oracle: `?actor=<hidden id or slug>` answers exactly as for an id that
never existed.

`world` builds, once per module, a small database in which every hidden thing carries a
distinctive marker (all markers contain "leakmark") in every text field — names, slugs,
descriptions, editorial notes, aliases, identifiers, citation quotes/notes/locators, the
reasons of hidden-only change sets, the editors' usernames and emails — and is tied to
published objects. The tests then crawl every public endpoint, in every format, live and
`as_of` several instants, and assert that no marker appears and that counts and ids are
exactly the public ones.
"""

import base64
import csv
import io
import json
import time
import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation
from events.models import Event
from sahel.core import services
from tests.conftest import Make

pytestmark = pytest.mark.django_db

PREFIX = "leakmark"  # every marker contains it, so any occurrence anywhere is a leak
ALWAYS_FORBIDDEN = (PREFIX, "editorial_note", "history_user", "password")
RESOURCES = ("actors", "affiliations", "events", "places", "sources")
GEO_RESOURCES = ("events", "places")
HIDDEN_RESOURCES = ("actors", "affiliations", "events")  # the ones the world hides rows of
# No future instant: an as_of in the future is refused (its answer could still change).
INSTANTS = ("start", "baseline", "unpublished_was_public", "after", "live")
NONEXISTENT_ID = "987654321"
NONEXISTENT_SLUG = "no-such-thing-ever"


def formats(resource: str) -> tuple[str, ...]:
    return ("json", "csv", "geojson") if resource in GEO_RESOURCES else ("json", "csv")


LIST_CASES = [(r, f) for r in RESOURCES for f in formats(r)]


# -- the hidden world --------------------------------------------------------------------------


class World(SimpleNamespace):
    def mark(self, label: str) -> str:
        """A marker for a text field; registered so a leak report can name it."""
        marker = f"Leakmark{label.replace('-', '')}"
        self.markers.append(marker)
        return marker

    def slug(self, label: str) -> str:
        marker = f"{PREFIX}-{label}"
        self.markers.append(marker)
        return marker

    def forbidden(self) -> list[str]:
        return [*ALWAYS_FORBIDDEN, *self.markers]

    def hidden_ids(self, resource: str) -> list[int]:
        return [obj.pk for obj in self.hidden.get(resource, [])]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _user(username: str):
    # No password: nothing to hash, and nobody can log in as them.
    return get_user_model().objects.create_user(username, f"{username}@{PREFIX}-mail.example")


def _build_world() -> World:
    w = World(markers=[], instants={}, hidden={r: [] for r in RESOURCES}, public={})
    w.writer = _user(f"{PREFIX}-writer")
    w.publisher = _user(f"{PREFIX}-publisher")
    w.markers += [w.writer.username, w.writer.email, w.publisher.username, w.publisher.email]
    make = Make(w.writer)
    w.instants["start"] = timezone.now()

    # Public baseline, written with plain reasons; its editorial notes carry markers.
    w.place = make.place(name="Plainville", latitude="16.27000", longitude="-0.04000", precision=1)
    w.source = make.source(title="A plain report")  # no text: quotes are not checked
    w.aff_type = make.affiliation_type()
    w.event_type = make.event_type()
    w.role = make.role()
    w.a = make.actor(
        name="Public Alpha",
        status="published",
        area=w.place,
        description="A plain description.",
        editorial_note=w.mark("public-actor-note"),
    )
    w.b = make.actor(name="Public Bravo", status="published", kind="person")
    make.name(w.a, "Alpha Alias", status="published", editorial_note=w.mark("public-name-note"))
    services.create(
        Identifier, user=w.writer, reason="Add a crosswalk", actor=w.a, scheme="other", value="X1"
    )
    make.citation(w.a, source=w.source, quote="A plain quote.", locator="p. 1")
    w.aff_ab = make.affiliation(
        w.a,
        w.b,
        type=w.aff_type,
        status="published",
        role_title="commander",
        start="2015",
        editorial_note=w.mark("public-affiliation-note"),
    )
    make.citation(w.aff_ab, source=w.source, quote="Another plain quote.")
    w.e1 = make.event(
        type=w.event_type,
        title="Plain attack",
        date="2018-09",
        place=w.place,
        status="published",
        editorial_note=w.mark("public-event-note"),
    )
    part = make.participation(
        w.e1, w.a, role=w.role, status="published", editorial_note=w.mark("public-part-note")
    )
    make.citation(part, source=w.source, quote="A plain participation quote.")
    w.instants["baseline"] = timezone.now()
    baseline = {
        "actors": {w.a.pk, w.b.pk},
        "affiliations": {w.aff_ab.pk},
        "events": {w.e1.pk},
        "places": {w.place.pk},
        "sources": {w.source.pk},
    }

    # Hidden actors tied to published objects.
    w.draft = _hidden_actor(w, make, "draft", "draft")
    w.withdrawn = _hidden_actor(w, make, "withdrawn", "withdrawn")
    # A draft deleted with everything tied to it: its past must stay hidden too.
    w.deleted = _hidden_actor(w, make, "deleted", "draft")
    services.delete(
        w.deleted,
        user=w.writer,
        reason=w.mark("deleted-reason"),
        expected_version=Actor.objects.get(pk=w.deleted.pk).version,
    )

    # A draft event with markers, parent of a published event.
    w.draft_event = make.event(
        type=w.event_type,
        slug=w.slug("draft-event-slug"),
        title=w.mark("draft-event-title"),
        description=w.mark("draft-event-description"),
        editorial_note=w.mark("draft-event-note"),
        date="2017",
        place=w.place,
        status="draft",
        reason=w.mark("draft-event-reason"),
    )
    _cite(w, make, w.draft_event, "draft-event")
    in_draft_event = make.participation(
        w.draft_event,
        w.a,
        role=w.role,
        status="published",
        note=w.mark("draft-event-part-note"),
        reason=w.mark("draft-event-part-reason"),
    )
    _cite(w, make, in_draft_event, "draft-event-part")
    w.hidden["events"].append(w.draft_event)
    w.e2 = make.event(
        type=w.event_type,
        title="Plain sub-event",
        date="2017-05",
        place=w.place,
        parent=w.draft_event,
        status="published",
        editorial_note=w.mark("sub-event-note"),
    )

    # Draft claims attached to published actors and events.
    draft_name = make.name(
        w.a,
        w.mark("public-actor-draft-name"),
        status="draft",
        editorial_note=w.mark("public-actor-draft-name-note"),
        reason=w.mark("public-actor-draft-name-reason"),
    )
    _cite(w, make, draft_name, "public-actor-draft-name")
    draft_part = make.participation(
        w.e2,
        w.a,
        role=w.role,
        status="draft",
        note=w.mark("draft-part-note"),
        editorial_note=w.mark("draft-part-editorial"),
        reason=w.mark("draft-part-reason"),
    )
    _cite(w, make, draft_part, "draft-part")
    for label, status, subject, obj in (
        ("draft-aff-ab", "draft", w.a, w.b),
        ("withdrawn-aff-ba", "withdrawn", w.b, w.a),
    ):
        tie = make.affiliation(
            subject,
            obj,
            type=w.aff_type,
            slug=w.slug(label),
            role_title=w.mark(f"{label}-role"),
            editorial_note=w.mark(f"{label}-note"),
            status=status,
            reason=w.mark(f"{label}-reason"),
        )
        _cite(w, make, tie, label)
        w.hidden["affiliations"].append(tie)

    # An actor published, then withdrawn: its public past must not come back via as_of.
    first_tie = len(w.hidden["affiliations"])
    w.unpublished = _hidden_actor(w, make, "unpublished", "draft")
    # Public for a while: the feed may say they were removed (id only, no content).
    w.once_public = {("actors", w.unpublished.pk)} | {
        ("affiliations", tie.pk) for tie in w.hidden["affiliations"][first_tie:]
    }
    w.later_withdrawn_name = make.name(w.a, w.mark("public-actor-later-withdrawn-name"))
    w.later_withdrawn_name = services.publish(
        w.later_withdrawn_name,
        user=w.publisher,
        reason="Name reviewed",
        expected_version=w.later_withdrawn_name.version,
    )
    w.unpublished = services.publish(
        w.unpublished,
        user=w.publisher,
        reason=w.mark("unpublished-publish-reason"),
        expected_version=w.unpublished.version,
    )
    w.instants["unpublished_was_public"] = timezone.now()
    for obj in (w.unpublished, w.later_withdrawn_name):
        services.withdraw(obj, user=w.publisher, reason="Withdrawn", expected_version=obj.version)
    w.instants["after"] = timezone.now()

    later = {**baseline, "events": {w.e1.pk, w.e2.pk}}
    w.public = {
        "start": {r: set() for r in RESOURCES},
        "baseline": baseline,
        "unpublished_was_public": later,
        "after": later,
        "live": later,
    }
    w.probes = {
        "draft": w.draft,
        "withdrawn": w.withdrawn,
        "deleted": w.deleted,
        "unpublished": w.unpublished,
    }
    return w


def _hidden_actor(w: World, make: Make, label: str, status: str) -> Actor:
    """An actor with markers in every field, and published claims tying it to published
    actors and events: names, an identifier, citations, affiliations, a participation."""
    reason = w.mark(f"{label}-reason")
    actor = make.actor(
        slug=w.slug(f"{label}-actor"),
        name=w.mark(f"{label}-name"),
        description=w.mark(f"{label}-description"),
        editorial_note=w.mark(f"{label}-note"),
        kind="person",
        begin="1970",
        area=w.place,
        status=status,
        reason=reason,
    )
    _cite(w, make, actor, f"{label}-actor")
    for suffix, name_status in (("alias", "published"), ("draft-alias", "draft")):
        name = make.name(
            actor,
            w.mark(f"{label}-{suffix}"),
            kind="alias",
            language="fr",
            status=name_status,
            editorial_note=w.mark(f"{label}-{suffix}-note"),
            reason=reason,
        )
        _cite(w, make, name, f"{label}-{suffix}")
    services.create(
        Identifier,
        user=w.writer,
        reason=reason,
        actor=actor,
        scheme="other",
        value=w.mark(f"{label}-identifier"),
        note=w.mark(f"{label}-identifier-note"),
    )
    for role, subject, obj in (("subject", actor, w.a), ("object", w.b, actor)):
        tie = make.affiliation(
            subject,
            obj,
            type=w.aff_type,
            slug=w.slug(f"{label}-as-{role}"),
            role_title=w.mark(f"{label}-as-{role}-role"),
            editorial_note=w.mark(f"{label}-as-{role}-note"),
            start="2016",
            status="published",
            reason=reason,
        )
        _cite(w, make, tie, f"{label}-as-{role}")
        w.hidden["affiliations"].append(tie)
    part = make.participation(
        w.e1,
        actor,
        role=w.role,
        note=w.mark(f"{label}-part-note"),
        editorial_note=w.mark(f"{label}-part-editorial"),
        status="published",
        reason=reason,
    )
    _cite(w, make, part, f"{label}-part")
    w.hidden["actors"].append(actor)
    return actor


def _cite(w: World, make: Make, target, label: str) -> None:
    make.citation(
        target,
        source=w.source,
        quote=w.mark(f"{label}-quote"),
        note=w.mark(f"{label}-citation-note"),
        locator=w.mark(f"{label}-loc"),
        reason=w.mark(f"{label}-citation-reason"),
    )


# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def client(world, db):
    return APIClient()


@pytest.fixture
def feed_now():
    """The feed shows a change set as soon as it commits (no lag to wait for)."""


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def assert_no_leak(text: str, forbidden, where: str) -> None:
    """No forbidden string (markers, field names of internals) anywhere in `text`."""
    lowered = text.lower()
    found = [m for m in forbidden if m.lower() in lowered]
    if found:
        at = lowered.find(found[0].lower())
        context = text[max(0, at - 200) : at + 200]
        pytest.fail(f"{where} leaks {found!r}; around the first: ...{context}...")


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


def same_answer(client, probe: str, control: str, path: str, param: str, **params):
    """The answer to `param=probe` is the answer to `param=control`, the value aside."""
    answers = []
    for value in (probe, control):
        response = client.get(path, {param: value, **params})
        text = body_text(response).replace(value, "<value>")
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
        text = body_text(response).replace(value, "<value>")
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


SEARCHED_NAMES = [
    *(
        f"{label}-{part}"
        for label in ("draft", "withdrawn", "deleted", "unpublished")
        for part in ("name", "alias", "draft-alias")
    ),
    "public-actor-draft-name",
    "public-actor-later-withdrawn-name",
]


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


def test_change_feed_shows_no_hidden_object(client, world, feed_now):
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
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
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


def _hidden_only_change_sets(world) -> set[uuid.UUID]:
    """Change sets that wrote hidden rows only: the creations of the draft and withdrawn
    actors and of the draft event."""
    found = set()
    for obj in (world.draft, world.withdrawn, world.draft_event):
        found |= set(
            type(obj)
            .history.filter(id=obj.pk, history_type="+")
            .values_list("change_set", flat=True)
        )
    return found


def _change_set_of_cursor(cursor: str) -> uuid.UUID:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    return uuid.UUID(raw.split("|")[1])


def test_change_feed_cursors_do_not_reveal_hidden_change_sets(world, feed_walk, db):
    """Walking the feed one change set at a time must not stop on hidden-only change sets:
    an empty page whose cursor names a hidden change set (its id and commit time, base64)
    tells the public when, and how often, editors worked on drafts."""
    hidden = _hidden_only_change_sets(world)
    assert len(hidden) == 3
    revealed = set()
    for _, response in feed_walk:
        body = response.json()
        if body["next"] is not None and not body["results"]:
            revealed.add(_change_set_of_cursor(body["cursor"]))
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
