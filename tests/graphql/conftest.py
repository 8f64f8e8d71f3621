import pytest
from django.test import Client


@pytest.fixture
def gql(db):
    """`gql(query, **variables)`: POST the query as JSON to /graphql/; the parsed body."""
    client = Client()

    def run(query: str, **variables) -> dict:
        response = client.post(
            "/graphql/",
            {"query": query, "variables": variables},
            content_type="application/json",
        )
        return response.json()

    return run
