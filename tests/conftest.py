"""Shared test fixtures.

Transactional tests (`django_db(transaction=True)`) also take `serialized_rollback=True`:
the next such test restores the migrations' rows (content types, the editors' groups) under
their own ids, instead of finding them recreated under new ids. Between the two the flushed
database holds none of those rows, which is why pytest-django runs every test that uses the
database before the transactional ones; a test that only uses a module-scoped world (`world`,
`curated`) is marked as using the database here, so it is sorted with them, not after the
flushes. Test data is written through sahel.core.services, like everything else."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from tests.curated import load_curated
from tests.factories import Make
from tests.leak_world import world  # noqa: F401 - the leak suites' module-scoped world

MODULE_WORLDS = ("world", "curated")


@pytest.hookimpl(tryfirst=True)  # before pytest-django sorts the tests by their database use
def pytest_collection_modifyitems(items):
    for item in items:
        uses_a_world = any(name in getattr(item, "fixturenames", ()) for name in MODULE_WORLDS)
        if uses_a_world and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


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
    """The curated dataset, put in once per module (tests/curated.py) and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_curated()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
