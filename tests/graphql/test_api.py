"""The GraphQL API over the curated dataset: every root field, filters, ordering,
pagination, asOf, validAt, network, changes; query counts; limits; masking; the schema."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Actor
from affiliations.models import Affiliation
from events.models import Event
from places.models import Place
from sahel.core import services
from sahel.dataset.loader import loader_user
from sahel.graphql.limits import MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS
from sources.models import Source
from tests.factories import add_rows
from tests.graphql.queries import EVENTS, NESTED, SEARCH

pytestmark = pytest.mark.django_db


def run(query: str, **variables) -> dict:
    response = Client().post(
        "/graphql/", {"query": query, "variables": variables}, content_type="application/json"
    )
    assert response.status_code in (200, 400), response.content
    return response.json()


def data(query: str, **variables) -> dict:
    body = run(query, **variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def error(query: str, **variables) -> dict:
    body = run(query, **variables)
    assert body.get("errors"), body
    return body["errors"][0]


@pytest.fixture
def gql(curated, db):
    return data


# -- root fields -----------------------------------------------------------------------------

RESOURCES = [
    ("actor", "actors", Actor, "slug name"),
    ("affiliation", "affiliations", Affiliation, "slug roleTitle"),
    ("event", "events", Event, "slug title"),
    ("place", "places", Place, "slug name"),
    ("source", "sources", Source, "slug title"),
]


@pytest.mark.parametrize(("one", "many", "model", "fields"), RESOURCES)
def test_list_and_lookup_by_id_and_slug(gql, one, many, model, fields):
    listed = gql(f"{{ {many}(first: 1000) {{ totalCount nodes {{ id {fields} }} }} }}")[many]
    public = model.objects.filter(**({"status": "published"} if hasattr(model, "status") else {}))
    assert listed["totalCount"] == len(listed["nodes"]) == public.count()
    sample = listed["nodes"][len(listed["nodes"]) // 2]
    by_id = gql(f'{{ {one}(id: "{sample["id"]}") {{ id {fields} }} }}')[one]
    by_slug = gql(f'{{ {one}(slug: "{sample["slug"]}") {{ id {fields} }} }}')[one]
    assert by_id == by_slug == sample
    assert gql(f'{{ {one}(id: "999999") {{ id }} }}')[one] is None


@pytest.mark.parametrize(("one", "many", "model", "fields"), RESOURCES)
def test_lookup_needs_exactly_one_key(curated, db, one, many, model, fields):
    assert "exactly one" in error(f"{{ {one} {{ id }} }}")["message"]
    assert "exactly one" in error(f'{{ {one}(id: "1", slug: "x") {{ id }} }}')["message"]
    assert error(f'{{ {one}(id: "abc") {{ id }} }}')["extensions"]["argument"] == "id"


def test_pagination_walks_every_row_once(gql):
    seen, after, pages = [], None, 0
    while True:
        page = gql(
            "query($after: String) { actors(first: 7, after: $after) { totalCount "
            "edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage "
            "startCursor endCursor } } }",
            after=after,
        )["actors"]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]
    assert pages == -(-page["totalCount"] // 7)


def test_actor_with_its_sourced_affiliations(gql):
    actor = gql(
        """{ actor(slug: "yahya-abu-al-hammam") { name kind certainty
          names { name citations { quote } }
          affiliationsAsSubject { type { label inverseLabel symmetric } roleTitle certainty
            start { edtf lower upper } object { slug name }
            citations { locator quote stance credibility source { slug title reliability } } }
          affiliationsAsObject { subject { slug } type { inverseLabel } }
          participations { role { label } event { slug title date { edtf } } } } }"""
    )["actor"]
    assert {n["name"] for n in actor["names"]} >= {"Abu al-Hammam"}
    ties = {t["object"]["slug"]: t for t in actor["affiliationsAsSubject"]}
    assert "aqim" in ties
    for tie in actor["affiliationsAsSubject"]:
        assert tie["citations"], tie
        for citation in tie["citations"]:
            assert citation["source"]["slug"]
            assert citation["quote"] in Source.objects.get(slug=citation["source"]["slug"]).text
    # Hedged claims keep their hedging.
    assert any(t["certainty"] != "CONFIRMED" for t in actor["affiliationsAsSubject"])
    # The same ties seen from the other side.
    aqim = gql('{ actor(slug: "aqim") { affiliationsAsObject { subject { slug } } } }')["actor"]
    assert "yahya-abu-al-hammam" in {t["subject"]["slug"] for t in aqim["affiliationsAsObject"]}


def test_event_participants_both_ways(gql):
    events = gql(
        "{ events(first: 1000) { nodes { slug participants { role { slug } "
        "actor { slug participations { event { slug } } } event { slug } } } } }"
    )["events"]["nodes"]
    with_participants = [e for e in events if e["participants"]]
    assert with_participants
    for event in with_participants:
        for part in event["participants"]:
            assert part["event"]["slug"] == event["slug"]
            assert event["slug"] in {p["event"]["slug"] for p in part["actor"]["participations"]}


def test_search_matches_rest(gql, client):
    for text in ("Abou al-Hammam", "ag ghaly", "Droukdal", "Jama'at Nusrat", "mbegui"):
        found = gql("query($text: String!) { search(text: $text) { nodes { id } } }", text=text)[
            "search"
        ]["nodes"]
        rest = client.get("/api/v1/actors/", {"search": text}).json()["results"]
        assert found, text
        assert [int(node["id"]) for node in found] == [row["id"] for row in rest]


@pytest.mark.parametrize(
    ("many", "filters", "ordering"),
    [
        ("actors", '{kind: ["person"]}', "-name"),
        ("actors", '{validAt: "2012", kind: ["person", "organization"]}', "begin"),
        ("affiliations", "{certainty: [POSSIBLE, PROBABLE]}", "start"),
        ("actors", '{search: "abu"}', None),
        ("affiliations", '{actor: "jnim", type: ["leader-of", "member-of"]}', "-start"),
        ("affiliations", '{validAt: "2018", dateFrom: "2015"}', "end"),
        ("events", '{dateFrom: "2012", dateTo: "2013-06"}', "-date"),
        ("events", '{actor: "aqim"}', "title"),
        ("places", '{kind: ["city"]}', "name"),
        ("sources", '{reliability: ["F"]}', "-date"),
    ],
)
def test_filters_and_ordering_answer_as_rest(gql, client, many, filters, ordering):
    """One FilterSet and one ordering decide for both APIs: the same rows in the same order."""
    ordering_arg = f', ordering: "{ordering}"' if ordering else ""
    nodes = gql(f"{{ {many}(first: 1000, filter: {filters}{ordering_arg}) {{ nodes {{ id }} }} }}")[
        many
    ]["nodes"]
    params = {"page_size": 1000, **({"ordering": ordering} if ordering else {})}
    for key, value in _rest_params(filters).items():
        params[key] = value
    rest = client.get(f"/api/v1/{many}/", params)
    assert rest.status_code == 200, rest.content
    assert [int(n["id"]) for n in nodes] == [row["id"] for row in rest.json()["results"]]
    assert nodes, "a filter test needs a non-empty answer"


def _rest_params(graphql_filter: str) -> dict:
    """{kind: ["person"], validAt: "2012"} -> {"kind": ["person"], "valid_at": "2012"}."""
    import re

    text = re.sub(r"(\w+):", r'"\1":', graphql_filter)
    text = re.sub(r"\b(POSSIBLE|PROBABLE|CONFIRMED|DOUBTFUL|DISPUTED)\b", r'"\1"', text)
    values = json.loads(text)
    params = {}
    for key, value in values.items():
        name = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)
        if isinstance(value, list):
            if name == "certainty":
                value = [v.lower() for v in value]
            params[name] = (
                value if name in ("kind", "certainty", "reliability") else ",".join(value)
            )
        else:
            params[name] = value
    return params


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ actors(filter: {kind: ["pirate"]}) { totalCount } }', "filter.kind"),
        ('{ actors(filter: {validAt: "2018-13"}) { totalCount } }', "filter.validAt"),
        ('{ actors(filter: {place: "atlantis"}) { totalCount } }', "filter.place"),
        ('{ affiliations(filter: {actor: "nobody"}) { totalCount } }', "filter.actor"),
        ('{ events(filter: {dateFrom: "soon"}) { totalCount } }', "filter.dateFrom"),
        ('{ actors(ordering: "shoe_size") { totalCount } }', "ordering"),
        ('{ actors(after: "not-a-cursor") { totalCount } }', "after"),
        ('{ actors(asOf: "yesterday") { totalCount } }', "asOf"),
        ('{ actors(asOf: "2999-01-01") { totalCount } }', "asOf"),
        ('{ search(text: "") { totalCount } }', "text"),
        ('{ network(actor: "nobody") { depth } }', "actor"),
        ('{ network(actor: "jnim", types: ["loves"]) { depth } }', "types"),
        ('{ network(actor: "jnim", validAt: "x") { depth } }', "validAt"),
        ('{ changes(since: "garbage") { cursor } }', "since"),
        (
            '{ actor(slug: "jnim") { affiliationsAsSubject(validAt: "2018-99") { id } } }',
            "validAt",
        ),
        ('{ actor(slug: "jnim") { affiliationsAsObject(types: ["x"]) { id } } }', "types"),
    ],
)
def test_bad_arguments_are_named(curated, db, query, argument):
    found = error(query)
    assert found["extensions"]["argument"] == argument, found
    assert found["message"].startswith(("Bad argument", "Give")), found
    assert "Internal error" not in found["message"]


# -- time: asOf and validAt ------------------------------------------------------------------


def test_as_of_reproduces_an_earlier_answer(gql):
    query = (
        "query($asOf: String) { affiliations(first: 1000, asOf: $asOf, "
        'filter: {actor: "jnim", validAt: "2018"}) { totalCount nodes { id end { edtf } '
        "subject { slug names { name } } citations { quote } } } }"
    )
    before = gql(query)
    instant = timezone.now()
    tie = Affiliation.objects.get(id=before["affiliations"]["nodes"][0]["id"])
    services.update(
        tie,
        user=loader_user(),
        reason="test: a new source",
        expected_version=tie.version,
        end="2017-12",
    )
    assert gql(query) != before
    assert gql(query, asOf=instant.isoformat()) == before


def test_as_of_before_the_data_existed(gql):
    answer = gql('{ actors(asOf: "2000-01-01") { totalCount nodes { id } } }')["actors"]
    assert answer == {"totalCount": 0, "nodes": []}
    assert gql('{ actor(slug: "jnim", asOf: "2000-01-01") { id } }')["actor"] is None


def test_as_of_carries_into_nested_fields(gql):
    """Nested relations read at the same instant as their root."""
    jnim = Actor.objects.get(slug="jnim")
    query = (
        'query($asOf: String) { actor(slug: "jnim", asOf: $asOf) { name '
        "names { name } affiliationsAsObject { subject { name } } } }"
    )
    before = gql(query)
    instant = timezone.now()
    services.update(
        jnim,
        user=loader_user(),
        reason="test rename",
        expected_version=jnim.version,
        name="Renamed JNIM",
    )
    tie = Affiliation.objects.filter(object=jnim, status="published").first()
    services.withdraw(tie, user=loader_user(), reason="test", expected_version=tie.version)
    assert gql(query)["actor"]["name"] == "Renamed JNIM"
    # The tie is withdrawn: hidden from the past too (retractions are not republished).
    past = gql(query, asOf=instant.isoformat())["actor"]
    assert past["name"] == before["actor"]["name"]
    assert len(past["affiliationsAsObject"]) == len(before["actor"]["affiliationsAsObject"]) - 1


def test_valid_at_on_nested_ties(gql, client):
    """A nested `validAt` keeps exactly the ties REST's `valid_at` keeps."""
    query = (
        'query($at: String) { actor(slug: "jnim") { '
        "affiliationsAsObject(validAt: $at) { id start { lower } end { upper } } } }"
    )
    everything = gql(query)["actor"]["affiliationsAsObject"]
    for at in ("2010", "2018"):
        kept = gql(query, at=at)["actor"]["affiliationsAsObject"]
        rest = client.get(
            "/api/v1/affiliations/", {"object": "jnim", "valid_at": at, "page_size": 1000}
        ).json()["results"]
        assert sorted(int(t["id"]) for t in kept) == sorted(t["id"] for t in rest)
        for tie in kept:
            assert ((tie["start"] or {}).get("lower") or "0000") <= f"{at}-12-31"
            assert ((tie["end"] or {}).get("upper") or "9999") >= f"{at}-01-01"
        if at == "2010":
            assert len(kept) < len(everything)  # JNIM was founded in 2017
        else:
            assert kept


