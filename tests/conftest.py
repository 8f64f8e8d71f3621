"""Shared test fixtures.

Transactional tests (`django_db(transaction=True)`) also take `serialized_rollback=True`:
their flush then leaves the migrations' rows (content types, the editors' groups) as they
were, instead of recreating content types under new ids, which breaks the next test that
restores them. Test data is written through sahel.core.services, like everything else."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from tests.factories import Make
from tests.leak_world import world  # noqa: F401 - the leak suites' module-scoped world


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", "editor@example.org", "pw-editor-1")


@pytest.fixture
def reviewer(db):
    return get_user_model().objects.create_user("reviewer", "reviewer@example.org", "pw-rev-1")


@pytest.fixture
def make(editor):
    return Make(editor)


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """The curated dataset, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_dataset", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
