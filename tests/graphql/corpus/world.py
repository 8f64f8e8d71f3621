"""The data world the parity corpus is asked against: the curated dataset, hidden claims
tied to its public objects, and two sets of edits at known instants, so that `asOf` answers
differ from live ones.

Everything added here is test data, marked as such (slugs `corpus-...`, titles "Corpus
..."); it is written through `sahel.core.services`, like everything else. Objects are found by
slug, never by id: ids depend on the database and on what ran before.

- before: the curated dataset and the world's first state (one change set);
- middle: after a first set of edits (one change set);
- live: after a second set (two change sets).

Few change sets, because `history` and `changes` cost in proportion to them.

The hidden things: a draft actor with a published name, published ties to it and a
published part in a published event; a draft tie and a withdrawn tie between public actors;
a draft event with a published sub-event and a published participant; a draft part of a
public actor in a public event; a draft name and a draft tie with citations (draft citation
targets); a name published then withdrawn; a draft actor deleted.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from sahel.core import services
from sahel.core.history import change_set
from tests.curated import load_curated
from tests.factories import Make

INSTANTS = ("before", "middle")  # the past instants the corpus is asked `asOf`


@dataclass
class World:
    instants: dict[str, datetime.datetime] = field(default_factory=dict)
    # (resource, slug) -> id, for every object ever written (deleted ones included)
    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    # instant name -> a `changes` cursor: the last change set committed by then
    cursors: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def corpus_world(django_db_setup, django_db_blocker) -> World:
    """The world, built once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_curated()
        world = build_world()
        # Check the deferred foreign keys of everything written now, once: else each test,
        # rolled back to its savepoint, checks them all again as it ends (PostgreSQL).
        connection.check_constraints()
        yield world
        transaction.set_rollback(True)


