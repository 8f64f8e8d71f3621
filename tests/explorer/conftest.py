"""Fixtures of the explorer's tests: `offline`, chromium pages that reach only the live
server (tests/explorer/browser.py); `ask_network`, GraphQL's answer to compare the pages
with; `brigade`, a small world with hidden things beside it."""

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from tests.explorer.browser import CHROMIUM, CHROMIUM_ARGS, HOST, OfflinePage


@pytest.fixture
def offline(live_server, settings, monkeypatch):
    """Open OfflinePage(s) on the live server, as http://sahel.test:<port>."""
    from playwright import sync_api

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are synchronous all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server's request threads must not keep connections open past the test
    # (PostgreSQL would refuse to drop the test database).
    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 0)
    base_url = f"http://{HOST}:{urlsplit(live_server.url).port}"
    # A deployed site is served over HTTPS: a secure context, where the browser applies the
    # Cross-Origin-Opener-Policy header (on plain HTTP it logs an error that it ignored it).
    secure = f"--unsafely-treat-insecure-origin-as-secure={base_url}"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, secure]
        )
        yield lambda: OfflinePage(browser, base_url)
        browser.close()
        connections.close_all()


@pytest.fixture
def ask_network():
    """`ask_network(actor, depth=1, **arguments)`: GraphQL `network`, node and edge slugs."""
    from django.test import Client

    query = """query($actor: String!, $depth: Int!, $validAt: String, $asOf: String) {
      network(actor: $actor, depth: $depth, validAt: $validAt, asOf: $asOf) {
        nodes { slug } edges { slug } } }"""

    def ask(actor: str, depth: int = 1, **arguments) -> dict:
        response = Client().post(
            "/graphql/",
            {"query": query, "variables": {"actor": actor, "depth": depth, **arguments}},
            content_type="application/json",
        )
        answer = response.json()
        assert "errors" not in answer, answer
        network = answer["data"]["network"]
        return {
            "nodes": sorted(node["slug"] for node in network["nodes"]),
            "edges": sorted(edge["slug"] for edge in network["edges"]),
        }

    return ask


@pytest.fixture
def brigade(make):
    """A small public world around the Sahel Brigade, every claim dated and cited, with
    hidden things (markers containing "hush") tied to it."""
    w = SimpleNamespace()
    w.source = make.source(
        title="Report on the Sahel", publisher="A panel", url="https://example.org/report"
    )
    w.gao = make.place(
        slug="gao", name="Gao", kind="city", latitude="16.27167", longitude="-0.04472", precision=1
    )
    w.mali = make.place(slug="mali", name="Mali", kind="country", precision=3)
    leader_of = make.affiliation_type(slug="leader-of", label="leader of", inverse_label="led by")
    allied = make.affiliation_type(
        slug="allied-with", label="allied with", inverse_label="allied with", symmetric=True
    )
    w.brigade = make.actor(
        slug="sahel-brigade", name="Sahel Brigade", status="published", area=w.mali, begin="2016"
    )
    w.abu = make.actor(slug="abu-example", name="Abu Example", kind="person", status="published")
    w.front = make.actor(slug="old-front", name="Old Front", status="published")
    w.far = make.actor(slug="far-militia", name="Far Militia", status="published")
    make.name(w.abu, "Abou Exemple", kind="variant", status="published")
    w.leads = make.affiliation(
        w.abu, w.brigade, type=leader_of, status="published", start="2016", end="2019~"
    )
    make.citation(
        w.leads,
        source=w.source,
        quote="Abu Example has led the Sahel Brigade since 2016.",
        locator="para. 4",
        stance="supports",
    )
    w.allied = make.affiliation(
        w.brigade, w.front, type=allied, status="published", start="2019", certainty="disputed"
    )
    make.citation(w.allied, source=w.source, quote="The alliance is denied.", stance="disputes")
    w.far_tie = make.affiliation(
        w.far, w.front, type=leader_of, status="published", start="../2015", certainty="probable"
    )
    w.attack = make.event(
        slug="attack-on-gao",
        title="Attack on Gao",
        date="2017-03-02",
        place=w.gao,
        status="published",
    )
    make.participation(w.attack, w.brigade, status="published")
    w.founding = make.event(
        slug="brigade-founded",
        title="The Brigade is founded",
        date="2016~",
        place=w.mali,
        status="published",
    )
    make.participation(w.founding, w.brigade, status="published")

    # Hidden: a draft actor tied by a published tie, a draft tie, a draft event.
    w.hidden_actor = make.actor(slug="hush-front", name="Hush Front")
    make.affiliation(w.hidden_actor, w.brigade, type=leader_of, status="published", start="2018")
    make.affiliation(
        w.brigade, w.abu, type=allied, start="2020", role_title="hush role", slug="hush-tie"
    )
    w.hidden_event = make.event(
        slug="hush-raid", title="Hush raid", date="2018", place=w.gao, status="draft"
    )
    make.participation(w.hidden_event, w.brigade, status="published")
    w.markers = ["hush"]
    return w
