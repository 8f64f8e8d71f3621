"""CORS (django-cors-headers): the public read-only API, /graphql/ and /reconcile/ answer
any origin without credentials; the admin and the pages never answer another origin."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from sahel.core import selectors

pytestmark = pytest.mark.django_db
ORIGIN = "https://app.example.net"


@pytest.fixture
def browser_app():
    return Client(raise_request_exception=False, HTTP_ORIGIN=ORIGIN)


def assert_open(response):
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/actors/", "/api/v1/changes/", "/api/v1/schema/", "/reconcile/"]
)
def test_public_reads_answer_any_origin_without_credentials(browser_app, path):
    response = browser_app.get(path)
    assert_open(response)


def test_a_graphql_preflight_and_post_from_another_origin(browser_app):
    preflight = browser_app.options(
        "/graphql/",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 200
    assert_open(preflight)
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "content-type" in preflight["Access-Control-Allow-Headers"].lower()
    for method in ("PUT", "DELETE", "PATCH"):
        assert method not in preflight["Access-Control-Allow-Methods"]
    answer = browser_app.post(
        "/graphql/",
        data=json.dumps({"query": "{ actors { totalCount } }"}),
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert_open(answer)


def test_errors_are_readable_from_another_origin(browser_app, settings):
    """A browser app can read why it was refused: the 413, the 400, the 503 carry CORS too
    (and Retry-After is exposed to its script)."""
    settings.SAHEL_MAX_BODY_BYTES = 10
    too_big = browser_app.post("/graphql/", data="{" * 100, content_type="application/json")
    assert too_big.status_code == 413
    assert_open(too_big)
    settings.SAHEL_MAX_BODY_BYTES = 1024 * 1024
    assert_open(browser_app.get("/api/v1/actors/?page_size=0"))
    with mock.patch.object(selectors, "public", side_effect=OperationalError("refused")):
        down = browser_app.get("/api/v1/actors/")
    assert down.status_code == 503
    assert_open(down)
    assert "Retry-After" in down["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/", "/actors/jnim/", "/healthz/"])
def test_the_admin_and_the_pages_never_answer_another_origin(browser_app, path):
    assert "Access-Control-Allow-Origin" not in browser_app.get(path)
    preflight = browser_app.options(
        path,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="cookie",
    )
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Methods" not in preflight
