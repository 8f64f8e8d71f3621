"""A feed page reads all its change sets together (issue 7): the entries do not depend on
how the feed is paged, and a page costs the same number of queries at any `limit`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from sahel.core import services

pytestmark = pytest.mark.django_db


def get(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def walk(client, limit: int) -> list[dict]:
    entries, cursor = [], None
    while True:
        page = get(client, limit=limit, **({"since": cursor} if cursor else {}))
        entries += page["results"]
        if page["next"] is None:
            return entries
        cursor = page["cursor"]


@pytest.fixture
def history(make, editor):
    """Change sets of every kind: actors with names and citations, an event with
    participants, edits, a withdrawal (of an actor taking part in the event) and draft
    work, created and edited, that the public never saw."""

    def edit(obj, reason, **changes):
        return services.update(
            obj, user=editor, reason=reason, expected_version=obj.version, **changes
        )

    # Vocabulary first, and the actor withdrawn later after the first ten public change
    # sets: a term written after the event, or this actor's creation (hidden now, with its
    # participation), is a change set without public effect, which costs a page that
    # passes over it another batch (see feed.FEED_LOOKAHEAD).
    source = make.source(title="Report")
    event_type, role = make.event_type(), make.role()
    place = make.place(name="Gao")
    first = make.actor(name="First", status="published", area=place)
    make.name(first, "Premier", status="published")
    make.citation(first, source, locator="p. 1")
    event = make.event(title="Attack", status="published", place=place, type=event_type)
    make.participation(event, first, role=role, status="published")
    make.citation(event, source, locator="p. 2")
    draft = make.actor(name="Draft", status="draft")
    first = edit(first, "better description", description="An armed group.")
    draft = edit(draft, "draft only", description="not yet")
    edit(place, "renamed", name="Gao town")
    second = make.actor(name="Second", status="published")
    make.participation(event, second, role=role, status="published")
    services.withdraw(second, user=editor, reason="doubtful", expected_version=second.version)
    edit(event, "retitled", title="Attack on Gao")
    return {"first": first, "second": second, "event": event, "draft": draft, "place": place}


def test_paging_does_not_change_the_entries(history):
    client = APIClient()
    whole = get(client, limit=1000)["results"]
    assert walk(client, 1) == whole
    assert history["draft"].pk not in {e["id"] for e in whole if e["resource"] == "actors"}
    assert not [entry for entry in whole if "draft" in entry.get("reason", "")]
    summary = [
        (
            entry["resource"],
            entry["action"],
            entry["id"],
            entry.get("reason"),
            *entry.get("changes", ()),
        )
        for entry in whole
        if entry["resource"] in ("actors", "events")
    ]
    first, second, event = history["first"].pk, history["second"].pk, history["event"].pk
    assert summary == [
        ("actors", "created", first, "test data"),
        ("actors", "updated", first, "test data", "names"),
        ("actors", "updated", first, "test data", "citations"),
        ("events", "created", event, "test data"),
        ("events", "updated", event, "test data", "participants"),
        ("events", "updated", event, "test data", "citations"),
        ("actors", "updated", first, "better description", "description"),
        ("actors", "updated", first, "renamed", "area"),
        ("events", "updated", event, "renamed", "place"),
        # The second actor is withdrawn now: hidden from the past too (its creation, its
        # participation); only that it was removed is told, without reason or content.
        ("actors", "removed", second, None),
        ("events", "updated", event, "retitled", "title"),
    ]


def test_a_source_edit_reaches_what_cites_it_then_not_what_cites_it_later(history, make, editor):
    """Owners are counted as of the change set: the objects citing a source when it is
    edited are updated; an object that cites it only later is not an owner of the edit."""
    source = history["first"].citations.get().source
    services.update(
        source, user=editor, reason="source retitled", expected_version=source.version,
        title="Report (revised)",
    )  # fmt: skip
    later = make.actor(name="Later", status="published")
    make.citation(later, source, locator="p. 9")
    entries = walk(APIClient(), 3)
    edit = {(e["resource"], e["id"]) for e in entries if e.get("reason") == "source retitled"}
    assert edit >= {("actors", history["first"].pk), ("events", history["event"].pk)}
    assert ("sources", source.pk) in edit
    # The feed could not show `later` in either case (it did not exist then): what is
    # checked is that it is not compared at all, i.e. not an owner of the edit.
    from sahel.read import changes
    from sahel.read.resources import projections

    [retitled] = [c for c in changes.change_sets_after(0, 1000) if c.reason == "source retitled"]
    owners = changes.objects_touched([retitled], projections())[retitled.id]
    assert history["first"].pk in owners["actors"]
    assert later.pk not in owners["actors"]


def test_a_page_costs_the_same_queries_whatever_its_change_sets(history, make, editor):
    """The queries of a page are one per resource, level and kind of read for all of its
    change sets together: the whole feed costs the same before and after the same kinds of
    change happen again (twice the change sets), and a one-change-set page no more."""
    client = APIClient()
    get(client, limit=1)  # content types are cached after the first request

    def count(**params):
        with CaptureQueriesContext(connection) as queries:
            page = get(client, **params)
        return len(queries), {entry["cursor"] for entry in page["results"]}

    one, first_sets = count(limit=1)
    before, sets_before = count(limit=1000)
    # The same kinds of change again: an actor with a name and a citation, an event with
    # participants, edits, a withdrawal.
    source, place = make.source(title="Second report"), history["place"]
    third = make.actor(name="Third", status="published", area=place)
    make.name(third, "Troisième", status="published")
    make.citation(third, source, locator="p. 3")
    event = make.event(title="Ambush", status="published", place=place)
    make.participation(event, third, status="published")
    make.citation(event, source, locator="p. 4")
    services.update(
        third, user=editor, reason="described", expected_version=third.version, description="x"
    )
    fourth = make.actor(name="Fourth", status="published")
    make.participation(event, fourth, status="published")
    services.withdraw(fourth, user=editor, reason="doubtful", expected_version=fourth.version)
    after, sets_after = count(limit=1000)

    assert len(first_sets) == 1
    assert len(sets_after) > len(sets_before) + 5
    assert one <= before == after, (one, before, after)
