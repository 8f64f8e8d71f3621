"""Who may do what in the admin: anonymous users nothing, editors drafts, reviewers
publication; historical rows are read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from actors.models import Actor
from tests.admin.conftest import form_data

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/actors/actor/"  # not reverse(): no URLconf loading at collection


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_anonymous_users_cannot_reach_the_admin(client, make):
    actor = make.actor()
    for url in ("/admin/", CHANGELIST, change_url(actor), f"{change_url(actor)}../history/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    response = client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [1]})
    assert response.status_code == 302
    assert Actor.objects.get().status == "draft"


def test_users_outside_the_groups_cannot_reach_the_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("plain", password="pw-plain-1"))
    assert client.get(CHANGELIST).status_code == 302


def test_an_editor_creates_a_draft_with_a_reason(editor_client, editor):
    page = editor_client.get(reverse("admin:actors_actor_add"))
    assert page.status_code == 200
    data = form_data(
        page,
        slug="new-group",
        name="New Group",
        kind="organization",
        status="published",  # not a field of the form: ignored
        change_reason="Founded per the 2019 report",
    )
    response = editor_client.post(reverse("admin:actors_actor_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    actor = Actor.objects.get(slug="new-group")
    assert actor.status == "draft"
    record = actor.history.get()
    assert record.history_user == editor
    assert record.history_change_reason == "Founded per the 2019 report"


def test_an_editor_cannot_publish(editor_client, make):
    actor = make.actor()
    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [actor.pk], "change_reason": "ok"},
    )
    assert response.status_code == 302  # an action not offered: "no action selected"
    assert "publish_selected" not in editor_client.get(CHANGELIST).content.decode()
    page = editor_client.get(change_url(actor))
    assert "_publish" not in page.content.decode()
    data = form_data(page, change_reason="publish it", _publish="Save and publish")
    assert editor_client.post(change_url(actor), data).status_code == 403
    actor.refresh_from_db()
    assert actor.status == "draft"
    assert actor.version == 1


def test_an_editor_cannot_delete_what_is_public(editor_client, make):
    actor = make.actor(status="published")
    delete_url = reverse("admin:actors_actor_delete", args=[actor.pk])
    assert editor_client.get(delete_url).status_code == 403
    response = editor_client.post(delete_url, {"post": "yes", "change_reason": "gone"})
    assert response.status_code == 403
    assert Actor.objects.filter(pk=actor.pk).exists()


def test_a_reviewer_publishes_and_withdraws_in_bulk(reviewer_client, reviewer, make):
    actors = [make.actor(), make.actor()]
    response = reviewer_client.post(
        CHANGELIST,
        {
            "action": "publish_selected",
            "_selected_action": [a.pk for a in actors],
            "change_reason": "Checked against the panel report",
        },
    )
    assert response.status_code == 302
    for actor in actors:
        actor.refresh_from_db()
        assert actor.status == "published"
        latest = actor.history.latest()
        assert latest.history_user == reviewer
        assert latest.history_change_reason == "Checked against the panel report"
    reviewer_client.post(
        CHANGELIST,
        {
            "action": "withdraw_selected",
            "_selected_action": [actors[0].pk],
            "change_reason": "Source retracted",
        },
    )
    actors[0].refresh_from_db()
    assert actors[0].status == "withdrawn"


def test_a_reviewer_publishes_from_the_form(reviewer_client, make):
    actor = make.actor(description="old")
    name = make.name(actor, "Al-Mourabitoun")
    withdrawn = make.name(actor, "Al-Murabitun", status="withdrawn")
    page = reviewer_client.get(change_url(actor))
    assert "_publish" in page.content.decode()
    data = form_data(page, description="new", change_reason="Reviewed", _publish="1")
    assert reviewer_client.post(change_url(actor), data).status_code == 302
    actor.refresh_from_db()
    assert (actor.status, actor.description) == ("published", "new")
    # one change set: both writes carry the reason
    assert [r.history_change_reason for r in actor.history.all()[:2]] == ["Reviewed"] * 2
    # the draft claims on the page are published with it; a withdrawn one stays withdrawn
    name.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (name.status, withdrawn.status) == ("published", "withdrawn")
    assert name.history.latest().change_set == actor.history.latest().change_set


def test_only_reviewers_restore_what_was_public(editor_client, reviewer_client, make):
    draft, public = make.actor(), make.actor(status="published")
    for actor in (draft, public):
        reviewer_client.post(
            reverse("admin:actors_actor_delete", args=[actor.pk]),
            {"post": "yes", "change_reason": "remove"},
        )
    assert not Actor.objects.exists()
    restore = lambda a: reverse("admin:actors_actor_restore", args=[a.pk])  # noqa: E731
    assert editor_client.post(restore(public), {"change_reason": "back"}).status_code == 403
    assert editor_client.post(restore(draft), {"change_reason": "back"}).status_code == 302
    assert reviewer_client.post(restore(public), {"change_reason": "back"}).status_code == 302
    assert Actor.objects.get(pk=public.pk).status == "published"


def test_a_superuser_can_do_all(admin_client, make):
    actor = make.actor()
    response = admin_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [actor.pk], "change_reason": "ok"},
    )
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.status == "published"


def test_historical_records_cannot_be_edited(editor_client, reviewer, make):
    actor = make.actor(name="Old name")
    for model in (Actor.history.model,):
        assert not admin.site.is_registered(model)
    assert editor_client.get("/admin/actors/historicalactor/").status_code == 404
    record = actor.history.get()
    revision_url = reverse("admin:actors_actor_simple_history", args=[actor.pk, record.pk])
    page = editor_client.get(revision_url)
    assert page.status_code == 200
    assert "Old name" in page.content.decode()
    # The revision page has no fields to edit; posting fields changes no history row.
    editor_client.post(revision_url, {"name": "Tampered", "history_change_reason": "x"})
    record.refresh_from_db()
    assert record.name == "Old name"
    assert record.history_change_reason == "test data"


def test_a_user_who_may_only_view_cannot_revert(client, django_user_model, make):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_actor"))
    client.force_login(viewer)
    actor = make.actor()
    record = actor.history.get()
    revision_url = reverse("admin:actors_actor_simple_history", args=[actor.pk, record.pk])
    assert client.get(revision_url).status_code == 200
    assert client.post(revision_url, {"change_reason": "x"}).status_code == 403
