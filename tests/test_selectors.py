"""The read side: public visibility, transaction time (as_of) and valid time (valid_at)."""

import datetime

import pytest
from django.utils import timezone

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation
from events.models import Event, Participation
from sahel.core import selectors, services
from sources.models import Citation

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def graph(make):
    """A published tie between two published actors, and one to a draft actor."""
    jnim = make.actor(name="JNIM", status="published")
    ghali = make.actor(name="Iyad ag Ghali", kind="person", status="published")
    hidden = make.actor(name="DRAFT-MARKER actor", status="draft")
    withdrawn = make.actor(name="WITHDRAWN-MARKER actor", status="withdrawn")
    leads = make.affiliation(ghali, jnim, status="published", start="2017")
    to_draft = make.affiliation(hidden, jnim, status="published")
    to_withdrawn = make.affiliation(jnim, withdrawn, status="published")
    return locals()


def test_public_hides_drafts_and_withdrawn(graph):
    assert set(selectors.public(Actor)) == {graph["jnim"], graph["ghali"]}


def test_published_affiliation_to_a_draft_actor_is_not_public(graph):
    assert list(selectors.public(Affiliation)) == [graph["leads"]]


def test_names_identifiers_participations_and_citations_follow_their_actor(graph, make, editor):
    hidden, jnim = graph["hidden"], graph["jnim"]
    hidden_name = make.name(hidden, "DRAFT-MARKER name", status="published")
    public_name = make.name(jnim, "Jama‘at Nusrat al-Islam wa-l-Muslimin", status="published")
    draft_name = make.name(jnim, "DRAFT-MARKER alias", status="draft")
    services.create(Identifier, user=editor, reason="t", actor=hidden, scheme="other", value="x")
    event = make.event(status="published", date="2018-09")
    in_hidden = make.participation(event, hidden, status="published")
    in_public = make.participation(event, jnim, status="published")
    draft_event = make.event(status="draft")
    in_draft_event = make.participation(draft_event, jnim, status="published")
    cites = {
        obj: make.citation(obj, quote="")
        for obj in (
            hidden,
            jnim,
            hidden_name,
            public_name,
            in_hidden,
            in_public,
            draft_event,
            event,
            graph["to_draft"],
            graph["leads"],
        )
    }

    assert list(selectors.public(Name)) == [public_name]
    assert draft_name not in selectors.public(Name)
    assert not selectors.public(Identifier).exists()
    assert list(selectors.public(Participation)) == [in_public]
    assert in_draft_event not in selectors.public(Participation)
    assert set(selectors.public(Citation)) == {
        cites[jnim],
        cites[public_name],
        cites[in_public],
        cites[event],
        cites[graph["leads"]],
    }
    # The citations of objects read as public (the caller's part: it reads them through
    # `public` first, as every projection does) are theirs, without another check.
    public_actors = list(selectors.public(Actor).filter(id__in=[hidden.pk, jnim.pk]))
    assert list(selectors.public_citations(Actor, [a.pk for a in public_actors])) == [cites[jnim]]


def test_optional_links_are_hidden_not_the_object(make, editor):
    """A published sub-event of a draft operation is shown; the link to it is not."""
    from events.projections import EventProjection

    operation = make.event(title="DRAFT-MARKER operation", status="draft")
    raid = make.event(title="Raid", status="published", parent=operation, place=make.place())

    def shown():
        [item] = EventProjection.build_rows(
            list(selectors.public(Event).values(*EventProjection.columns()))
        )
        return item

    assert shown()["parent"] is None
    assert shown()["place"]["id"] == raid.place_id
    services.publish(operation, user=editor, reason="reviewed", expected_version=1)
    assert raid in selectors.public(Event)
    operation_item = next(
        item
        for item in EventProjection.build_rows(
            list(selectors.public(Event).values(*EventProjection.columns()))
        )
        if item["id"] == raid.pk
    )
    assert operation_item["parent"]["id"] == operation.pk


