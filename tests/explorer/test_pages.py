"""The explorer's pages through the Django test client: `/` by content negotiation, the
home page's counts, changes and licence, search, the actor, event and place pages and
their data islands (what the scripts draw), compared with the APIs' answers; `as_of` and
`valid_at`; bad parameters; hidden objects."""

import json
import re

import pytest
from django.utils import timezone

from actors.models import Actor
from sahel.core import services

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def page(client, url, status=200, **params) -> str:
    response = client.get(url, params, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == status, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def island(html: str, name: str):
    """The JSON data island `name` (json_script) of a page."""
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    assert found, name
    return json.loads(found.group(1))


def api(client, url, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


# -- / for people and for programs ----------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        ("*/*", False),  # curl
        ("application/json", False),
        ("application/json, text/html;q=0.5", False),
        (None, False),
    ],
)
def test_the_root_answers_browsers_with_the_explorer_and_programs_with_json(client, accept, html):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = client.get("/", **headers)
    assert response.status_code == 200
    assert "Accept" in response["Vary"]
    if html:
        assert response["Content-Type"].startswith("text/html")
        assert "<h1>Sahel actor database</h1>" in response.content.decode()
    else:
        body = response.json()
        assert body["name"] == "Sahel actor database"
        assert body["links"]["api"].endswith("/api/v1/")


def test_the_home_page_counts_what_the_apis_count(client, brigade):
    html = page(client, "/")
    for resource in ("actors", "affiliations", "events", "places", "sources"):
        count = api(client, f"/api/v1/{resource}/")["count"]
        assert f'<td data-count="{resource}">{count}</td>' in html
    assert '<td data-count="actors">4</td>' in html  # the hidden actor is not counted
    for link in ("/api/v1/", "/api/v1/schema/swagger/", "/api/v1/schema/redoc/", "/graphql/"):
        assert f'href="{link}"' in html


def test_the_home_page_lists_recent_public_changes_not_hidden_ones(client, make, editor):
    actor = make.actor(slug="sahel-brigade", name="Sahel Brigade", reason="Add the brigade")
    services.publish(actor, user=editor, reason="Reviewed the brigade", expected_version=1)
    make.actor(slug="hush-front", name="Hush Front", reason="Hush: a draft's reason")
    html = page(client, "/")
    recent = html[html.index("data-recent-changes") :]
    assert "Reviewed the brigade" in recent
    assert 'href="/actors/sahel-brigade/"' in recent
    assert "hush" not in html.lower()
    # The feed says the same.
    feed = api(client, "/api/v1/changes/")["results"]
    assert [entry["reason"] for entry in feed] == ["Reviewed the brigade"]


def test_the_home_page_shows_the_first_entries_of_a_large_change_set(client, make, editor):
    """The home page reads a bounded page of each recent change set (a change set of
    5,000 objects cost seconds on a cold load), and links to the rest in the feed."""
    from sahel.core.history import change_set
    from sahel.explorer import pages

    with change_set(editor, "Load the brigades"):
        for n in range(pages.RECENT_ENTRIES + 2):
            make.actor(slug=f"brigade-{n}", name=f"Brigade {n}", status="published")
    recent = page(client, "/")
    recent = recent[recent.index("data-recent-changes") :]
    assert recent.count('class="change-entry') == pages.RECENT_ENTRIES
    assert "Brigade 0" in recent
    assert f"Brigade {pages.RECENT_ENTRIES}<" not in recent
    rest = recent[recent.index('class="change-more"') :]
    start = rest.index('href="') + 6
    href = rest[start : rest.index('"', start)].replace("&amp;", "&")
    shown = api(client, href)["results"]
    assert [e["data"]["name"] for e in shown] == [
        f"Brigade {n}" for n in range(pages.RECENT_ENTRIES, pages.RECENT_ENTRIES + 2)
    ]


def test_the_licence_is_shown_once_it_is_set(client, db, settings):
    assert "The licence of the data is not set yet" in page(client, "/")
    settings.SAHEL_DATA_LICENCE = {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    html = page(client, "/")
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in html
    )
    assert "not set yet" not in html
    assert "Sahel actor database. http://testserver/" in html  # how to cite
    settings.SAHEL_CITATION = "Cite the Sahel actor database, with the instant you read."
    assert "Cite the Sahel actor database, with the instant you read." in page(client, "/")


# -- search -----------------------------------------------------------------------------------


def test_search_finds_actors_by_any_spelling_as_the_api_does(client, brigade):
    html = page(client, "/search/", q="abou exemple")
    found = re.findall(r'<li class="result">\s*<a href="([^"]+)">', html)
    assert found == ["/actors/abu-example/"]
    assert [
        a["slug"] for a in api(client, "/api/v1/actors/", search="abou exemple")["results"]
    ] == ["abu-example"]
    assert 'data-result-count="0"' in page(client, "/search/", q="hush front")
    assert "Give a name" in page(client, "/search/")


