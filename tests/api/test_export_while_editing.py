"""An edit committed while the export streams (here: by the same connection, between two
chunks) does not show in the export: it reads one snapshot."""

import pytest

from places.models import Place
from sahel.core import services
from sahel.dataset.loader import loader_user
from tests.api.exported import read_export

pytestmark = pytest.mark.django_db


def test_an_edit_committed_while_the_export_streams_is_not_in_it(api, make, monkeypatch):
    from sahel.read import export

    monkeypatch.setattr(export, "STREAM_BATCH", 2)
    monkeypatch.setattr(export, "CHUNK_BYTES", 1)  # a line a chunk
    last = Place.objects.order_by("-id").first()
    stream = iter(api.get("/api/v1/export/", {"resource": "places"}).streaming_content)
    first = next(stream)  # the first chunk is out; the rest is read later
    user = loader_user()
    services.update(
        last, user=user, reason="rename", expected_version=last.version, name="RENAMED-LATER"
    )
    make.place(slug="created-while-streaming")
    rest = b"".join(stream)
    places, _ = read_export(first + rest)
    assert len(places) == Place.objects.count() - 1
    assert not [p for p in places if p["slug"] == "created-while-streaming"]
    assert next(p for p in places if p["id"] == last.pk)["name"] != "RENAMED-LATER"
