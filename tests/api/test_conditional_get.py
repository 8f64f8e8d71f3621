"""Conditional GET: the feed's last page is cacheable until something public changes."""

import pytest

from actors.models import Actor
from sahel.core import services
from sahel.dataset.loader import loader_user

pytestmark = pytest.mark.django_db


def test_the_last_page_of_the_feed_answers_304_until_something_public_changes(api):
    url = "/api/v1/changes/"
    whole = api.get(url, {"limit": 1000})
    assert whole.json()["next"] is None  # the whole feed: the last page
    assert api.get(url, {"limit": 1000}, HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304
    params = {"limit": 1000, "since": whole.json()["cursor"]}  # a client caught up
    first = api.get(url, params)
    assert first.json()["next"] is None
    assert api.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    end = first.json()["cursor"]
    user = loader_user()
    draft = services.create(Actor, user=user, reason="draft", slug="d", name="D", kind="person")
    services.update(draft, user=user, reason="draft", expected_version=draft.version, name="E")
    assert api.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    actor = Actor.objects.get(slug="cpa")
    services.update(actor, user=user, reason="public", expected_version=actor.version, name="C")
    changed = api.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert ("actors", actor.pk) in {(e["resource"], e["id"]) for e in changed.json()["results"]}
    assert changed.json()["cursor"] != end
