"""Errors: JSON on every API path (REST, GraphQL, the reconciliation service, health),
whatever went wrong; HTML pages for people elsewhere (sahel/errors.py)."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from sahel.core import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    # The handlers answer what a view raised, as in production (not re-raised in the test).
    return Client(raise_request_exception=False)


def body(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def graphql_error(response) -> dict:
    errors = body(response)["errors"]
    assert len(errors) == 1
    return errors[0]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here/", "/api/nothing/", "/api/v1/actors/1/nope/", "/reconcile/nothing/"],
)
def test_an_unknown_api_path_is_a_json_404(api, path):
    response = api.get(path, HTTP_ACCEPT="text/html")  # even for a browser
    assert response.status_code == 404
    assert body(response)["code"] == "NOT_FOUND"


def test_an_unknown_path_under_graphql_is_a_graphql_404(api):
    response = api.get("/graphql/nothing/")
    assert response.status_code == 404
    assert graphql_error(response)["extensions"]["code"] == "NOT_FOUND"


def test_a_method_the_api_does_not_take_is_a_json_405(api):
    response = api.delete("/api/v1/actors/")
    assert response.status_code == 405
    assert "DELETE" in body(response)["detail"]
    response = api.put("/graphql/", data="{}", content_type="application/json")
    assert response.status_code == 405
    error = graphql_error(response)
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET and POST" in error["message"]
    response = api.post("/healthz/")
    assert response.status_code == 405
    assert "GET" in body(response)["detail"]
    assert response["Allow"] == "GET"


def test_an_oversize_body_is_a_413_naming_the_limit(api, settings):
    settings.SAHEL_MAX_BODY_BYTES = 1000
    query = json.dumps({"query": "{ actors { totalCount } }", "padding": "x" * 2000})
    response = api.post("/graphql/", data=query, content_type="application/json")
    assert response.status_code == 413
    error = graphql_error(response)
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "limit_bytes": 1000}
    assert "the limit is 1000 bytes" in error["message"]
    response = api.post("/api/v1/actors/", data=query, content_type="application/json")
    assert response.status_code == 413
    assert body(response)["limit_bytes"] == 1000
    # Within the limit, the same request is answered.
    small = api.post(
        "/graphql/",
        data=json.dumps({"query": "{ actors { totalCount } }"}),
        content_type="application/json",
    )
    assert small.status_code == 200


def test_the_default_limit_takes_a_large_query_and_refuses_10_mb(api):
    response = api.post(
        "/graphql/", data="x" * 10_000_000, content_type="application/json"
    )  # the 10 MB
    assert response.status_code == 413
    assert graphql_error(response)["extensions"]["limit_bytes"] == 1024 * 1024


def test_a_body_over_djangos_own_limit_is_a_413_too(api, settings):
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE (checked when a view reads the body) is met
    first when it is the lower one."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    query = json.dumps({"query": "{ actors { totalCount } }", "padding": "x" * 200})
    response = api.post("/graphql/", data=query, content_type="application/json")
    assert response.status_code == 413
    assert graphql_error(response)["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_bad_requests_are_json_400s(api):
    response = api.post("/graphql/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Unable to parse request body as JSON" in graphql_error(response)["message"]
    response = api.get("/api/v1/actors/", HTTP_HOST="evil.example")  # DisallowedHost
    assert response.status_code == 400
    assert body(response)["code"] == "BAD_REQUEST"
    response = api.post(
        "/graphql/", data="{}", content_type="application/json", HTTP_CONTENT_LENGTH="x"
    )
    assert response.status_code == 400
    response = api.get("/api/v1/actors/?page_size=0")  # DRF's own, unchanged
    assert response.status_code == 400
    assert "page_size" in body(response)


def test_an_error_in_the_format_the_client_asked_for_is_left_as_it_is(api):
    response = api.get("/api/v1/actors/?format=csv&bogus=1")
    assert response.status_code == 400
    # The API's own error naming the parameter (JSON, or CSV rows where the CSV renderer
    # writes it), never rewritten into a generic "Bad Request.".
    assert b"bogus" in response.content
    assert b"Bad Request." not in response.content


def test_a_failure_is_a_masked_json_500(api):
    with mock.patch.object(selectors, "public", side_effect=RuntimeError("secret detail")):
        response = api.get("/api/v1/actors/")
        assert response.status_code == 500
        assert body(response) == {
            "detail": "Internal server error.",
            "code": "INTERNAL_SERVER_ERROR",
        }
        response = api.get("/actors/jnim/", HTTP_ACCEPT="text/html")  # a page: HTML
        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/html")
        assert b"secret detail" not in response.content
        # GraphQL masks a resolver's failure in its own answer (sahel/graphql/limits.py).
        response = api.post(
            "/graphql/",
            data=json.dumps({"query": "{ actors { totalCount } }"}),
            content_type="application/json",
        )
        assert graphql_error(response)["message"] == "Internal error."
        assert b"secret detail" not in response.content


def test_the_database_unreachable_is_a_503_with_retry_after(api, settings):
    settings.SAHEL_RETRY_AFTER_SECONDS = 7
    down = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    # (no driver error as its cause: no answer from any server)
    with mock.patch.object(selectors, "public", side_effect=down):
        response = api.get("/api/v1/actors/")
        assert response.status_code == 503
        assert response["Retry-After"] == "7"
        assert body(response) == {
            "detail": "The database is unavailable; try again in 7 seconds.",
            "code": "DATABASE_UNAVAILABLE",
            "retry_after": 7,
        }
        # GraphQL: not a 200 with a masked error, the same 503.
        response = api.post(
            "/graphql/",
            data=json.dumps({"query": "{ actors { totalCount } }"}),
            content_type="application/json",
        )
        assert response.status_code == 503
        assert response["Retry-After"] == "7"
        assert graphql_error(response)["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        # A page for people: an HTML 503, with Retry-After too.
        response = api.get("/actors/jnim/", HTTP_ACCEPT="text/html")
        assert response.status_code == 503
        assert response["Retry-After"] == "7"
        assert response["Content-Type"].startswith("text/html")
        assert b"connection" not in response.content.lower()


def test_html_pages_keep_html_error_pages(api):
    response = api.get("/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    response = api.get("/admin/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code in (302, 404)  # the admin sends strangers to its login
    assert not response["Content-Type"].startswith("application/json")
    # GraphiQL and the API docs are pages under API paths, and stay pages.
    assert api.get("/graphql/", HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")
    swagger = api.get("/api/v1/schema/swagger/", HTTP_ACCEPT="text/html")
    assert swagger.status_code == 200
    assert swagger["Content-Type"].startswith("text/html")


def test_a_stream_that_fails_at_its_start_is_answered_as_json(api):
    """The export streams; the database down when it opens its snapshot is a 503 too."""
    down = OperationalError("the database system is shutting down")
    with mock.patch("sahel.read.export.lines", side_effect=down):
        response = api.get("/api/v1/export/?resource=places")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert body(response)["code"] == "DATABASE_UNAVAILABLE"
    export = api.get("/api/v1/export/?resource=places")
    assert export.status_code == 200
    assert export.streaming


def _wrapped(cause) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_only_an_unreachable_database_is_a_503_not_every_operational_error():
    import sqlite3

    import psycopg
    from django.db import InterfaceError

    from sahel.core.outages import is_unavailable

    assert is_unavailable(_wrapped(psycopg.errors.AdminShutdown("terminating connection")))
    assert is_unavailable(_wrapped(psycopg.errors.CannotConnectNow("starting up")))
    assert is_unavailable(_wrapped(psycopg.errors.TooManyConnections("too many clients")))
    assert is_unavailable(_wrapped(psycopg.OperationalError("connection refused")))
    assert is_unavailable(InterfaceError("connection already closed"))
    assert is_unavailable(_wrapped(sqlite3.OperationalError("database is locked")))
    # A fault of the code or a cancelled statement: a 500, not "try again".
    assert not is_unavailable(_wrapped(sqlite3.OperationalError("no such table: actors_actor")))
    assert not is_unavailable(_wrapped(psycopg.errors.QueryCanceled("statement timeout")))
    assert not is_unavailable(RuntimeError("boom"))


def test_a_missing_table_is_a_masked_500_not_a_503(api):
    broken = _wrapped(__import__("sqlite3").OperationalError("no such table: actors_actor"))
    with mock.patch.object(selectors, "public", side_effect=broken):
        response = api.get("/api/v1/actors/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert b"actors_actor" not in response.content
