"""The explorer in chromium (Playwright) against a live server, with every request to
another origin aborted and recorded: the network draws what GraphQL `network` answers, the
timeline the API's ties and events, the map the places with coordinates; a node opens its
actor, an edge shows its citations; nothing hidden is drawn; no console error; no request
leaves the server. `/` in a browser is the explorer.

Takes the README's screenshots of the curated dataset, docs/explorer-*.png (rewritten when
missing or with SAHEL_UPDATE_SCREENSHOT=1)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.explorer.browser import browser_test

SCREENSHOTS = Path(settings.BASE_DIR) / "docs"


def api(url: str, **params) -> dict:
    return Client().get(url, params).json()


def drawn(page) -> dict:
    """What the pictures of the page drew, once each says it is ready."""
    found = {}
    for name in ("network", "timeline", "map"):
        if page.locator(f"#{name}").count() and page.locator(f"#{name}").get_attribute(
            "data-item-count" if name == "timeline" else "id"
        ) not in (None, "0"):
            page.locator(f"#{name}[data-ready=true]").wait_for()
        found[name] = page.evaluate(
            "(name) => { const e = document.getElementById(name); return e && {...e.dataset}; }",
            name,
        )
    return found


@browser_test
def test_the_actor_page_draws_the_apis_network_timeline_and_map_offline(
    offline, brigade, ask_network
):
    tab = offline()
    tab.goto("/actors/sahel-brigade/")
    page = tab.page
    pictures = drawn(page)

    # The network: as many nodes and edges as GraphQL answers, the same actors.
    answer = ask_network("sahel-brigade", 1)
    network = pictures["network"]
    assert int(network["drawnNodeCount"]) == int(network["nodeCount"]) == len(answer["nodes"])
    assert int(network["drawnEdgeCount"]) == int(network["edgeCount"]) == len(answer["edges"])
    labels = page.evaluate("window.sahelExplorer.network.nodes().map((n) => n.data('label'))")
    assert sorted(labels) == ["Abu Example", "Old Front", "Sahel Brigade"]
    styles = page.evaluate(
        """Object.fromEntries(window.sahelExplorer.network.edges().map((e) => [
            e.data('certainty'),
            [e.style('line-style'), e.style('line-color'), e.style('label')],
        ]))"""
    )
    assert styles["confirmed"][0] == "solid"
    assert styles["disputed"][0] == "dashed"
    assert styles["disputed"][1] == "rgb(179,38,30)"
    assert styles["disputed"][2] == "allied with (disputed)"

    # The timeline: the API's ties and events of the actor, each drawn once.
    ties = api("/api/v1/affiliations/", actor="sahel-brigade")["count"]
    events = api("/api/v1/events/", actor="sahel-brigade")["count"]
    timeline = pictures["timeline"]
    assert int(timeline["drawnItemCount"]) == int(timeline["itemCount"]) == ties + events == 4
    assert page.locator("#timeline .vis-item.vis-range, #timeline .vis-item.vis-point").count() == (
        ties + events
    )
    assert page.locator("#timeline .vis-item.vis-point").count() == 1  # the attack, a day
    open_end = page.locator("#timeline .vis-item.open-end", has_text="end not given")
    assert open_end.count() == 1
    mask = open_end.evaluate("(e) => getComputedStyle(e, '::before').maskImage")
    assert "linear-gradient" in mask  # faded towards the edge

    # The map: the one place with coordinates, over the country outlines.
    assert pictures["map"]["drawnPointCount"] == "1"
    assert int(pictures["map"]["drawnOutlineCount"]) > 200
    assert page.locator("#map path.place").count() == 1

    # Nothing hidden anywhere on the page.
    assert "hush" not in page.content().lower()

    # An edge shows its tie and citations; a node opens its actor's page.
    def click(selector: str, point: str):
        box = page.locator("#network").bounding_box()
        x, y = page.evaluate(
            f"(() => {{ const p = window.sahelExplorer.network.$('{selector}').{point}();"
            " return [p.x, p.y]; })()"
        )
        page.mouse.click(box["x"] + x, box["y"] + y)

    click(f"#t{brigade.leads.pk}", "renderedMidpoint")
    details = page.locator("#tie-details")
    details.get_by_text("Abu Example has led the Sahel Brigade since 2016.").wait_for()
    assert "para. 4" in details.inner_text()
    assert "Report on the Sahel" in details.inner_text()
    click(f"#a{brigade.abu.pk}", "renderedPosition")
    page.wait_for_url("**/actors/abu-example/")
    drawn(page)
    tab.settle()
    tab.assert_offline()


@browser_test
def test_the_network_controls_redraw_it_for_a_year_and_a_depth(offline, brigade, ask_network):
    tab = offline()
    tab.goto("/actors/sahel-brigade/")
    page = tab.page
    page.select_option("select[name=depth]", "2")
    page.fill("input[name=valid_at]", "2017")
    page.get_by_role("button", name="Draw").click()
    page.wait_for_url("**/actors/sahel-brigade/?depth=2&valid_at=2017")
    network = drawn(page)["network"]
    answer = ask_network("sahel-brigade", 2, validAt="2017")
    assert int(network["drawnNodeCount"]) == len(answer["nodes"]) == 2  # the alliance is later
    assert int(network["drawnEdgeCount"]) == len(answer["edges"])
    tab.settle()
    tab.assert_offline()


@browser_test
def test_the_root_is_the_explorer_in_a_browser_and_its_search_finds_actors(offline, brigade):
    tab = offline()
    tab.goto("/")
    page = tab.page
    assert page.title() == "Explorer · Sahel actor database"
    page.fill("#home-search", "Abou Exemple")
    page.locator("#home-search").press("Enter")
    page.get_by_role("link", name="Abu Example").click()
    page.wait_for_url("**/actors/abu-example/")
    drawn(page)
    tab.settle()
    tab.assert_offline()


@browser_test
def test_the_event_and_place_pages_draw_offline(offline, brigade):
    tab = offline()
    tab.goto("/events/attack-on-gao/")
    pictures = drawn(tab.page)
    assert pictures["timeline"]["drawnItemCount"] == "1"
    assert pictures["map"]["drawnPointCount"] == "1"
    tab.page.get_by_role("link", name="Gao").first.click()
    tab.page.wait_for_url("**/places/gao/")
    pictures = drawn(tab.page)
    assert pictures["map"]["drawnPointCount"] == "1"
    assert "hush" not in tab.page.content().lower()  # the draft raid at Gao
    tab.settle()
    tab.assert_offline()


@browser_test
def test_the_curated_dataset_in_the_explorer_and_its_screenshots(offline, tmp_path):
    call_command("load_dataset", verbosity=0)
    update = os.environ.get("SAHEL_UPDATE_SCREENSHOT") == "1"

    def screenshot(name: str, target, **options):
        path = SCREENSHOTS / name
        path = path if update or not path.exists() else tmp_path / name
        target.screenshot(path=str(path), **options)

    tab = offline()
    tab.goto("/actors/yahya-abu-al-hammam/")
    pictures = drawn(tab.page)
    tab.settle()
    tab.assert_offline()
    ties = api("/api/v1/affiliations/", actor="yahya-abu-al-hammam")["count"]
    events = api("/api/v1/events/", actor="yahya-abu-al-hammam")["count"]
    timeline = pictures["timeline"]
    assert int(timeline["drawnItemCount"]) + int(timeline["undatedCount"]) == ties + events
    assert int(pictures["network"]["drawnEdgeCount"]) == ties
    # The curated places have no coordinates: the map says so, and draws the outlines.
    assert pictures["map"]["drawnPointCount"] == "0"
    assert tab.page.locator("[data-map-empty]").is_visible()
    screenshot("explorer-network.png", tab.page.locator("#network"))
    screenshot("explorer-timeline.png", tab.page.locator("#timeline"))

    for name, path, whole in (
        ("explorer-home.png", "/", False),
        ("explorer-place.png", "/places/timbuktu-region/", True),
    ):
        tab = offline()
        tab.goto(path)
        drawn(tab.page)
        tab.settle()
        tab.assert_offline()
        screenshot(name, tab.page, full_page=whole)
