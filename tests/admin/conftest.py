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
    """The POST data a browser would send from the admin form page in `response`: the
    fields the page renders (not merely those the form has), with `changes`."""
    data = {}

    def put(bound_field):
        value = bound_field.value()
        if value is None or value is False:
            return
        if value is True:
            value = "on"
        data[bound_field.html_name] = (
            [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
        )

    def put_fieldsets(admin_form):
        for fieldset in admin_form:
            for line in fieldset:
                for field in line:
                    if not field.is_readonly:
                        put(field.field)

    put_fieldsets(response.context["adminform"])
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            put(management[name])
        for inline_form in inline:
            if inline_form.original is None and inline_form.form.empty_permitted:
                continue  # the template row for "add another"
            put_fieldsets(inline_form)
            for extra in (inline_form.pk_field(), inline_form.fk_field()):
                if extra is not None and hasattr(extra, "field"):
                    put(extra.field)
    data.update(changes)
    return data
