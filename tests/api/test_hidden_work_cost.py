"""Hidden editing must not cost public requests anything: the feed and the history skip,
in SQL, change sets whose rows were never public before nor after them, so the number of
queries (and so the response time) of a feed page or a history request does not grow with
draft-only work, and cannot be used to time it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Actor
from events.models import Event
from sahel.core import services
from sahel.dataset.loader import loader_user

pytestmark = pytest.mark.django_db


class HiddenWork:
    """A draft actor taking part (draft participation, cited) in a published event."""

    def __init__(self, make):
        self.user = loader_user()
        self.event = Event.objects.get(slug="killing-of-salim-ould-mbegui-2018-09")
        self.actor = make.actor(name="Draft Person", status="draft")
        self.part = make.participation(self.event, self.actor, status="draft")
        self.citation = make.citation(self.part)
        self.rounds = 0

    def edit(self, rounds: int) -> None:
        for _ in range(rounds):
            self.rounds += 1
            n = self.rounds
            for attr, field in (("actor", "description"), ("part", "note"), ("citation", "note")):
                obj = getattr(self, attr)
                obj = services.update(
                    obj,
                    user=self.user,
                    reason=f"draft-only edit {n}",
                    expected_version=obj.version,
                    **{field: f"draft {n}"},
                )
                setattr(self, attr, obj)


def measure(api, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_history_cost_does_not_grow_with_draft_work(api, make):
    work = HiddenWork(make)
    url = f"/api/v1/events/{work.event.pk}/history/"
    work.edit(1)
    before, body = measure(api, url)
    work.edit(15)
    after, again = measure(api, url)
    assert again == body
    assert after == before, (before, after)
    assert after <= 60


def test_feed_cost_does_not_grow_with_draft_work(api, make):
    work = HiddenWork(make)
    end = api.get("/api/v1/changes/", {"limit": 1000}).json()["cursor"]
    work.edit(1)
    before, body = measure(api, "/api/v1/changes/", since=end, limit=1)
    work.edit(15)
    after, again = measure(api, "/api/v1/changes/", since=end, limit=1)
    assert body["results"] == again["results"] == []
    assert after == before, (before, after)
    # The end cursor is inside the last change set: its rest is read (none), then the log
    # (nothing maybe public); on PostgreSQL two statements more set the owners' join plan.
    assert after <= 12
    # A public change after the hidden work is found at the same cost.
    actor = Actor.objects.get(slug="cpa")
    services.update(
        actor,
        user=work.user,
        reason="public edit",
        expected_version=actor.version,
        description="Public.",
    )
    work.edit(15)
    found, page = measure(api, "/api/v1/changes/", since=end, limit=1)
    assert [(e["resource"], e["id"], e["action"]) for e in page["results"]] == [
        ("actors", actor.pk, "updated")
    ]
    work.edit(15)
    assert measure(api, "/api/v1/changes/", since=end, limit=1)[0] == found
