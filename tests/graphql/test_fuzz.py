"""Schemathesis generates GraphQL queries from the schema (every root field, arguments of
every type, nested selections) and sends them to the app: none may cause a server error,
shown or masked (`Internal error.` is a failure the masking hid). CI runs a bounded number
of examples; SAHEL_FUZZ_EXAMPLES=N runs N a root field (docs/operations.md, "Fuzzing")."""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from graphql import get_introspection_query
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sahel.graphql.schema import schema as graphql_schema
from sahel.wsgi import application

# The schema's own introspection (no request, so no database, at collection).
introspection = graphql_schema.execute_sync(get_introspection_query())
schema = schemathesis.graphql.from_dict({"__schema": introspection.data["__schema"]})
schema.app = application
schema.location = "/graphql/"
EXAMPLES = int(os.environ.get("SAHEL_FUZZ_EXAMPLES", "5"))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As in tests/api/test_fuzz.py: the WSGI app must not close the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dataset(curated, db):
    return None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_generated_queries_never_fail_on_the_server(case, dataset):
    # Not "schema-valid input is accepted": `id` and `slug` together, an unknown slug, an
    # EDTF date the schema can only call a String are refused by name (BAD_USER_INPUT).
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500, response.text[:500]
    answer = response.json()
    masked = [e for e in answer.get("errors") or [] if e.get("message") == "Internal error."]
    assert masked == [], (case.body, answer)
