"""Ways around the history and the version check, found in review, each shut."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from actors.models import Actor, Name
from events.models import Event
from sahel.core import selectors, services
from sahel.core.history import StaleEditError, UntrackedWriteError, change_set
from sahel.core.models import tracked_models
from sources.models import Citation

pytestmark = pytest.mark.django_db


def test_every_tracked_model_guards_its_base_manager():
    for model in tracked_models():
        with pytest.raises(UntrackedWriteError):
            model._base_manager.filter(pk=0).update(version=1)


def test_a_stale_direct_save_is_refused(make, editor, reviewer):
    actor = make.actor(description="first")
    stale = Actor.objects.get(pk=actor.pk)
    services.update(actor, user=reviewer, reason="r", expected_version=1, description="second")
    stale.description = "overwrites?"
    with pytest.raises(StaleEditError), change_set(editor, "direct save"):
        stale.save()
    assert Actor.objects.get(pk=actor.pk).description == "second"


def test_update_refuses_system_fields(make, editor):
    actor = make.actor()
    for field in ("version", "begin_lower", "id"):
        with pytest.raises(ValueError, match="not editable"):
            services.update(actor, user=editor, reason="r", expected_version=1, **{field: 0})


def test_update_compares_typed_values(make, editor):
    place = make.place(latitude="16.77348", longitude="-3.00742")
    for _ in range(3):
        place = services.update(
            place, user=editor, reason="same", expected_version=None, latitude="16.77348"
        )
    assert place.version == 1


def test_related_managers_cannot_move_rows_without_history(make, editor):
    a, b = make.actor(), make.actor()
    name = make.name(a, "Moved")
    citation = make.citation(a, quote="")
    with pytest.raises(UntrackedWriteError):
        b.names.add(name)
    with pytest.raises(UntrackedWriteError), change_set(editor, "even inside"):
        b.citations.add(citation)
    assert Name.objects.get(pk=name.pk).actor_id == a.pk


def test_loaddata_style_raw_saves_are_refused(make, editor):
    actor = make.actor(name="Loaded")
    data = serializers.serialize("json", [actor])
    services.delete(actor, user=editor, reason="make room", expected_version=1)
    [obj] = serializers.deserialize("json", data)
    with pytest.raises(UntrackedWriteError, match="load_dataset"), change_set(editor, "load"):
        obj.save()


def test_saving_without_a_history_row_is_refused(make, editor):
    actor = make.actor()
    actor.skip_history_when_saving = True
    actor.name = "no trace"
    with pytest.raises(UntrackedWriteError), change_set(editor, "sneaky"):
        actor.save()


def test_authors_of_history_cannot_be_deleted(make, editor):
    make.actor()
    with pytest.raises(UntrackedWriteError, match="deactivate"), transaction.atomic():
        editor.delete()
    assert get_user_model().objects.filter(pk=editor.pk).exists()


def test_a_nested_change_set_cannot_switch_user(editor, reviewer):
    with (
        pytest.raises(ValueError, match="cannot contain changes by"),
        change_set(editor, "outer"),
        change_set(reviewer, "inner"),
    ):
        pass


def test_bulk_update_history_is_what_was_stored(editor):
    [actor] = services.bulk_create(
        Actor, [Actor(slug="b", name="Stored", kind="person")], user=editor, reason="seed"
    )
    actor.name = "NOT SAVED"
    actor.description = "saved"
    services.bulk_update(Actor, [actor], ["description"], user=editor, reason="bulk")
    last = Actor.history.filter(id=actor.pk).order_by("-history_id").first()
    assert (last.name, last.description, last.version) == ("Stored", "saved", 2)
    assert Actor.objects.get(pk=actor.pk).name == "Stored"


def test_save_with_update_fields_keeps_derived_fields(make, editor):
    actor = make.actor(begin="2012")
    actor.begin = "1990"
    with change_set(editor, "partial save"):
        actor.save(update_fields=["begin"])
    stored = Actor.objects.get(pk=actor.pk)
    assert stored.begin_lower.year == 1990
    assert stored.version == 2


def test_restore_brings_back_only_what_that_delete_removed(make, editor):
    a, b = make.actor(name="A"), make.actor(name="B")
    with change_set(editor, "two deletes at once"):
        services.delete(a, user=editor, reason="", expected_version=1)
        services.delete(b, user=editor, reason="", expected_version=1)
    services.restore(Actor, a.pk, user=editor, reason="only A")
    assert list(Actor.objects.values_list("name", flat=True)) == ["A"]


def test_restoring_a_cascaded_child_needs_its_parent(make, editor):
    actor = make.actor()
    name = make.name(actor, "Child")
    services.delete(actor, user=editor, reason="gone", expected_version=1)
    with pytest.raises(services.RestoreError, match="Restore that first"):
        services.restore(Name, name.pk, user=editor, reason="child only")


def test_restore_refuses_a_reused_slug(make, editor):
    actor = make.actor(slug="taken")
    services.delete(actor, user=editor, reason="gone", expected_version=1)
    make.actor(slug="taken")
    with pytest.raises(services.RestoreError, match=r"(?i)slug already exists"):
        services.restore(Actor, actor.pk, user=editor, reason="back")


def test_restore_refuses_a_citation_of_something_gone(make, editor):
    a = make.actor()
    citation = make.citation(a, quote="")
    services.delete(citation, user=editor, reason="c", expected_version=1)
    services.delete(a, user=editor, reason="a", expected_version=1)
    with pytest.raises(services.RestoreError, match="no longer exists"):
        services.restore(Citation, citation.pk, user=editor, reason="back")


def test_restore_orders_parents_before_children_of_the_same_model(make, editor):
    operation = make.event(title="Operation")
    raid = make.event(title="Raid")
    services.update(raid, user=editor, reason="part of it", expected_version=1, parent=operation)
    with change_set(editor, "remove both"):
        services.delete(raid, user=editor, reason="", expected_version=None)
        services.delete(operation, user=editor, reason="", expected_version=None)
    # The raid was deleted first and refers to the operation: restoring the operation
    # brings back the raid deleted with it, parent first.
    services.restore(Event, operation.pk, user=editor, reason="back")
    assert Event.objects.get(pk=raid.pk).parent_id == operation.pk


def test_a_citation_must_cite_something_that_exists(make):
    source = make.source()
    with pytest.raises(ValidationError, match="no Actor 987654"):
        services.create(
            Citation,
            user=make.user,
            reason="r",
            source=source,
            content_type=ContentType.objects.get_for_model(Actor),
            object_id=987654,
        )


def test_withdrawn_claims_are_hidden_from_the_past_too(make, editor):
    actor = make.actor(name="WITHDRAWN-MARKER", status="published")
    make.name(actor, "secret alias", status="published")
    past = timezone.now()
    services.withdraw(actor, user=editor, reason="endangers a source", expected_version=1)
    assert not selectors.public(Actor, as_of=past).exists()
    assert not selectors.public(Name, as_of=past).exists()


def test_one_change_set_is_one_instant(make, editor):
    with change_set(editor, "create then fix"):
        actor = services.create(
            Actor, user=editor, reason="", slug="x", name="First", kind="person", status="published"
        )
        services.update(actor, user=editor, reason="", expected_version=1, name="Second")
    rows = Actor.history.filter(id=actor.pk)
    assert len({row.history_date for row in rows}) == 1
    assert [r.name for r in selectors.public(Actor, as_of=timezone.now())] == ["Second"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")
def test_concurrent_edits_on_postgresql_refuse_the_second(make, editor, reviewer):
    actor = make.actor(description="v1")
    barrier = threading.Barrier(2)
    results = {}

    def edit(name, user):
        try:
            barrier.wait()
            services.update(
                actor, user=user, reason=name, expected_version=1, description=f"by {name}"
            )
            results[name] = "saved"
        except StaleEditError:
            results[name] = "stale"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(n, u))
        for n, u in (("editor", editor), ("reviewer", reviewer))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["saved", "stale"]
    stored = Actor.objects.get(pk=actor.pk)
    assert stored.version == 2
    assert stored.description == f"by {next(n for n, r in results.items() if r == 'saved')}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")
def test_a_cascade_records_a_claim_withdrawn_while_it_ran(make, editor, reviewer):
    """The actor's deletion collects its names, then another connection withdraws one and
    commits, then the cascade deletes it: its deletion row must say withdrawn, or `as_of`
    (which hides claims whose last state is not published) would show it again."""
    from unittest import mock

    from django.db.models.deletion import Collector

    actor = make.actor(name="Katiba X", status="published")
    name = make.name(actor, "Katiba Ikhwan", status="published")
    before = timezone.now()
    collected_delete = Collector.delete

    def withdraw_elsewhere():
        try:
            services.withdraw(
                Name.objects.get(pk=name.pk), user=reviewer, reason="unsourced", expected_version=1
            )
        finally:
            connection.close()

    def delete_after_a_concurrent_withdrawal(collector):
        # The names are collected (read, not locked): another connection edits one now.
        thread = threading.Thread(target=withdraw_elsewhere)
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the withdrawal waited on the deletion"
        return collected_delete(collector)

    with mock.patch.object(Collector, "delete", delete_after_a_concurrent_withdrawal):
        services.delete(actor, user=editor, reason="duplicate", expected_version=1)
    deletion = Name.history.filter(id=name.pk, history_type="-").get()
    assert deletion.status == "withdrawn"
    assert deletion.version == 2
    assert not selectors.public(Name, as_of=before).filter(id=name.pk).exists()
