"""Every admin page of every curated model opens: list, add, change, history, one
revision, deleted objects."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import build_world

pytestmark = pytest.mark.django_db

CURATED = {"sources", "places", "actors", "affiliations", "events"}


def test_every_page_opens(reviewer_client, reviewer, make):
    build_world(make, reviewer, 2)
    models = [m for m in admin.site._registry if m._meta.app_label in CURATED]
    assert len(models) == 12
    for model in models:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model.objects.first()
        record = obj.history.first()
        for url in (
            reverse(f"{name}_changelist"),
            reverse(f"{name}_add"),
            reverse(f"{name}_change", args=[obj.pk]),
            reverse(f"{name}_history", args=[obj.pk]),
            reverse(f"{name}_simple_history", args=[obj.pk, record.pk]),
            reverse(f"{name}_deleted"),
            reverse(f"{name}_delete", args=[obj.pk]),
        ):
            response = reviewer_client.get(url)
            assert response.status_code == 200, url
