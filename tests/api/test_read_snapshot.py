"""Every public read is answered from one snapshot: a response is built by several queries
(a page, then its children, citations and sources), and an edit another connection commits
between two of them must not show in the later ones. Outside the test transaction (a
transaction already open decides its own isolation): its own module."""

import threading
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actors.models import Name
from sahel.core import services
from sahel.read import projection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def actor(make, reviewer):
    actor = make.actor(name="Katiba Serma", status="published")
    make.name(actor, "Serma", status="published")
    return actor


def _name_published_elsewhere(actor, reviewer):
    def publish():
        try:
            services.create(
                Name, user=reviewer, reason="new spelling", actor=actor, name="Sarma",
                status="published",
            )  # fmt: skip
        finally:
            connection.close()

    thread = threading.Thread(target=publish)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")
@pytest.mark.parametrize("path", ["/api/v1/actors/{id}/", "/api/v1/actors/"])
def test_a_name_committed_while_a_response_is_built_waits_for_the_next(actor, reviewer, path):
    read_children, published = projection._children, []

    def children_after_a_commit(*args, **kwargs):
        if not published:  # the actors are read: another connection publishes a name now
            _name_published_elsewhere(actor, reviewer)
            published.append(True)
        return read_children(*args, **kwargs)

    client = APIClient()
    url = path.format(id=actor.pk)
    with mock.patch.object(projection, "_children", children_after_a_commit):
        body = client.get(url).json()
    [item] = [body] if "id" in body else body["results"]
    assert [n["name"] for n in item["names"]] == ["Serma"]
    body = client.get(url).json()
    [item] = [body] if "id" in body else body["results"]
    assert sorted(n["name"] for n in item["names"]) == ["Sarma", "Serma"]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/actors/", None),
        ("get", "/api/v1/changes/", None),
        ("post", "/graphql/", {"query": "{ actors(first: 5) { nodes { id names { name } } } }"}),
    ],
)
def test_rest_the_feed_and_graphql_read_in_one_read_only_transaction(actor, method, path, data):
    client = APIClient()
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data, format="json")
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    # Every query of the response inside it (SQLite: deferred, no write lock taken).
    assert statements[0] == ("BEGIN" if connection.vendor == "postgresql" else "BEGIN DEFERRED")
    assert statements[-1] == "COMMIT"
    if connection.vendor == "postgresql":
        assert statements[1] == "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
    assert not connection.in_atomic_block  # and it ended with the response
