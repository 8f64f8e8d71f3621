"""Every query the README shows runs, on a freshly loaded dataset, and answers something:
the curl lines of "Querying the REST API" and every GraphQL block. A newcomer who copies
them must not meet an error (as the time-travel examples did when they named an instant
before any fresh install's history)."""

import re
import shlex
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

README = Path(__file__).resolve().parent.parent / "README.md"
pytestmark = pytest.mark.django_db


def _fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), re.S)


def _curl_paths() -> list[str]:
    """The URLs (after $API) of every curl line of the shell examples."""
    paths = []
    for block in _fenced("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            if not line.startswith("curl ") or "$API" not in line:
                continue
            for word in shlex.split(line, posix=True):
                if word.startswith("$API"):
                    paths.append(word.removeprefix("$API"))
    return paths


def _graphql_queries() -> list[str]:
    queries = []
    for block in _fenced("graphql"):
        # Each example is a comment line, then a document up to the next comment line.
        for part in re.split(r"\n(?=# )", block.strip()):
            document = "\n".join(line for line in part.splitlines() if not line.startswith("#"))
            if document.strip():
                queries.append(document)
    return queries


def test_the_readme_has_the_examples_this_test_runs():
    assert len(_curl_paths()) >= 10
    assert len(_graphql_queries()) >= 4


def test_every_curl_example_answers(curated):
    client = Client()
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    cursor = client.get("/api/v1/changes/", {"limit": 10}).json()["cursor"]
    for path in _curl_paths():
        url = "/api/v1" + path.replace("$NOW", now).replace("$CURSOR", cursor)
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (url, body[:300])
        assert body.strip(), url
        if "json" in response["Content-Type"] and not response.streaming:
            data = response.json()
            if "results" in data and "changes" not in url:
                assert data["results"], f"{url} answers nothing"


def test_every_graphql_example_answers(curated):
    client = Client()
    now = timezone.now().isoformat()
    cursor = client.get("/api/v1/changes/", {"limit": 10}).json()["cursor"]
    for query in _graphql_queries():
        query = query.replace("<cursor>", cursor).replace("<instant>", now)
        response = client.post("/graphql/", {"query": query}, content_type="application/json")
        payload = response.json()
        assert response.status_code == 200, (query, payload)
        assert "errors" not in payload, (query, payload)
        assert any(value for value in payload["data"].values()), (query, payload)