# -- network ---------------------------------------------------------------------------------


def test_network_grows_with_depth(gql):
    query = (
        'query($depth: Int!) { network(actor: "jnim", depth: $depth) { depth truncated '
        "root { slug } nodes { id slug } edges { id subject { id } object { id } } } }"
    )
    sizes = []
    for depth in (1, 2, 3):
        net = gql(query, depth=depth)["network"]
        assert net["root"]["slug"] == "jnim"
        assert net["depth"] == depth
        assert not net["truncated"]
        ids = {n["id"] for n in net["nodes"]}
        for edge in net["edges"]:
            assert {edge["subject"]["id"], edge["object"]["id"]} <= ids
        sizes.append((len(net["nodes"]), len(net["edges"])))
    assert sizes[0] < sizes[1] <= sizes[2]
    # Depth 1 is exactly JNIM's own ties.
    jnim = Actor.objects.get(slug="jnim")
    own = Affiliation.objects.filter(status="published").filter(
        subject=jnim
    ) | Affiliation.objects.filter(status="published", object=jnim)
    public_own = [t for t in own if t.subject.status == t.object.status == "published"]
    assert sizes[0][1] == len(public_own)


def test_network_follows_only_the_types_asked(gql):
    net = gql(
        '{ network(actor: "jnim", depth: 2, types: ["leader-of"]) { edges { type { slug } } } }'
    )["network"]
    assert net["edges"]
    assert {e["type"]["slug"] for e in net["edges"]} == {"leader-of"}


