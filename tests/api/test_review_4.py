"""Export as one snapshot, CSV cells that cannot run as formulas, a feed whose last page is
cacheable, and history errors in the OpenAPI schema."""

import csv
import io
import json

import pytest

from actors.models import Actor
from places.models import Place
from sahel.core import services
from sahel.dataset.loader import loader_user

pytestmark = pytest.mark.django_db


def test_export_without_as_of_is_one_snapshot(api, make, monkeypatch):
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
    places = [json.loads(line) for line in (first + rest).splitlines()]
    assert len(places) == Place.objects.count() - 1
    assert not [p for p in places if p["slug"] == "created-while-streaming"]
    assert next(p for p in places if p["id"] == last.pk)["name"] != "RENAMED-LATER"


def test_csv_cells_cannot_run_as_formulas(api, make):
    make.actor(
        slug="formulas",
        name='=HYPERLINK("http://example.org","x")',
        description="@SUM(A1:A9)",
        status="published",
    )
    make.source(slug="formula-source", title="+1+2", publisher="-3")
    make.source(slug="cr-source", title="\rcarriage", publisher="\ttabbed")
    make.source(slug="fine-source", title="a=b, fine")
    actors = _csv(api, "/api/v1/actors/")
    actor = next(row for row in actors if row["slug"] == "formulas")
    assert actor["name"] == '\'=HYPERLINK("http://example.org","x")'
    assert actor["description"] == "'@SUM(A1:A9)"
    sources = {row["slug"]: row for row in _csv(api, "/api/v1/sources/")}
    assert sources["formula-source"]["title"] == "'+1+2"
    assert sources["formula-source"]["publisher"] == "'-3"
    assert sources["cr-source"]["title"] == "'\rcarriage"
    assert sources["cr-source"]["publisher"] == "'\ttabbed"
    assert sources["fine-source"]["title"] == "a=b, fine"  # only the first character counts
    # JSON keeps the data as it is.
    detail = api.get(f"/api/v1/actors/{Actor.objects.get(slug='formulas').pk}/").json()
    assert detail["description"] == "@SUM(A1:A9)"


def _csv(api, url):
    response = api.get(url, {"format": "csv", "page_size": 1000})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))


def test_the_last_page_of_the_feed_answers_304_until_something_public_changes(api):
    url = "/api/v1/changes/"
    for params in ({"limit": 1000}, {"limit": 1000, "since": api.get(url).json()["cursor"]}):
        first = api.get(url, params)
        assert first.json()["next"] is None  # the last page
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


def test_history_errors_are_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    histories = [path for path in schema["paths"] if path.endswith("/history/")]
    assert len(histories) == 5
    for path in histories:
        assert {"400", "404"} <= set(schema["paths"][path]["get"]["responses"]), path
    assert api.get("/api/v1/actors/1/history/", {"page": "1"}).status_code == 400
