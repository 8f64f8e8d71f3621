"""Every write is tracked: services write one history row per changed object with user and
reason; untracked writes fail loudly; deletes keep history and can be restored."""

import pytest
from django.core.exceptions import ValidationError

from actors.models import Actor, Name
from affiliations.models import Affiliation
from sahel.core import services
from sahel.core.history import MissingReasonError, UntrackedWriteError, change_set
from sahel.core.models import PublicationStatus
from sources.models import Citation

pytestmark = pytest.mark.django_db


def history_rows(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id"))


def test_create_writes_one_history_row_with_user_and_reason(make, editor):
    actor = make.actor(name="Ansar al-Din", reason="add Ansar al-Din from the seed")
    [row] = history_rows(actor)
    assert row.history_type == "+"
    assert row.history_user == editor
    assert row.history_change_reason == "add Ansar al-Din from the seed"
    assert row.change_set is not None
    assert row.name == "Ansar al-Din"
    assert row.version == 1


def test_update_writes_exactly_one_row_per_changed_object(make, editor, reviewer):
    actor = make.actor(name="AQIM")
    updated = services.update(
        actor,
        user=reviewer,
        reason="fix description",
        expected_version=1,
        description="Algeria-born",
    )
    rows = history_rows(actor)
    assert [r.history_type for r in rows] == ["+", "~"]
    assert rows[-1].history_user == reviewer
    assert rows[-1].history_change_reason == "fix description"
    assert rows[-1].description == "Algeria-born"
    assert rows[0].description == ""  # the prior state is kept in full
    assert updated.version == 2


def test_update_without_change_writes_nothing(make, editor):
    actor = make.actor(name="AQIM")
    same = services.update(actor, user=editor, reason="no-op", expected_version=1, name="AQIM")
    assert same.version == 1
    assert len(history_rows(actor)) == 1


@pytest.mark.parametrize("service", ["publish", "withdraw"])
def test_publish_and_withdraw_are_tracked(make, reviewer, service):
    actor = make.actor()
    result = getattr(services, service)(
        actor, user=reviewer, reason=f"{service} it", expected_version=1
    )
    assert result.status == {"publish": "published", "withdraw": "withdrawn"}[service]
    last = history_rows(actor)[-1]
    assert (last.status, last.history_user, last.history_change_reason) == (
        result.status,
        reviewer,
        f"{service} it",
    )


def test_delete_writes_one_row_per_deleted_object_with_user_and_reason(make, editor):
    actor = make.actor()
    name = make.name(actor, "Al-Mourabitoun")
    citation = make.citation(actor, quote="")
    services.delete(actor, user=editor, reason="duplicate record", expected_version=1)
    for obj in (actor, name, citation):
        last = history_rows(obj)[-1]
        assert last.history_type == "-"
        assert last.history_user == editor
        assert last.history_change_reason == "duplicate record"
        assert len([r for r in history_rows(obj) if r.history_type == "-"]) == 1


def test_a_reason_is_required(make, editor):
    with pytest.raises(MissingReasonError, match="change reason is required"):
        services.create(Actor, user=editor, reason="  ", slug="x", name="X", kind="person")
    assert not Actor.objects.exists()


def test_queryset_update_on_tracked_model_fails_and_points_to_services(make):
    make.actor()
    with pytest.raises(UntrackedWriteError, match=r"sahel\.core\.services\.update"):
        Actor.objects.update(name="renamed")
    with pytest.raises(UntrackedWriteError), change_set(None, "even inside a change set"):
        Actor.objects.filter(kind="organization").update(name="renamed")
    assert not Actor.objects.filter(name="renamed").exists()


def test_related_manager_update_fails_too(make):
    actor = make.actor()
    make.name(actor, "A")
    with pytest.raises(UntrackedWriteError):
        actor.names.update(name="B")


def test_plain_save_and_bulk_writes_outside_services_fail(make):
    actor = make.actor()
    actor.name = "sneaky"
    with pytest.raises(UntrackedWriteError, match="outside a change set"):
        actor.save()
    with pytest.raises(UntrackedWriteError):
        Actor.objects.bulk_create([Actor(slug="b", name="B", kind="person")])
    with pytest.raises(UntrackedWriteError):
        Actor.objects.bulk_update([actor], ["name"])
    with pytest.raises(UntrackedWriteError):
        Actor.objects.all().delete()


def test_bulk_helpers_write_history_in_one_change_set(editor):
    created = services.bulk_create(
        Actor,
        [Actor(slug=f"bulk-{i}", name=f"Bulk {i}", kind="person", begin="2000~") for i in range(5)],
        user=editor,
        reason="bulk import",
    )
    assert Actor.history.filter(history_type="+").count() == 5
    rows = Actor.history.all()
    assert {r.history_change_reason for r in rows} == {"bulk import"}
    assert {r.history_user_id for r in rows} == {editor.pk}
    assert len({r.change_set for r in rows}) == 1
    assert created[0].begin_lower.isoformat() == "1999-01-01"  # derived fields computed

    for actor in created:
        actor.description = "updated in bulk"
    services.bulk_update(Actor, created, ["description"], user=editor, reason="bulk fix")
    assert Actor.history.filter(history_type="~", history_change_reason="bulk fix").count() == 5
    assert set(Actor.objects.values_list("version", flat=True)) == {2}


def test_bulk_update_refuses_stale_versions(editor):
    [actor] = services.bulk_create(
        Actor, [Actor(slug="s", name="S", kind="person")], user=editor, reason="seed"
    )
    stale = Actor.objects.get(pk=actor.pk)
    services.update(actor, user=editor, reason="first", expected_version=1, name="S1")
    stale.name = "S2"
    with pytest.raises(services.StaleEditError):
        services.bulk_update(Actor, [stale], ["name"], user=editor, reason="second")
    assert Actor.objects.get(pk=actor.pk).name == "S1"


def test_deleted_actor_is_restored_with_its_citations_names_and_ties(make, editor, reviewer):
    source = make.source()
    actor = make.actor(name="MUJWA", status="published")
    other = make.actor(name="AQIM", status="published")
    name = make.name(actor, "Movement for Unity and Jihad in West Africa")
    tie = make.affiliation(actor, other, start="2011")
    actor_citation = make.citation(actor, source=source, locator="para. 10")
    name_citation = make.citation(name, source=source)
    tie_citation = make.citation(tie, source=source)
    old_citation = make.citation(actor, source=source, locator="para. 2")
    services.delete(old_citation, user=editor, reason="wrong paragraph", expected_version=1)

    services.delete(actor, user=editor, reason="merged by mistake", expected_version=1)
    assert not Actor.objects.filter(pk=actor.pk).exists()
    assert not Citation.objects.filter(pk__in=[actor_citation.pk, name_citation.pk]).exists()
    assert not Affiliation.objects.filter(pk=tie.pk).exists()

    restored = services.restore(Actor, actor.pk, user=reviewer, reason="undo mistaken delete")
    assert restored.name == "MUJWA"
    assert restored.status == PublicationStatus.PUBLISHED
    assert Name.objects.get(pk=name.pk).name == "Movement for Unity and Jihad in West Africa"
    assert Affiliation.objects.get(pk=tie.pk).start == "2011"
    assert set(Citation.objects.values_list("pk", flat=True)) == {
        actor_citation.pk,
        name_citation.pk,
        tie_citation.pk,
    }
    # The citation deleted earlier, on its own, stays deleted.
    assert not Citation.objects.filter(pk=old_citation.pk).exists()
    # Restores are tracked like any write, and the history before them is kept.
    assert [r.history_type for r in history_rows(restored)] == ["+", "-", "+"]
    assert history_rows(restored)[-1].history_change_reason == "undo mistaken delete"
    assert history_rows(restored)[-1].history_user == reviewer


def test_restore_refuses_what_is_not_deleted(make, editor):
    actor = make.actor()
    with pytest.raises(services.NotDeletedError):
        services.restore(Actor, actor.pk, user=editor, reason="?")


def test_restore_refuses_when_a_required_relation_is_gone(make, editor):
    a, b = make.actor(), make.actor()
    tie = make.affiliation(a, b)
    services.delete(tie, user=editor, reason="wrong tie", expected_version=1)
    services.delete(b, user=editor, reason="not an actor", expected_version=1)
    with pytest.raises(services.RestoreError, match="no longer exists"):
        services.restore(Affiliation, tie.pk, user=editor, reason="undo")


def test_delete_of_referenced_vocabulary_is_refused_with_the_blockers(make, editor):
    tie = make.affiliation(make.actor(), make.actor())
    with pytest.raises(services.DeleteProtectedError, match="still referred to by: Affiliation"):
        services.delete(tie.type, user=editor, reason="cleanup", expected_version=1)


def test_stale_save_is_refused_and_keeps_the_attempt(make, editor, reviewer):
    actor = make.actor(name="CPA", description="militia")
    services.update(
        actor,
        user=reviewer,
        reason="reviewer edit",
        expected_version=1,
        description="a militia led by figures from the Kel Razzaf",
    )
    with pytest.raises(services.StaleEditError) as caught:
        services.update(
            actor,
            user=editor,
            reason="editor edit",
            expected_version=1,
            description="editor's text",
        )
    error = caught.value
    assert error.attempted == {"description": "editor's text"}  # nothing the editor typed is lost
    assert error.expected_version == 1
    assert error.current_version == 2
    assert "reviewer" in str(error)
    assert "reviewer edit" in str(error)
    assert "not saved" in str(error)
    current = Actor.objects.get(pk=actor.pk)
    assert current.description == "a militia led by figures from the Kel Razzaf"
    assert current.version == 2


def test_invalid_values_are_refused_before_anything_is_written(make, editor):
    with pytest.raises(ValidationError) as caught:
        make.actor(name="X", begin="2012-13")
    assert "'2012-13' is not a valid EDTF date" in str(caught.value)
    with pytest.raises(ValidationError, match="does not fit kind"):
        make.actor(kind="person", subkind="tribe")
    assert not Actor.objects.exists()
    assert not Actor.history.exists()


def test_vocabularies_and_citations_have_history(make, editor):
    tie_type = make.affiliation_type(
        slug="rival-of", label="rival of", inverse_label="rival of", symmetric=True
    )
    services.update(
        tie_type,
        user=editor,
        reason="clarify",
        expected_version=1,
        description="Competing for the same constituency.",
    )
    assert tie_type.history.count() == 2
    citation = make.citation(make.actor(), quote="")
    services.update(citation, user=editor, reason="add locator", expected_version=1, locator="p. 3")
    assert [r.locator for r in citation.history.order_by("history_date")] == ["", "p. 3"]


def test_citation_quote_must_be_verbatim_in_stored_text(make):
    source = make.source(text="First paragraph.\nAQIM’s Saharan emir, Yahya Abu al-Hammam, said.")
    actor = make.actor()
    make.citation(actor, source=source, quote="AQIM’s Saharan emir", locator="para. 2")
    with pytest.raises(ValidationError, match="not verbatim"):
        make.citation(actor, source=source, quote="AQIM's Saharan emir")  # straight apostrophe
    with pytest.raises(ValidationError, match="not in paragraph 1"):
        make.citation(actor, source=source, quote="AQIM’s Saharan emir", locator="para. 1")
    with pytest.raises(ValidationError, match="has no field 'rank'"):
        make.citation(actor, source=source, quote="", field_name="rank")