def test_network_depth_is_bounded(curated, db):
    for depth in (0, 4):
        found = error(f'{{ network(actor: "jnim", depth: {depth}) {{ depth }} }}')
        assert found["extensions"]["argument"] == "depth"


# -- changes and history ---------------------------------------------------------------------


def test_changes_walk_matches_rest_feed(gql, client):
    rest = client.get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    walked, since, pages = [], None, 0
    while True:
        pages += 1
        page = gql(
            "query($since: String) { changes(since: $since, limit: 100) { cursor hasMore "
            "entries { cursor resource id action time reason data changes } } }",
            since=since,
        )["changes"]
        walked += page["entries"]
        since = page["cursor"]
        if not page["hasMore"]:
            break
    assert [(e["resource"], int(e["id"]), e["action"]) for e in walked] == [
        (e["resource"], e["id"], e["action"]) for e in rest
    ]
    assert pages > 1, len(walked)  # pages of entries, not of change sets
    assert walked[0]["data"]
    assert walked[0]["reason"]


def test_history_of_a_claim_shows_changes(gql):
    actor = Actor.objects.get(slug="jnim")
    services.update(
        actor,
        user=loader_user(),
        reason="Spelling per the source",
        expected_version=actor.version,
        description="A changed description.",
    )
    history = gql('{ actor(slug: "jnim") { history { time action reason changes } } }')["actor"][
        "history"
    ]
    assert history[0]["action"] == "created"
    last = history[-1]
    assert last["action"] == "updated"
    assert last["reason"] == "Spelling per the source"
    assert last["changes"]["description"]["new"] == "A changed description."


