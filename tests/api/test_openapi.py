"""The OpenAPI schema describes what the endpoints answer, errors included."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_history_errors_are_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    histories = [path for path in schema["paths"] if path.endswith("/history/")]
    assert len(histories) == 5
    for path in histories:
        assert {"400", "404"} <= set(schema["paths"][path]["get"]["responses"]), path
    assert api.get("/api/v1/actors/1/history/", {"page": "1"}).status_code == 400


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[1]} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _json_schema(schema, path, content="application/json"):
    return schema["paths"][path]["get"]["responses"]["200"]["content"][content]["schema"]


def test_named_models_are_shared_by_list_detail_history_feed_and_export(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    models = schema["components"]["schemas"]
    assert {
        "Actor",
        "ActorSummary",
        "Name",
        "Identifier",
        "Affiliation",
        "Event",
        "Participation",
        "Place",
        "Source",
        "Citation",
        "FuzzyDate",
        "ActorHistoryEntry",
        "ActorPage",
        "ChangeFeedEntry",
        "ExportLine",
        "Error",
    } <= set(models)
    assert _json_schema(schema, "/api/v1/actors/") == {"$ref": "#/components/schemas/ActorPage"}
    assert models["ActorPage"]["properties"]["results"]["items"] == {
        "$ref": "#/components/schemas/Actor"
    }
    assert _json_schema(schema, "/api/v1/actors/{id}/") == {"$ref": "#/components/schemas/Actor"}
    assert models["ActorHistoryEntry"]["properties"]["data"] == {
        "$ref": "#/components/schemas/Actor"
    }
    assert "ActorHistoryEntry" in _refs(models["ActorChange"])
    assert "Actor" in _refs(models["ActorLine"])
    export = schema["paths"]["/api/v1/export/"]["get"]["responses"]["200"]["content"]
    assert export["application/x-ndjson"]["x-item-schema"] == {
        "$ref": "#/components/schemas/ExportLine"
    }
    # Nothing is inline that has a name: every object schema of a response is a reference.
    assert {"Citation", "FuzzyDate", "PlaceSummary", "Name"} <= _refs(models["Actor"])
    assert _refs(schema) <= set(models)


def _parameters(schema, path) -> dict:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}


def test_parameters_state_their_constraints(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    actors = _parameters(schema, "/api/v1/actors/")
    assert actors["kind"]["minItems"] == 1
    assert "" not in actors["kind"]["items"]["enum"]
    assert actors["as_of"]["format"] == "date-time"
    assert "pattern" in actors["date_from"]
    assert "pattern" in actors["valid_at"]
    assert _parameters(schema, "/api/v1/export/")["resource"]["minItems"] == 1
    description = next(
        p["description"]
        for p in schema["paths"]["/api/v1/actors/"]["get"]["parameters"]
        if p["name"] == "as_of"
    )
    assert "Not in the future" in description


def _pattern(name):
    from sahel.rest.schema import EDTF_PARAMETERS, edtf_pattern

    return edtf_pattern(**EDTF_PARAMETERS[name][0])


@pytest.mark.parametrize("name", ["date_from", "date_to", "valid_at"])
def test_every_edtf_value_the_schema_allows_is_a_date_the_filters_parse(name):
    """The patterns are generated from a grammar, not a list: hypothesis draws from each and
    the server's own parser (the one the filters use) must accept every draw whose interval
    is in order, with the bounds the parameter needs."""
    from django.core.exceptions import ValidationError
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sahel.core.fuzzy_dates import parse_bounds

    pattern = _pattern(name)

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(st.from_regex(pattern, fullmatch=True))
    def parses(text):
        try:
            bounds = parse_bounds(text)
        except ValidationError as exc:
            refused = str(exc)
        else:
            refused = None
        if refused is not None:
            assert "ends before it starts" in refused, (text, refused)
            return
        if text:
            if name == "date_from":
                assert bounds.lower is not None, text
            if name == "date_to":
                assert bounds.upper is not None, text

    parses()
    for wrong in ["2018-13", "2013-02-29", "2018-04-31", "0999", "2018-1X", "../..", "x"]:
        assert not re.fullmatch(pattern, wrong), wrong
