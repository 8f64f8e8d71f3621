"""The change feed follows commit order: a change set that commits long after it was
stamped is not passed over by a reader who saw a later one commit first."""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from sahel.core import services


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")
def test_a_slow_committer_is_not_passed_over(make, editor):
    slow_actor = make.actor(status="published", name="Slow")
    fast_actor = make.actor(status="published", name="Fast")
    client = APIClient()
    start = client.get("/api/v1/changes/", {"limit": 1000}).json()["cursor"]
    stamped = threading.Event()

    def slow():
        try:
            with transaction.atomic():
                services.update(
                    slow_actor,
                    user=editor,
                    reason="slow",
                    expected_version=slow_actor.version,
                    description="slow",
                )
                stamped.set()  # stamped and numbered; the commit comes 4 s later
                time.sleep(4)
        finally:
            stamped.set()
            connection.close()

    def fast():
        try:
            stamped.wait()
            services.update(
                fast_actor,
                user=editor,
                reason="fast",
                expected_version=fast_actor.version,
                description="fast",
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    stamped.wait()
    time.sleep(2.5)  # the fast change set has had time to commit, the slow one has not
    during = client.get("/api/v1/changes/", {"since": start}).json()
    for thread in threads:
        thread.join()
    after = client.get("/api/v1/changes/", {"since": during["cursor"]}).json()
    reasons = [e["reason"] for e in during["results"] + after["results"]]
    assert reasons == ["slow", "fast"], (during, after)
