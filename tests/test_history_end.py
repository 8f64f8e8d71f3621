"""`history_end`: when each history row was superseded, so that `as_of` reads the rows with
history_date <= T < history_end (a range condition) instead of an anti-join over the
history. Checked against its definition after every kind of write, and `rows_as_of`
against the anti-join it replaced, at every instant the history holds."""

import datetime

import pytest
from django.db.models import Exists, OuterRef, Q

from actors.models import Actor, Name
from sahel.core import selectors, services
from sahel.core.history import change_set, close_superseded_rows, one_transaction
from sahel.core.models import tracked_models

pytestmark = pytest.mark.django_db

MICROSECOND = datetime.timedelta(microseconds=1)


def expected_ends(model) -> dict:
    """history_id -> the date of the object's next row in (history_date, history_id) order."""
    rows = model.history.model._default_manager.order_by("id", "history_date", "history_id")
    ends, previous = {}, None
    for row in rows.values("id", "history_id", "history_date"):
        ends[row["history_id"]] = None
        if previous is not None and previous["id"] == row["id"]:
            ends[previous["history_id"]] = row["history_date"]
        previous = row
    return ends


def stored_ends(model) -> dict:
    return dict(model.history.model._default_manager.values_list("history_id", "history_end"))


def anti_join_as_of(model, instant):
    """The rule `rows_as_of` had before `history_end`: no later row at or before T."""
    history = model.history.model._default_manager
    later = history.filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")),
        id=OuterRef("id"),
        history_date__lte=instant,
    )
    return (
        history.filter(history_date__lte=instant).filter(~Exists(later)).exclude(history_type="-")
    )


@pytest.fixture
def busy_history(make, editor, reviewer):
    """Every way rows are written: services one by one, several writes to one object in
    one change set, several change sets in one transaction, bulk paths, delete, restore,
    revert, cascades."""
    source = make.source()
    actor = make.actor(name="MUJWA", status="published")
    other = make.actor(name="AQIM", status="published")
    name = make.name(actor, "Movement for Unity and Jihad in West Africa")
    tie = make.affiliation(actor, other, start="2011")
    make.citation(actor, source=source, locator="para. 10")
    make.citation(tie, source=source)
    with change_set(editor, "two edits of one actor in one change set"):
        actor = services.update(
            actor, user=editor, reason="x", expected_version=1, description="first"
        )
        actor = services.update(
            actor, user=editor, reason="x", expected_version=2, description="second"
        )
    with one_transaction():
        with change_set(editor, "first of two change sets"):
            other = services.update(
                other, user=editor, reason="x", expected_version=1, description="one"
            )
        with change_set(editor, "second of two change sets"):
            other = services.update(
                other, user=editor, reason="x", expected_version=2, description="two"
            )
    created = services.bulk_create(
        Actor,
        [Actor(slug=f"bulk-{i}", name=f"Bulk {i}", kind="person") for i in range(4)],
        user=editor,
        reason="bulk import",
    )
    for obj in created:
        obj.description = "bulk edit"
    services.bulk_update(Actor, created, ["description"], user=editor, reason="bulk edit")
    services.withdraw(created[0], user=reviewer, reason="withdrawn", expected_version=2)
    services.delete(actor, user=editor, reason="merged by mistake", expected_version=3)
    restored = services.restore(Actor, actor.pk, user=reviewer, reason="undo")
    name = Name.objects.get(pk=name.pk)
    services.update(name, user=editor, reason="x", expected_version=name.version, language="fr")
    services.delete(restored, user=editor, reason="deleted again", expected_version=4)
    return restored


def test_history_end_is_the_next_rows_date_after_every_kind_of_write(busy_history):
    for model in tracked_models():
        assert stored_ends(model) == expected_ends(model), model.__name__
    # The scenario did supersede rows, and left the latest ones open.
    ends = stored_ends(Actor)
    assert sum(end is not None for end in ends.values()) >= 10
    assert (
        sum(end is None for end in ends.values()) == Actor.history.values("id").distinct().count()
    )


def test_rows_as_of_is_the_anti_join_at_every_instant(busy_history):
    for model in tracked_models():
        dates = set(model.history.values_list("history_date", flat=True))
        if not dates:
            continue
        instants = {d + delta for d in dates for delta in (-MICROSECOND, 0 * MICROSECOND)}
        instants.add(max(dates) + datetime.timedelta(days=1))
        for instant in sorted(instants):
            got = set(selectors.rows_as_of(model, instant).values_list("history_id", flat=True))
            want = set(anti_join_as_of(model, instant).values_list("history_id", flat=True))
            assert got == want, (model.__name__, instant)


def test_close_superseded_rows_rebuilds_every_end(busy_history):
    """The migration's backfill: from nothing, every row's end as the stamps set them."""
    for model in (Actor, Name):
        model.history.model._default_manager.update(history_end=None)
        close_superseded_rows(model.history.model)
        assert stored_ends(model) == expected_ends(model)


def test_stamps_follow_commit_order_when_the_clock_steps_back(make, editor):
    """A wall clock that steps back (NTP), or a host whose clock lags another's, between two
    change sets of one object: the later change set is still stamped after the earlier one,
    so the object has one state at every instant (not the superseded row and the new one
    both current) and the latest state is the live one."""
    from unittest import mock

    from django.utils import timezone

    actor = make.actor(name="MUJWA", status="published")
    actor = services.update(actor, user=editor, reason="one", expected_version=1, description="1")
    first, second = Actor.history.filter(id=actor.pk).order_by("history_date", "history_id")
    behind = second.history_date - (second.history_date - first.history_date) / 2
    with mock.patch.object(timezone, "now", return_value=behind):
        services.update(actor, user=editor, reason="two", expected_version=2, description="2")
    assert stored_ends(Actor) == expected_ends(Actor)
    for instant in (behind, second.history_date - MICROSECOND, timezone.now()):
        states = selectors.public(Actor, as_of=instant).filter(id=actor.pk)
        assert states.count() == 1, instant
    assert selectors.public(Actor, as_of=timezone.now()).get(id=actor.pk).description == "2"
    dates = list(
        Actor.history.filter(id=actor.pk)
        .order_by("history_id")
        .values_list("history_date", flat=True)
    )
    assert dates == sorted(dates)
