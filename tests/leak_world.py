"""The leak world: a small database in which every hidden thing carries a marker, shared
by the REST and GraphQL leak suites (tests/api/test_leaks.py, tests/graphql/test_leaks.py).

`world` builds, once per module, a small database in which every hidden thing carries a
distinctive marker (all markers contain "leakmark") in every text field — names, slugs,
descriptions, editorial notes, aliases, identifiers, citation quotes/notes/locators, the
reasons of hidden-only change sets, the editors' usernames and emails — and is tied to
published objects. The suites then crawl every public surface and assert that no marker
appears and that counts and ids are exactly the public ones.
"""

import base64
import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from actors.models import Actor, Identifier
from sahel.core import services
from tests.factories import Make

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


SEARCHED_NAMES = [
    *(
        f"{label}-{part}"
        for label in ("draft", "withdrawn", "deleted", "unpublished")
        for part in ("name", "alias", "draft-alias")
    ),
    "public-actor-draft-name",
    "public-actor-later-withdrawn-name",
]


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


def hidden_only_change_sets(world) -> set[uuid.UUID]:
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


def change_set_of_cursor(cursor: str) -> uuid.UUID:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    return uuid.UUID(raw.split("|")[1])
