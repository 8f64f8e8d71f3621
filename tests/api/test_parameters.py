"""Parameter strictness: nothing a client sends is half ignored, both list syntaxes work
for every multi-valued filter, and a list costs one query however many values it names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.exported import records_of

pytestmark = pytest.mark.django_db


def slugs(api, url, params):
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("url", "param", "values"),
    [
        ("/api/v1/affiliations/", "type", ["leader-of", "deputy-leader-of"]),
        ("/api/v1/affiliations/", "certainty", ["possible", "disputed"]),
        ("/api/v1/events/", "type", ["interview", "threat"]),
        ("/api/v1/actors/", "kind", ["state", "armed_force"]),
        ("/api/v1/places/", "kind", ["city", "country"]),
    ],
)
def test_lists_are_accepted_repeated_or_comma_separated(api, url, param, values):
    repeated = slugs(api, url, {param: values, "page_size": 1000})
    assert repeated == slugs(api, url, {param: ",".join(values), "page_size": 1000})
    each = [slugs(api, url, {param: v, "page_size": 1000}) for v in values]
    assert repeated == sorted({slug for found in each for slug in found})
    assert all(each), "every value selects something, so the union is a real test"


@pytest.mark.parametrize(
    ("url", "query", "param"),
    [
        # single-valued parameters given twice
        ("/api/v1/actors/", "search=jnim&search=aqim", "search"),
        ("/api/v1/affiliations/", "actor=jnim&actor=aqim", "actor"),
        ("/api/v1/affiliations/", "valid_at=2018&valid_at=2010", "valid_at"),
        ("/api/v1/actors/", "page_size=5&page_size=10", "page_size"),
        ("/api/v1/actors/", "ordering=name&ordering=id", "ordering"),
        ("/api/v1/actors/", "as_of=2025-01-01&as_of=2026-01-01", "as_of"),
        ("/api/v1/actors/1/", "as_of=2025-01-01&as_of=2026-01-01", "as_of"),
        ("/api/v1/changes/", "limit=1&limit=2", "limit"),
        ("/api/v1/export/", "as_of=2025-01-01&as_of=2026-01-01", "as_of"),
        # empty list items
        ("/api/v1/affiliations/", "type=,,", "type"),
        ("/api/v1/affiliations/", "type=leader-of,", "type"),
        ("/api/v1/actors/", "kind=person,,state", "kind"),
        ("/api/v1/actors/", "kind=", "kind"),
        ("/api/v1/export/", "resource=actors,,", "resource"),
        # dates that bound nothing, or a range that is empty
        ("/api/v1/events/", "date_from=../2015", "date_from"),
        ("/api/v1/events/", "date_to=2015/..", "date_to"),
        ("/api/v1/events/", "date_from=2018&date_to=2015", "date_from"),
        ("/api/v1/affiliations/", "valid_at=../..", "valid_at"),
        # a doubled reversal
        ("/api/v1/actors/", "ordering=--name", "ordering"),
        ("/api/v1/actors/", "ordering=-", "ordering"),
        # a list naming an unknown value among known ones
        ("/api/v1/affiliations/", "type=leader-of&type=friend-of", "type"),
    ],
)
def test_ambiguous_parameters_are_refused_by_name(api, url, query, param):
    response = api.get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param], response.json()


def test_export_resources_repeated_or_comma_separated(api):
    def lines(query):
        response = api.get(f"/api/v1/export/?{query}")
        assert response.status_code == 200
        return records_of(response)

    assert lines("resource=places&resource=sources") == lines("resource=places,sources")


def test_a_list_costs_one_query_however_many_values(api):
    def count(types):
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/affiliations/", {"type": types})
        assert response.status_code == 200
        return len(queries)

    one = count("leader-of")
    assert count("leader-of,deputy-leader-of,member-of,rival-of") == one
    assert count(["leader-of", "deputy-leader-of", "member-of", "rival-of"]) == one