def test_history_is_limited_per_query(gql):
    found = error("{ actors(first: 30) { nodes { history { time } } } }")
    assert found["extensions"]["code"] == "QUERY_TOO_LARGE"


# -- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "pinned"),
    # Pinned: a few queries per level of the query (rows, references, children, citations,
    # sources), the same for 10 and 100 items. A change here is a change of the read path.
    # The search: one for the matcher's candidates (sahel.read.matcher), then the page's.
    [(NESTED, 15), (EVENTS, 10), (SEARCH, 5)],
)
def test_query_count_does_not_grow_with_items(gql, query, pinned):
    add_rows(120)
    counts = []
    for first in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            body = gql(query, first=first)
        items = next(iter(body.values()))["nodes"]
        assert len(items) == first
        counts.append(len(queries))
    assert counts == [pinned, pinned]


def test_the_selection_is_read_once_per_field_not_per_object(gql, monkeypatch):
    """strawberry rebuilds `selected_fields` on every resolver call; the read path asks it
    once per field of the query and request (1,000 ties must not convert it 1,000 times)."""
    from sahel.graphql import selection

    add_rows(120)
    calls = []
    original = selection.selection_names
    monkeypatch.setattr(
        selection, "selection_names", lambda selections: calls.append(1) or original(selections)
    )
    counts = []
    for first in (10, 100):
        calls.clear()
        gql(NESTED, first=first)
        counts.append(len(calls))
    assert counts[0] == counts[1]