def test_as_of_returns_the_state_at_an_instant(make, editor, reviewer):
    actor = make.actor(name="MUJWA", status="published")
    t1 = timezone.now()
    services.update(
        actor,
        user=editor,
        reason="rename",
        expected_version=1,
        name="Movement for Unity and Jihad in West Africa",
    )
    later = make.actor(name="Created after t1", status="published")
    t2 = timezone.now()
    services.delete(actor, user=reviewer, reason="delete", expected_version=2)
    t3 = timezone.now()

    def names_at(instant):
        return {row.name for row in selectors.public(Actor, as_of=instant)}

    assert names_at(t1) == {"MUJWA"}  # excludes objects created after
    assert names_at(t2) == {"Movement for Unity and Jihad in West Africa", "Created after t1"}
    assert names_at(t3) == {"Created after t1"}  # the deletion took effect
    before_anything = t1 - datetime.timedelta(days=1)
    assert names_at(before_anything) == set()
    assert later.pk in set(selectors.public(Actor, as_of=t3).values_list("id", flat=True))


def test_as_of_includes_objects_deleted_since_and_respects_status_then(make, editor):
    actor = make.actor(name="Draft then", status="draft")
    t_draft = timezone.now()
    services.publish(actor, user=editor, reason="publish", expected_version=1)
    t_published = timezone.now()
    services.delete(actor, user=editor, reason="gone", expected_version=2)
    assert not selectors.public(Actor, as_of=t_draft).exists()
    assert [r.name for r in selectors.public(Actor, as_of=t_published)] == ["Draft then"]
    assert not selectors.public(Actor).exists()


def test_as_of_applies_visibility_of_relations_at_that_instant(make, editor):
    a = make.actor(status="published")
    b = make.actor(status="draft")
    tie = make.affiliation(a, b, status="published")
    t_hidden = timezone.now()
    services.publish(b, user=editor, reason="now public", expected_version=1)
    t_visible = timezone.now()
    assert not selectors.public(Affiliation, as_of=t_hidden).exists()
    assert [r.id for r in selectors.public(Affiliation, as_of=t_visible)] == [tie.pk]
    citation = make.citation(tie, quote="")
    assert [r.id for r in selectors.public(Citation, as_of=timezone.now())] == [citation.pk]
    assert not selectors.public(Citation, as_of=t_visible).exists()


@pytest.mark.parametrize(
    ("start", "end", "day", "valid"),
    [
        ("2000~", "", D(1999, 6, 1), True),  # approximate start widens the bound
        ("2000~", "", D(1998, 6, 1), False),
        ("2000", "", D(1999, 6, 1), False),
        ("201X", "", D(2010, 1, 1), True),
        ("201X", "", D(2009, 12, 31), False),
        ("2015-10/2015-12", "2016", D(2015, 10, 1), True),
        ("2015-10/2015-12", "2016", D(2015, 9, 30), False),
        ("2015-10/2015-12", "2016", D(2016, 12, 31), True),
        ("2015-10/2015-12", "2016", D(2017, 1, 1), False),
        ("../2015", "2016/..", D(1900, 1, 1), True),  # open start
        ("2012", "2015/..", D(2030, 1, 1), True),  # open end
        ("2012", "", D(2030, 1, 1), True),  # no end known: not excluded
        ("", "2013-02", D(2013, 3, 1), False),
        ("", "", D(1950, 1, 1), True),  # an undated tie cannot be excluded
    ],
)
def test_valid_at_honours_fuzzy_bounds(make, start, end, day, valid):
    tie = make.affiliation(make.actor(), make.actor(), start=start, end=end)
    result = selectors.valid_at(Affiliation.objects.all(), Affiliation, day)
    assert (tie in result) is valid


@pytest.mark.parametrize(
    ("date", "day", "valid"),
    [
        ("2018-09", D(2018, 9, 15), True),
        ("2018-09", D(2018, 10, 1), False),
        ("2015-10/2015-12", D(2015, 11, 1), True),
        ("", D(2018, 9, 15), False),  # an undated event is not placed at any date
    ],
)
def test_valid_at_for_events_uses_the_event_date(make, date, day, valid):
    event = make.event(date=date)
    assert (event in selectors.valid_at(Event.objects.all(), Event, day)) is valid


def test_valid_at_and_as_of_compose(make, editor):
    """'Who led JNIM in 2018, according to the database as of <instant>'."""
    jnim = make.actor(name="JNIM", status="published")
    ghali = make.actor(name="Iyad ag Ghali", status="published")
    tie = make.affiliation(ghali, jnim, start="2017", status="published")
    instant = timezone.now()
    services.update(
        tie, user=editor, reason="source says he left", expected_version=1, end="2017-12"
    )
    in_2018 = D(2018, 6, 1)
    assert not selectors.valid_at(selectors.public(Affiliation), Affiliation, in_2018).exists()
    then = selectors.valid_at(selectors.public(Affiliation, as_of=instant), Affiliation, in_2018)
    assert [row.subject_id for row in then] == [ghali.pk]