def build_world() -> World:
    from actors.models import Actor, Identifier
    from affiliations.models import Affiliation, AffiliationType
    from events.models import Event, EventType, ParticipationRole
    from places.models import Place
    from sources.models import Source

    user = get_user_model().objects.create_user("corpus-editor")
    make = Make(user)
    world = World()

    def get(model, slug):
        return model.objects.get(slug=slug)

    def edit(obj, reason, **changes):
        obj = type(obj).objects.get(pk=obj.pk)
        return services.update(
            obj, user=user, reason=reason, expected_version=obj.version, **changes
        )

    def set_status(obj, status, reason):
        obj = type(obj).objects.get(pk=obj.pk)
        action = services.publish if status == "published" else services.withdraw
        return action(obj, user=user, reason=reason, expected_version=obj.version)

    jnim, aqim = get(Actor, "jnim"), get(Actor, "aqim")
    ghali = get(Actor, "iyad-ag-ghali")
    timbuktu, mali = get(Place, "timbuktu"), get(Place, "mali")
    leader_of, member_of = get(AffiliationType, "leader-of"), get(AffiliationType, "member-of")
    allied_with = get(AffiliationType, "allied-with")
    meeting, attack = get(EventType, "meeting"), get(EventType, "armed-attack")
    participant, target = get(ParticipationRole, "participant"), get(ParticipationRole, "target")

    # -- the first state ----------------------------------------------------------------
    with change_set(user, "Corpus: the first state"):
        source = make.source(slug="corpus-source", title="Corpus test source", reliability="C")
        place = make.place(
            slug="corpus-place",
            name="Corpus Place",
            kind="area",
            parent=mali,
            latitude="16.5",
            longitude="-2.5",
        )
        draft_actor = make.actor(
            slug="corpus-draft-actor",
            name="Corpus Draft Actor",
            kind="person",
            area=timbuktu,
            status="draft",
        )
        make.name(draft_actor, "Corpus Draft Actor Alias", kind="alias", status="published")
        make.citation(draft_actor, source=source, quote="A draft actor's quote.", locator="p. 1")
        deleted_actor = make.actor(
            slug="corpus-deleted-actor", name="Corpus Deleted", status="draft"
        )
        for slug, subject, obj, type_ in (
            ("corpus-draft-actor--member-of--jnim", draft_actor, jnim, member_of),
            ("aqim--leader-of--corpus-draft-actor", aqim, draft_actor, leader_of),
        ):
            make.affiliation(subject, obj, type=type_, slug=slug, start="2017", status="published")
        draft_tie = make.affiliation(
            aqim, jnim, type=allied_with, slug="corpus-draft-tie", start="2017", status="draft"
        )
        make.citation(draft_tie, source=source, quote="A draft tie's quote.")
        make.affiliation(
            ghali,
            jnim,
            type=member_of,
            slug="corpus-withdrawn-tie",
            start="2018",
            status="published",
        )
        ending_tie = make.affiliation(
            ghali,
            aqim,
            type=allied_with,
            slug="corpus-ending-tie",
            start="2012",
            certainty="possible",
            status="published",
        )
        make.citation(ending_tie, source=source, quote="A tie's quote.", locator="p. 2")
        draft_event = make.event(
            slug="corpus-draft-event",
            title="Corpus Draft Event",
            type=meeting,
            date="2019",
            status="draft",
        )
        sub_event = make.event(
            slug="corpus-sub-event",
            title="Corpus Sub-event",
            type=attack,
            date="2019-05",
            place=timbuktu,
            parent=draft_event,
            status="published",
        )
        make.participation(draft_event, jnim, role=participant, status="published")
        event = make.event(
            slug="corpus-event",
            title="Corpus Event",
            type=attack,
            date="2019-03",
            place=place,
            fatalities=3,
            description="Corpus test event.",
            status="published",
        )
        part = make.participation(
            event, jnim, role=participant, note="Corpus part.", status="published"
        )
        make.citation(part, source=source, quote="A part's quote.", stance="supports")
        make.participation(event, draft_actor, role=target, status="published")
        draft_part = make.participation(event, aqim, role=target, status="draft")
        make.citation(draft_part, source=source, quote="A draft part's quote.")
        alias = make.name(
            jnim, "Corpus JNIM Alias", kind="alias", language="fr", status="published"
        )
        draft_name = make.name(jnim, "Corpus Draft Name", kind="variant", status="draft")
        make.citation(draft_name, source=source, quote="A draft name's quote.")
        later_name = make.name(aqim, "Corpus Later Name", kind="variant", status="draft")
    world.instants["before"] = timezone.now()

    # -- the first edits ----------------------------------------------------------------
    with change_set(user, "Corpus: the first edits"):
        edit(aqim, "Corpus: a new description", description="Corpus: AQIM described anew.")
        edit(ending_tie, "Corpus: the tie ended", end="2019")
        set_status(
            Affiliation.objects.get(slug="corpus-withdrawn-tie"), "withdrawn", "Corpus: retracted"
        )
        set_status(later_name, "published", "Corpus: name reviewed")
        edit(event, "Corpus: new toll", fatalities=5, title="Corpus Event (revised)")
        make.citation(jnim, source=source, quote="A later quote on JNIM.", locator="p. 3")
        services.create(
            Identifier,
            user=user,
            reason="Corpus: a crosswalk",
            actor=jnim,
            scheme="other",
            value="CORPUS-1",
            note="Corpus identifier.",
        )
        edit(place, "Corpus: place moved", parent=get(Place, "timbuktu-region"), precision=2)
    world.instants["middle"] = timezone.now()

    # -- the second edits, in two change sets ------------------------------------------
    with change_set(user, "Corpus: the second edits"):
        edit(jnim, "Corpus: a new description", description="Corpus: JNIM described anew.")
        set_status(alias, "withdrawn", "Corpus: alias withdrawn")
        late = make.actor(
            slug="corpus-late-actor",
            name="Corpus Late Actor",
            kind="person",
            begin="1980",
            status="published",
        )
        make.name(late, "Corpus Late Name", kind="alias", status="published")
        make.affiliation(
            late,
            jnim,
            type=member_of,
            slug="corpus-late-actor--member-of--jnim",
            start="2020",
            role_title="Corpus role",
            status="published",
        )
    with change_set(user, "Corpus: more second edits"):
        services.delete(
            deleted_actor,
            user=user,
            reason="Corpus: a draft deleted",
            expected_version=Actor.objects.get(pk=deleted_actor.pk).version,
        )
        edit(sub_event, "Corpus: date narrowed", date="2019-05-12")
        make.source(slug="corpus-late-source", title="Corpus late source", kind="report")
        edit(place, "Corpus: coordinates refined", longitude="-2.75")

    # -- what the corpus refers to by name ----------------------------------------------
    from sahel.core.models import ChangeSetLog
    from sahel.read import feed

    for resource, model in (
        ("actors", Actor),
        ("affiliations", Affiliation),
        ("events", Event),
        ("places", Place),
        ("sources", Source),
    ):
        for value, pk in model.history.values_list("slug", "id").distinct():
            world.ids[(resource, value)] = pk
    for name, instant in world.instants.items():
        last = ChangeSetLog.objects.filter(time__lte=instant).order_by("-seq").first()
        world.cursors[name] = feed.encode_cursor((last.time, last.change_set))
    return world