# -- the actor page -----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_network_is_graphqls_network(client, brigade, ask_network, depth):
    html = page(client, "/actors/sahel-brigade/", depth=depth)
    graph = island(html, "network-data")
    nodes = sorted(node["data"]["href"].split("/")[2] for node in graph["nodes"])
    answer = ask_network("sahel-brigade", depth)
    assert nodes == answer["nodes"]
    ties = re.findall(r'<tr id="network-tie-(\d+)">', html)
    assert len(graph["edges"]) == len(ties) == len(answer["edges"])
    assert f'data-node-count="{len(nodes)}"' in html
    assert f'data-edge-count="{len(answer["edges"])}"' in html
    expected = {1: 3, 2: 4, 3: 4}[depth]  # the brigade, Abu Example, the Front; then Far
    assert len(nodes) == expected


def test_edges_are_labelled_by_type_with_their_certainty_and_citations(client, brigade):
    graph = island(page(client, "/actors/sahel-brigade/"), "network-data")
    edges = {edge["data"]["label"]: edge["data"] for edge in graph["edges"]}
    assert set(edges) == {"leader of", "allied with (disputed)"}
    assert edges["allied with (disputed)"]["certainty"] == "disputed"
    assert edges["allied with (disputed)"]["symmetric"] is True
    [citation] = edges["leader of"]["tie"]["citations"]
    assert citation["quote"] == "Abu Example has led the Sahel Brigade since 2016."
    assert (citation["locator"], citation["stance"]) == ("para. 4", "supports")
    assert citation["source"]["title"] == "Report on the Sahel"
    root = [node["data"] for node in graph["nodes"] if node["data"]["root"]]
    assert [node["label"] for node in root] == ["Sahel Brigade"]


def test_valid_at_draws_who_was_tied_to_whom_that_year(client, brigade, ask_network):
    for year, expected in (("2017", ["abu-example", "sahel-brigade"]), ("2015", ["sahel-brigade"])):
        graph = island(page(client, "/actors/sahel-brigade/", valid_at=year), "network-data")
        nodes = sorted(node["data"]["href"].split("/")[2] for node in graph["nodes"])
        assert nodes == expected == ask_network("sahel-brigade", 1, validAt=year)["nodes"]


def test_the_timeline_has_the_apis_ties_and_events(client, brigade):
    html = page(client, "/actors/sahel-brigade/")
    timeline = island(html, "timeline-data")
    ties = api(client, "/api/v1/affiliations/", actor="sahel-brigade")["results"]
    events = api(client, "/api/v1/events/", actor="sahel-brigade")["results"]
    keys = {item["id"] for item in timeline["items"]}
    assert keys == {f"tie-{t['id']}" for t in ties} | {f"event-{e['id']}" for e in events}
    assert len(keys) == 4
    assert timeline["undated"] == []
    assert f'data-item-count="{len(keys)}"' in html
    items = {item["id"]: item for item in timeline["items"]}
    assert items[f"event-{brigade.attack.pk}"]["type"] == "point"  # 2017-03-02
    founding = items[f"event-{brigade.founding.pk}"]  # 2016~
    assert founding["type"] == "range"
    assert "fuzzy-start" in founding["className"]
    allied = items[f"tie-{brigade.allied.pk}"]  # 2019, no end given
    assert "open-end" in allied["className"]
    assert "end not given" in allied["content"]
    # Every claim of the tables leads to its citations.
    assert "Abu Example has led the Sahel Brigade since 2016." in html
    assert "The alliance is denied." in html


def test_an_undated_tie_is_listed_under_the_timeline_not_drawn(client, brigade, make):
    undated = make.affiliation(brigade.front, brigade.brigade, status="published")
    html = page(client, "/actors/sahel-brigade/")
    timeline = island(html, "timeline-data")
    assert f"tie-{undated.pk}" not in {item["id"] for item in timeline["items"]}
    assert [entry["key"] for entry in timeline["undated"]] == [f"tie-{undated.pk}"]
    assert f'href="#row-tie-{undated.pk}"' in html
    assert f'id="row-tie-{undated.pk}"' in html


def test_the_map_draws_the_places_with_coordinates_and_says_when_there_are_none(client, brigade):
    html = page(client, "/actors/sahel-brigade/")
    drawn = island(html, "map-data")
    assert [
        (p["slug"], p["latitude"], p["longitude"], p["precision"]) for p in drawn["points"]
    ] == [("gao", 16.27167, -0.04472, 1)]
    assert drawn["points"][0]["what"] == ["Attack on Gao"]
    assert [p["slug"] for p in drawn["unlocated"]] == ["mali"]  # the area and the founding
    assert "data-map-empty" not in html
    html = page(client, "/places/mali/")
    assert island(html, "map-data")["points"] == []
    assert "None of these places has coordinates in the database" in html


