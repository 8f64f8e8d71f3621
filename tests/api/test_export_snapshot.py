"""The export without `as_of` reads live rows in a read-only transaction of its own: one
snapshot, whatever other connections commit while it streams, and the same lines as reading
the history as of that instant. Outside the test transaction (its own module: the curated
dataset of the other modules stays open in a transaction for the whole module)."""

import datetime
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from places.models import Place
from sahel.core import services
from sahel.dataset.loader import loader_user
from tests.api.exported import read_export
from tests.curated import load_curated

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def dataset():
    # A transactional test before this one (the admin's browser test) flushed the database
    # and content types came back with other ids: drop the ids Django cached.
    ContentType.objects.clear_cache()
    load_curated()


def _export(client, **params):
    return b"".join(client.get("/api/v1/export/", params).streaming_content)


def test_the_live_snapshot_gives_the_same_lines_as_the_history(dataset):
    client = APIClient()
    before = timezone.now()
    live, end = read_export(_export(client))
    assert not connection.in_atomic_block  # the stream's transaction ended with it
    assert len(live) > 100
    # The closing line names the snapshot's instant: asked as of it, the history agrees.
    as_of = datetime.datetime.fromisoformat(end["as_of"])
    assert before < as_of < timezone.now()
    again, again_end = read_export(_export(client, as_of=end["as_of"]))
    assert again == live
    assert again_end == end


def test_lines_are_sent_in_chunks_of_whole_lines(dataset, monkeypatch):
    """A write per chunk of about CHUNK_BYTES, not per line; every chunk ends a line."""
    from sahel.read import export

    monkeypatch.setattr(export, "CHUNK_BYTES", 4096)
    chunks = list(APIClient().get("/api/v1/export/").streaming_content)
    lines = b"".join(chunks).splitlines()
    assert len(chunks) < len(lines) / 3
    assert all(chunk.endswith(b"\n") and len(chunk) >= 4096 for chunk in chunks[:-1])


def test_a_client_that_goes_away_ends_the_transaction(dataset, monkeypatch):
    from sahel.read import export

    monkeypatch.setattr(export, "STREAM_BATCH", 2)
    monkeypatch.setattr(export, "CHUNK_BYTES", 1)  # a line a chunk
    response = APIClient().get("/api/v1/export/")
    next(iter(response.streaming_content))
    assert connection.in_atomic_block
    response.close()  # what the server does when the client disconnects
    assert not connection.in_atomic_block


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")
def test_writes_committed_by_another_connection_do_not_show(dataset, make, monkeypatch):
    from sahel.read import export

    monkeypatch.setattr(export, "STREAM_BATCH", 2)
    monkeypatch.setattr(export, "CHUNK_BYTES", 1)  # a line a chunk
    last = Place.objects.order_by("-id").first()
    count = Place.objects.count()
    client = APIClient()
    stream = iter(client.get("/api/v1/export/", {"resource": "places"}).streaming_content)
    first = next(stream)  # the first chunk is out and the snapshot taken; the rest comes later

    def write():
        try:
            services.update(
                last,
                user=loader_user(),
                reason="rename",
                expected_version=last.version,
                name="RENAMED-LATER",
            )
            make.place(slug="created-while-streaming")
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()
    lines = first + b"".join(stream)
    assert len(read_export(lines)[0]) == count
    assert b"created-while-streaming" not in lines
    assert b"RENAMED-LATER" not in lines
    after = _export(client, resource="places")  # committed: the next export shows them
    assert b"created-while-streaming" in after
    assert b"RENAMED-LATER" in after
