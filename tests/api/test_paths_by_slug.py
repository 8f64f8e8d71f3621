"""Details and histories by slug as by id; an object that did not exist yet at `as_of`
answers "No actor 'jnim' as of <instant>", the same words as for a hidden or absent one."""

import datetime

import pytest
from django.utils import timezone

from actors.models import Actor

pytestmark = pytest.mark.django_db


def test_detail_and_history_by_slug_are_those_by_id(api):
    jnim = Actor.objects.get(slug="jnim")
    for suffix in ("", "history/"):
        by_slug = api.get(f"/api/v1/actors/jnim/{suffix}")
        by_id = api.get(f"/api/v1/actors/{jnim.pk}/{suffix}")
        assert by_slug.status_code == 200
        assert by_slug.json() == by_id.json()
    for resource in ("affiliations", "events", "places", "sources"):
        item = api.get(f"/api/v1/{resource}/", {"page_size": 1}).json()["results"][0]
        by_slug = api.get(f"/api/v1/{resource}/{item['slug']}/")
        assert by_slug.status_code == 200, resource
        assert by_slug.json() == api.get(f"/api/v1/{resource}/{item['id']}/").json()


def test_a_hidden_slug_answers_as_a_slug_that_never_existed(api, make):
    make.actor(slug="drafted-actor", name="Drafted")  # a draft
    for suffix in ("", "history/"):
        hidden = api.get(f"/api/v1/actors/drafted-actor/{suffix}")
        absent = api.get(f"/api/v1/actors/never-existed/{suffix}")
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json() == {"id": ["No actor 'drafted-actor'."]}
        assert absent.json() == {"id": ["No actor 'never-existed'."]}


def test_before_the_history_began_the_answer_says_as_of_when(api):
    before = (Actor.history.order_by("history_date").first().history_date) - datetime.timedelta(
        days=1
    )
    stamp = before.isoformat().replace("+00:00", "Z")
    detail = api.get("/api/v1/actors/jnim/", {"as_of": before.isoformat()})
    assert detail.status_code == 404
    assert detail.json() == {"id": [f"No actor 'jnim' as of {stamp}."]}
    ties = api.get("/api/v1/affiliations/", {"actor": "jnim", "as_of": before.isoformat()})
    assert ties.status_code == 400
    assert ties.json() == {"actor": [f"No actor 'jnim' as of {stamp}."]}
    now = timezone.now().isoformat()
    assert api.get("/api/v1/actors/jnim/", {"as_of": now}).status_code == 200


def test_graphql_names_the_instant_too(api):
    before = (Actor.history.order_by("history_date").first().history_date) - datetime.timedelta(
        days=1
    )
    query = 'query($t: String) { network(actor: "jnim", asOf: $t) { nodes { slug } } }'
    variables = {"t": before.isoformat()}
    payload = api.post("/graphql/", {"query": query, "variables": variables}, format="json").json()
    assert payload["errors"][0]["message"].endswith(
        f"No actor 'jnim' as of {before.isoformat().replace('+00:00', 'Z')}."
    )
