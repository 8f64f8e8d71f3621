import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """The curated dataset, loaded once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_dataset", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def api(curated, db):
    return APIClient()
