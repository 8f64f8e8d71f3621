"""The reconciliation service (/reconcile/) on the curated dataset, every response kind
validated against the W3C Reconciliation API 0.2 JSON Schemas (shared/data/reconciliation-0.2,
draft 7, $refs resolved offline through a referencing Registry)."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas"  # the W3C 0.2 schemas, unchanged


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        uri = schema["$id"].rstrip("#")
        resources.append((uri, Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(body: dict, schema_file: str) -> None:
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    errors = list(Draft7Validator(schema, registry=REGISTRY).iter_errors(body))
    assert not errors, [e.message for e in errors]


def reconcile(client, queries: dict, method="get"):
    send = client.get if method == "get" else client.post
    return send("/reconcile/", {"queries": json.dumps(queries)})


def test_manifest(client, curated):
    response = client.get("/reconcile/", HTTP_ORIGIN="https://example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    validate(body, "manifest.json")
    assert body["versions"] == ["0.2"]
    assert {t["id"] for t in body["defaultTypes"]} >= {"person", "organization"}


def test_cors_is_open_for_reconcile(client, curated):
    response = client.options(
        "/reconcile/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    # Not everywhere: the editors' workbench is not open to other origins.
    other = client.get("/admin/login/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_batch(client, curated, method, django_assert_num_queries):
    queries = {
        "q0": {"query": "Abou Zeid"},
        "q1": {"query": "Iyad Ag Ghaly", "type": "person", "limit": 2},
        "q2": {"query": "Ansar Dine", "type": ["organization"]},
        "q3": {"query": "Abu", "limit": 3},
        "q4": {"query": "Wxyzzy"},
    }
    # The candidates of the whole batch in one query, the actors in one more.
    with django_assert_num_queries(2):
        response = reconcile(client, queries, method)
    assert response.status_code == 200, response.content
    body = response.json()
    validate(queries, "reconciliation-query-batch.json")
    validate(body, "reconciliation-result-batch.json")
    first = {key: value["result"][0] if value["result"] else None for key, value in body.items()}
    assert first["q0"]["id"] == "abdelhamid-abu-zayd"
    assert first["q0"]["match"] is True
    assert first["q1"]["id"] == "iyad-ag-ghali"
    assert len(body["q1"]["result"]) <= 2
    assert first["q2"]["id"] == "ansar-al-din"
    # Many actors are "Abu ...": none is clearly ahead, so none is a match.
    assert not any(candidate["match"] for candidate in body["q3"]["result"])
    assert body["q4"]["result"] == []


@pytest.mark.parametrize("size", [1, 10, 50])
def test_a_batch_runs_the_same_queries_whatever_its_size(
    client, curated, size, django_assert_num_queries
):
    texts = ["Abou Zeid", "Iyad Ag Ghaly", "Ansar Dine", "Abu", "Fulani", "Wxyzzy", "JNIM"]
    queries = {f"q{i}": {"query": texts[i % len(texts)]} for i in range(size)}
    with django_assert_num_queries(2):
        body = reconcile(client, queries).json()
    assert len(body) == size
    assert body[f"q{size - 1}"] == reconcile(client, {"q": queries[f"q{size - 1}"]}).json()["q"]


def test_types_and_properties_narrow_and_refine(client, curated):
    body = reconcile(
        client,
        {
            "people": {"query": "Fulani", "type": "person"},
            "groups": {"query": "Fulani", "type": "ethnic_group"},
            "kind": {"query": "Fulani", "properties": [{"pid": "kind", "v": "ethnic_group"}]},
            "area": {
                "query": "Fulani preacher",
                "properties": [{"pid": "country", "v": "burkina-faso"}],
            },
        },
    ).json()
    validate(body, "reconciliation-result-batch.json")
    assert {c["type"][0]["id"] for c in body["people"]["result"]} == {"person"}
    assert body["groups"]["result"][0]["id"] == "fulani"
    assert body["kind"]["result"][0]["id"] == "fulani"
    area = body["area"]["result"]
    assert area[0]["id"] == "unnamed-fulani-preacher-burkina-faso"
    assert {"id": "country", "value": True} in area[0]["features"]


def test_published_actors_only(client, curated):
    body = reconcile(client, {"q": {"query": "Smugglers in the Timbuktu region"}}).json()
    assert "timbuktu-smugglers" not in [c["id"] for c in body["q"]["result"]]
    assert client.get("/reconcile/preview/", {"id": "timbuktu-smugglers"}).status_code == 404
    extended = client.get(
        "/reconcile/",
        {"extend": json.dumps({"ids": ["timbuktu-smugglers"], "properties": [{"id": "names"}]})},
    ).json()
    assert extended["rows"]["timbuktu-smugglers"]["names"] == []


def test_preview_card(client, curated):
    response = client.get("/reconcile/preview/", {"id": "iyad-ag-ghali"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "X-Frame-Options" not in response
    assert b"Iyad ag Ghali" in response.content


def test_suggest(client, curated):
    body = client.get("/reconcile/suggest/entity/", {"prefix": "Droukd"}).json()
    validate(body, "suggest-entities-response.json")
    assert body["result"][0]["id"] == "abdelmalek-droukdel"
    types = client.get("/reconcile/suggest/type/", {"prefix": "pers"}).json()
    validate(types, "suggest-types-response.json")
    assert [t["id"] for t in types["result"]] == ["person"]
    properties = client.get("/reconcile/suggest/property/", {"prefix": "name"}).json()
    validate(properties, "suggest-properties-response.json")
    proposal = client.get("/reconcile/propose_properties/", {"type": "person"}).json()
    validate(proposal, "data-extension-property-proposal.json")


def test_data_extension(client, curated):
    query = {
        "ids": ["iyad-ag-ghali", "jnim", "no-such-actor"],
        "properties": [{"id": p} for p in ("kind", "names", "identifiers", "begin", "end", "ties")],
    }
    validate(query, "data-extension-query.json")
    response = client.post("/reconcile/", {"extend": json.dumps(query)})
    assert response.status_code == 200, response.content
    body = response.json()
    validate(body, "data-extension-response.json")
    iyad = body["rows"]["iyad-ag-ghali"]
    assert iyad["kind"] == [{"id": "person", "name": "person"}]
    assert {"str": "ag Ghali"} in iyad["names"]
    assert "jnim" in [tie["id"] for tie in iyad["ties"]]
    assert body["rows"]["no-such-actor"] == {p["id"]: [] for p in query["properties"]}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"queries": ""}, "queries"),
        ({"queries": "{}"}, "queries"),
        ({"queries": '{"q0": {"query": ""}}'}, "queries"),
        ({"queries": json.dumps({"q0": {"query": "x" * 10_001}})}, "queries"),
        ({"queries": json.dumps({"q0": {"query": "abu\x00"}})}, "queries"),
        ({"queries": '{"q0": {"query": "abu"'}, "queries"),
        ({"queries": "[1, 2]"}, "queries"),
        ({"queries": json.dumps({"q0": {"query": "abu", "type": "dragon"}})}, "queries"),
        ({"queries": json.dumps({"q0": {"query": "abu", "limit": "many"}})}, "queries"),
        (
            {"queries": json.dumps({"q0": {"query": "abu", "properties": [{"pid": "x", "v": 1}]}})},
            "queries",
        ),
        ({"extend": '{"ids": "jnim"}'}, "extend"),
        ({"extend": json.dumps({"ids": ["jnim"], "properties": [{"id": "salary"}]})}, "extend"),
        ({"bogus": "1"}, "bogus"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(client, curated, params, parameter):
    for send in (client.get, client.post):
        response = send("/reconcile/", params)
        assert response.status_code == 400, response.content
        assert list(response.json()) == [parameter]


def test_bad_suggest_and_preview_input(client, curated):
    assert client.get("/reconcile/suggest/entity/", {"prefix": ""}).status_code == 400
    assert client.get("/reconcile/suggest/entity/", {"prefix": "a\x00"}).status_code == 400
    assert client.get("/reconcile/preview/", {"id": "x" * 300}).status_code == 400
    assert client.get("/reconcile/propose_properties/", {"type": "dragon"}).status_code == 400


def test_the_schemas_do_refuse():
    """The validation is real: a manifest without the 0.2 version and with a type lacking
    its id (type.json, reached through a $ref) is refused."""
    bad = {"versions": ["0.1"], "name": "x", "identifierSpace": "x", "schemaSpace": "x"}
    bad["defaultTypes"] = [{"name": "no id"}]
    schema = json.loads((SCHEMAS / "manifest.json").read_text(encoding="utf-8"))
    errors = list(Draft7Validator(schema, registry=REGISTRY).iter_errors(bad))
    assert len(errors) == 2, [e.message for e in errors]