def test_aliases_of_one_field_keep_their_own_selections(gql):
    """The per-field selection cache is keyed by the field as written: two aliases of the
    same list asking different things each get what they asked."""
    body = gql(
        """{ a: actor(slug: "yahya-abu-al-hammam") { affiliationsAsSubject { object { name } } }
             b: actor(slug: "yahya-abu-al-hammam") { affiliationsAsSubject { citations { quote } } }
        }"""
    )
    ties_a, ties_b = body["a"]["affiliationsAsSubject"], body["b"]["affiliationsAsSubject"]
    assert ties_a
    assert ties_b
    assert all(set(t) == {"object"} and t["object"]["name"] for t in ties_a)
    assert all(set(t) == {"citations"} for t in ties_b)
    assert any(t["citations"] for t in ties_b)


# -- limits, masking, transport --------------------------------------------------------------


def _no_sql(query: str, **variables) -> dict:
    with CaptureQueriesContext(connection) as queries:
        found = error(query, **variables)
    assert len(queries) == 0, [q["sql"] for q in queries]
    return found


def test_over_deep_queries_are_refused_before_sql(db):
    nested = '{ actor(slug: "jnim") { ' + "area { parent { " * 6 + "name" + " } }" * 6 + " } }"
    found = _no_sql(nested)
    assert "exceeds maximum operation depth" in found["message"]
    assert MAX_QUERY_DEPTH == 10


def test_over_aliased_queries_are_refused_before_sql(db):
    aliases = " ".join(f"a{i}: actors {{ totalCount }}" for i in range(MAX_ALIASES + 1))
    assert "aliases" in _no_sql(f"{{ {aliases} }}")["message"]


def test_over_long_queries_are_refused_before_sql(db):
    fields = " ".join(["totalCount"] * MAX_TOKENS)
    assert "token" in _no_sql(f"{{ actors {{ {fields} }} }}")["message"].lower()


@pytest.mark.parametrize("first", [0, 1001, 10**6])
def test_over_size_pages_are_refused_before_sql(db, first):
    assert (
        _no_sql(f"{{ actors(first: {first}) {{ totalCount }} }}")["extensions"]["argument"]
        == "first"
    )
    found = _no_sql("query($n: Int) { events(first: $n) { totalCount } }", n=first)
    assert found["extensions"]["code"] == "QUERY_TOO_LARGE"
    found = _no_sql(f"query($n: Int = {first}) {{ sources(first: $n) {{ totalCount }} }}")
    assert found["extensions"]["code"] == "QUERY_TOO_LARGE"


def test_unexpected_errors_are_masked(curated, db, monkeypatch):
    from sahel.read.projection import Projection

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: /srv/app/settings.py password=hunter2")

    monkeypatch.setattr(Projection, "build_rows", classmethod(broken))
    body = run("{ actors { totalCount nodes { id } } }")
    assert body["errors"][0]["message"] == "Internal error."
    assert "hunter2" not in json.dumps(body)
    assert "Traceback" not in json.dumps(body)


