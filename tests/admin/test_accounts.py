"""Accounts that wrote history cannot be deleted (the history names them); the admin says
so instead of failing, and still deletes accounts that wrote nothing."""

import pytest
from django.contrib.auth import get_user_model

from tests.admin.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-boss-1")
    return client_for(boss)


def test_an_author_cannot_be_deleted_from_its_page(admin_client_, make, editor):
    make.actor(name="Written by the editor")
    response = admin_client_.get(f"/admin/auth/user/{editor.pk}/delete/")
    assert response.status_code == 403
    response = admin_client_.post(f"/admin/auth/user/{editor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=editor.pk).exists()


def test_bulk_delete_refuses_authors_and_deletes_others(admin_client_, make, editor):
    make.actor(name="Written by the editor")
    idle = get_user_model().objects.create_user("idle", "idle@example.org", "pw-idle-1")
    both = {"action": "delete_selected", "_selected_action": [editor.pk, idle.pk]}
    # The confirmation page names what may not be deleted; confirming is refused.
    page = admin_client_.post("/admin/auth/user/", both)
    assert page.status_code == 200
    assert "permission to delete" in page.content.decode()
    assert admin_client_.post("/admin/auth/user/", {**both, "post": "yes"}).status_code == 403
    assert get_user_model().objects.filter(pk__in=[editor.pk, idle.pk]).count() == 2
    only_idle = {"action": "delete_selected", "_selected_action": [idle.pk], "post": "yes"}
    assert admin_client_.post("/admin/auth/user/", only_idle).status_code == 302
    assert not get_user_model().objects.filter(pk=idle.pk).exists()


def test_deleting_authors_is_refused_with_the_reason_not_an_error(make, editor):
    """The model admin's own delete path (used by the bulk action) keeps authors."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    make.actor(name="Written by the editor")
    idle = get_user_model().objects.create_user("idle", "idle@example.org", "pw-idle-1")
    request = RequestFactory().post("/admin/auth/user/")
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = admin.site._registry[get_user_model()]
    both = get_user_model().objects.filter(pk__in=[editor.pk, idle.pk])
    model_admin.delete_queryset(request, both)
    assert get_user_model().objects.filter(pk=editor.pk).exists()
    assert not get_user_model().objects.filter(pk=idle.pk).exists()
    assert "wrote revisions" in str(next(iter(request._messages)))