def test_as_of_reads_the_past_everywhere_and_links_keep_it(client, brigade, editor):
    then = timezone.now()
    abu = Actor.objects.get(pk=brigade.abu.pk)
    services.update(abu, user=editor, reason="Renamed", expected_version=abu.version, name="Abu X")
    now = page(client, "/actors/sahel-brigade/")
    assert "Abu X" in now
    instant = then.isoformat().replace("+00:00", "Z")
    past = page(client, "/actors/sahel-brigade/", as_of=instant)
    assert "Abu X" not in past
    labels = {node["data"]["label"] for node in island(past, "network-data")["nodes"]}
    assert "Abu Example" in labels
    assert f'href="/actors/abu-example/?as_of={instant.replace(":", "%3A")}"' in past
    assert "As the database stood at" in past
    # Before it was written, it is not there.
    page(client, "/actors/sahel-brigade/", 404, as_of="2000-01-01")


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"depth": "4"}, "depth"),
        ({"depth": "two"}, "depth"),
        ({"valid_at": "2018-13"}, "valid_at"),
        ({"valid_at": "../.."}, "valid_at"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2999-01-01"}, "as_of"),
    ],
)
def test_a_bad_parameter_is_a_400_page_naming_it(client, brigade, params, named):
    html = page(client, "/actors/sahel-brigade/", 400, **params)
    assert f"<li>{named}: " in html


def test_a_hidden_actor_is_not_found_like_one_that_never_existed(client, brigade):
    hidden = page(client, "/actors/hush-front/", 404)
    absent = page(client, "/actors/no-such-front/", 404)
    assert hidden.replace("hush-front", "X") == absent.replace("no-such-front", "X")


def test_no_page_shows_a_hidden_claim(client, brigade):
    urls = [
        "/",
        "/actors/sahel-brigade/",
        "/actors/sahel-brigade/?depth=3",
        "/actors/abu-example/",
        "/actors/old-front/",
        "/events/attack-on-gao/",
        "/places/gao/",
        "/places/mali/",
        "/search/?q=front",
    ]
    for url in urls:
        html = page(client, url)
        assert "hush" not in html.lower(), url


def test_the_pages_load_only_from_this_server_and_run_no_inline_script(client, brigade):
    for url in ("/", "/actors/sahel-brigade/", "/events/attack-on-gao/", "/places/gao/"):
        html = page(client, url)
        for tag, reference in re.findall(
            r"<(script|link|img)\b[^>]*?(?:src|href)=\"([^\"]*)\"", html
        ):
            assert reference.startswith(("/static/", "data:")), (url, tag, reference)
        scripts = re.findall(r"<script\b([^>]*)>", html)
        assert bool(scripts) is (url != "/")  # the home page draws nothing
        for attributes in scripts:
            assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url  # no inline event handlers


# -- event and place pages ------------------------------------------------------------------------


def test_the_event_page_links_its_participants_place_and_parts(client, brigade, make):
    part = make.event(
        slug="second-wave",
        title="Second wave",
        date="2017-03",
        parent=brigade.attack,
        status="published",
    )
    html = page(client, "/events/attack-on-gao/")
    assert 'href="/actors/sahel-brigade/"' in html
    assert 'href="/places/gao/"' in html
    assert 'href="/events/second-wave/"' in html
    timeline = island(html, "timeline-data")
    assert {item["id"] for item in timeline["items"]} == {
        f"event-{brigade.attack.pk}",
        f"event-{part.pk}",
    }
    assert 'href="/events/attack-on-gao/"' in page(client, "/events/second-wave/")
    page(client, "/events/hush-raid/", 404)


def test_the_place_page_has_its_events_actors_and_places_within(client, brigade, make):
    inside = make.place(slug="gao-region", name="Gao region", kind="region", parent=brigade.mali)
    html = page(client, "/places/mali/")
    assert 'href="/places/gao-region/"' in html
    assert 'href="/actors/sahel-brigade/"' in html  # its area
    assert 'href="/events/brigade-founded/"' in html
    assert 'href="/places/mali/"' in page(client, "/places/gao-region/")
    assert inside.pk
    events = api(client, "/api/v1/events/", place="mali")["results"]
    assert len(island(html, "timeline-data")["items"]) == len(events)


def test_a_page_reads_in_a_bounded_number_of_queries(
    client, brigade, django_assert_max_num_queries
):
    with django_assert_max_num_queries(45):
        page(client, "/actors/sahel-brigade/", depth=3)


def test_dates_in_the_tables_say_what_they_can_mean(client, brigade):
    html = page(client, "/actors/sahel-brigade/")
    assert "2019~, approximate, between" in html
    assert "2017-03-02, the day 2017-03-02" in html
