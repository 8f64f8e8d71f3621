"""The explorer against the leak world (tests/leak_world.py): every page of every public
object, at every instant, at every depth and with `valid_at`, shows no marker of a hidden
thing in its HTML (pictures' data islands, tables, links) or its headers; a hidden object's
page is the page of one that never existed."""

import pytest

from tests.leak_world import INSTANTS, NONEXISTENT_SLUG, SEARCHED_NAMES, assert_no_leak

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html"}


def params_at(world, instant: str) -> dict:
    return {} if instant == "live" else {"as_of": world.instants[instant].isoformat()}


def fetch(client, world, url: str, status: int, **params) -> str:
    response = client.get(url, params, **HTML)
    text = response.content.decode()
    where = f"GET {url} {params}"
    assert response.status_code == status, (where, text[:500])
    assert_no_leak(text, world.forbidden(), where)
    assert_no_leak("\n".join(f"{k}: {v}" for k, v in response.items()), world.forbidden(), where)
    return text


def exists(world, obj, instant: str) -> bool:
    return instant != "start" and not (instant == "baseline" and obj == world.e2)


@pytest.mark.parametrize("instant", INSTANTS)
def test_no_page_of_a_public_object_shows_a_hidden_one(client, world, instant):
    at = params_at(world, instant)
    fetch(client, world, "/", 200, **at)
    for actor in (world.a, world.b):
        status = 200 if exists(world, actor, instant) else 404
        for depth in (1, 2, 3):
            html = fetch(client, world, f"/actors/{actor.slug}/", status, depth=depth, **at)
            fetch(client, world, f"/actors/{actor.slug}/", status, depth=depth, valid_at=2016, **at)
        if status == 200:
            # Positive control: the public tie and its actors are drawn.
            assert 'data-node-count="2"' in html
            assert 'data-edge-count="1"' in html
    for event in (world.e1, world.e2):
        status = 200 if exists(world, event, instant) else 404
        fetch(client, world, f"/events/{event.slug}/", status, **at)
    status = 404 if instant == "start" else 200
    html = fetch(client, world, f"/places/{world.place.slug}/", status, **at)
    if instant == "live":
        assert "Plain attack" in html
        assert "Public Alpha" in html


@pytest.mark.parametrize("instant", INSTANTS)
def test_search_finds_no_hidden_name(client, world, instant):
    at = params_at(world, instant)
    for label in SEARCHED_NAMES:  # the hidden names, as the REST leak suite searches them
        marker = f"Leakmark{label.replace('-', '')}"
        response = client.get("/search/", {"q": marker, **at}, **HTML)
        assert response.status_code == 200
        html = response.content.decode().replace(marker, "")  # the page repeats the query
        assert_no_leak(html, world.forbidden(), f"GET /search/ q={marker}")
        assert 'data-result-count="0"' in html, label
    if instant == "live":
        assert 'data-result-count="1"' in fetch(client, world, "/search/", 200, q="alpha alias")


@pytest.mark.parametrize("instant", INSTANTS)
def test_a_hidden_objects_page_is_that_of_one_never_written(client, world, instant):
    at = params_at(world, instant)
    probes = [("actors", actor.slug) for actor in world.hidden["actors"]]
    probes.append(("events", world.draft_event.slug))
    for kind, slug in probes:
        answers = []
        for value in (slug, NONEXISTENT_SLUG):
            response = client.get(f"/{kind}/{value}/", at, **HTML)
            assert response.status_code == 404
            answers.append(response.content.decode().replace(value, "<slug>"))
        assert answers[0] == answers[1], slug
        assert_no_leak(answers[0], world.forbidden(), f"/{kind}/{slug}/")
