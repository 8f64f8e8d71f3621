"""Admin tests: staff users in the groups made by the groups migration, and a helper that
reads an admin form page into the POST data a browser would send back."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client


def staff_user(username: str, group: str):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", f"pw-{username}-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return staff_user("editor", "editor")


@pytest.fixture
def reviewer(db):
    return staff_user("reviewer", "reviewer")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


@pytest.fixture
def reviewer_client(reviewer):
    return client_for(reviewer)


def form_data(response, **changes) -> dict:
    """The POST data of the admin form page in `response`, as rendered, with `changes`."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    data.update(changes)
    return data