def test_a_deleted_claim_is_judged_by_its_state_at_its_last_deletion(make, editor):
    """The latest state of a deleted object is its last deletion row, not an earlier one:
    deleted while withdrawn, restored, published and deleted again, it was public then."""
    actor = make.actor(name="Twice deleted", status="withdrawn")
    services.delete(actor, user=editor, reason="gone", expected_version=1)
    actor = services.restore(Actor, actor.pk, user=editor, reason="back")
    actor = services.publish(actor, user=editor, reason="sourced", expected_version=actor.version)
    t_public = timezone.now()
    services.delete(actor, user=editor, reason="merged", expected_version=actor.version)
    assert [r.name for r in selectors.public(Actor, as_of=t_public)] == ["Twice deleted"]

    other = make.actor(name="Deleted withdrawn last", status="published")
    services.delete(other, user=editor, reason="gone", expected_version=1)
    other = services.restore(Actor, other.pk, user=editor, reason="back")
    t_other_public = timezone.now()
    other = services.withdraw(
        other, user=editor, reason="unsourced", expected_version=other.version
    )
    services.delete(other, user=editor, reason="gone again", expected_version=other.version)
    names = {r.name for r in selectors.public(Actor, as_of=t_other_public)}
    assert "Deleted withdrawn last" not in names  # withdrawn since: hidden from the past


@pytest.mark.parametrize("as_of", [False, True])
def test_known_skips_only_the_relation_named(graph, make, as_of):
    """`known` trusts the caller for one relation (the public parents it read and filters
    by), not for the others: a participation of a public event still needs its actor
    public. Filtered by public parents, the rows are exactly the public ones."""
    jnim, hidden = graph["jnim"], graph["hidden"]
    for actor in (jnim, hidden, graph["ghali"]):
        make.name(actor, f"{actor.name} alias", status="published")
    event = make.event(status="published")
    kept = make.participation(event, jnim, status="published")
    make.participation(event, hidden, status="published")
    instant = timezone.now() if as_of else None
    actors = list(selectors.public(Actor, as_of=instant).values_list("id", flat=True))
    names = selectors.public(Name, as_of=instant, known=("actor",))
    assert set(names.filter(actor_id__in=actors).values_list("id", flat=True)) == set(
        selectors.public(Name, as_of=instant).values_list("id", flat=True)
    )
    parts = selectors.public(Participation, as_of=instant, known=("event",))
    assert list(parts.filter(event_id=event.pk).values_list("id", flat=True)) == [kept.pk]


def test_live_targets_are_checked_as_not_among_the_unpublished(graph, make, editor):
    """Live, a foreign key (not null) to a claim that is public exactly when published is
    checked as "not among the unpublished" (the few rows of a partial index); the rows kept
    are those whose targets are among the public ones, as the rule says."""
    from sahel.core.selectors import _public_is_published

    jnim, hidden = graph["jnim"], graph["hidden"]
    for actor in (jnim, hidden, graph["withdrawn"], graph["ghali"]):
        make.name(actor, f"{actor.name} alias", status="published")
        services.create(
            Identifier, user=editor, reason="t", actor=actor, scheme="other", value=actor.name
        )
    event, draft_event = make.event(status="published"), make.event(status="draft")
    for e in (event, draft_event):
        for actor in (jnim, hidden):
            make.participation(e, actor, status="published")
    assert _public_is_published(Affiliation._meta.get_field("subject"))
    assert _public_is_published(Participation._meta.get_field("event"))
    assert not _public_is_published(Event._meta.get_field("parent"))  # may be null
    assert not _public_is_published(Participation._meta.get_field("role"))  # not a claim
    assert "NOT" in str(selectors.public(Affiliation).query)
    for model in (Affiliation, Name, Participation, Identifier):
        rows = model.objects.all()
        if hasattr(model, "status"):
            rows = rows.filter(status="published")
        for name in model.visibility_requires:
            field = model._meta.get_field(name)
            public_targets = selectors.public(field.related_model).values("id")
            rows = rows.filter(**{f"{field.attname}__in": public_targets})
        expected = set(rows.values_list("id", flat=True))
        assert expected
        assert set(selectors.public(model).values_list("id", flat=True)) == expected, model