def test_field_suggestions_are_off(db):
    body = run("{ actors { totalCont } }")
    assert "totalCont" in body["errors"][0]["message"]
    assert "Did you mean" not in body["errors"][0]["message"]


def test_graphiql_on_get(db):
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_get_queries_work_without_csrf(curated, db):
    response = Client(enforce_csrf_checks=True).get(
        "/graphql/", {"query": "{ actors(first: 1) { totalCount } }"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["actors"]["totalCount"] > 0
    response = Client(enforce_csrf_checks=True).post(
        "/graphql/",
        {"query": "{ places(first: 1) { totalCount } }"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_schema_file_is_up_to_date():
    """schema.graphql is the published contract: regenerate it with
    `python manage.py graphql_schema` when the schema changes."""
    from sahel.graphql.management.commands.graphql_schema import SCHEMA_FILE, schema_text

    assert SCHEMA_FILE.read_text() == schema_text(), (
        "schema.graphql drifted from the code: run `python manage.py graphql_schema`"
    )


def test_schema_extensions_are_per_request_factories():
    from strawberry.extensions import SchemaExtension

    from sahel.graphql.schema import schema

    assert schema.extensions
    assert not any(isinstance(ext, SchemaExtension) for ext in schema.extensions)
    first, second = schema.get_extensions(), schema.get_extensions()
    assert all(a is not b for a, b in zip(first, second, strict=True))


def test_actor_events_match_its_participations(gql):
    actors = gql(
        "{ actors(first: 1000) { nodes { slug events { slug date { lower } } "
        "participations { event { slug } } } } }"
    )["actors"]["nodes"]
    assert any(actor["events"] for actor in actors)
    for actor in actors:
        assert {e["slug"] for e in actor["events"]} == {
            p["event"]["slug"] for p in actor["participations"]
        }
        dates = [e["date"]["lower"] for e in actor["events"] if e["date"] and e["date"]["lower"]]
        assert dates == sorted(dates)
    in_2013 = gql('{ actor(slug: "aqim") { events(validAt: "2013") { date { lower upper } } } }')
    for event in in_2013["actor"]["events"]:
        assert (event["date"]["lower"] or "0000") <= "2013-12-31"
        assert (event["date"]["upper"] or "9999") >= "2013-01-01"
    assert in_2013["actor"]["events"]


@pytest.mark.parametrize("one", ["actor", "affiliation", "event", "place", "source"])
def test_every_resource_has_history(gql, one):
    many = {"actor": "actors", "affiliation": "affiliations", "event": "events"}.get(one, one + "s")
    nodes = gql(f"{{ {many}(first: 3) {{ nodes {{ id history {{ action time }} }} }} }}")[many][
        "nodes"
    ]
    for node in nodes:
        assert node["history"][0]["action"] == "created", node


def test_only_what_is_asked_is_built_but_every_alias_gets_its_own(gql):
    """Parts not asked for are not read; the same relation asked twice with different
    selections (aliases, fragments) answers each in full."""
    answer = gql(
        """fragment withNames on Actor { names { name } }
        { actor(slug: "jnim") {
            plain: affiliationsAsObject { subject { slug } }
            rich: affiliationsAsObject { subject { slug ...withNames citations { quote } } }
          }
          network(actor: "jnim") { root { slug names { name } } nodes { slug } } }"""
    )
    plain = answer["actor"]["plain"]
    rich = answer["actor"]["rich"]
    assert [t["subject"]["slug"] for t in plain] == [t["subject"]["slug"] for t in rich]
    assert all(t["subject"]["names"] for t in rich)
    assert any(t["subject"]["citations"] for t in rich)
    assert answer["network"]["root"]["names"]


def test_narrow_queries_cost_fewer_queries(gql):
    def count(query):
        with CaptureQueriesContext(connection) as queries:
            gql(query)
        return len(queries)

    narrow = count("{ actors(first: 50) { nodes { slug } } }")
    wide = count(
        "{ actors(first: 50) { nodes { slug area { name } names { name } "
        "identifiers { value } citations { quote } } } }"
    )
    assert narrow < wide
