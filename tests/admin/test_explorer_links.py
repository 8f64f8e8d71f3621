"""The actor's change form links to its network, timeline and map in the explorer; a
hidden actor's form says it is not public and links to its public surroundings instead."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def links(client, obj):
    response = client.get(reverse("admin:actors_actor_change", args=[obj.pk]))
    assert response.status_code == 200
    return response.context["explorer"], response.content.decode()


def test_a_public_actor_links_to_its_network_timeline_and_map(editor_client, client, make):
    actor = make.actor(slug="jnim", name="JNIM", status="published")
    explorer, html = links(editor_client, actor)
    assert explorer["public"] is True
    assert explorer["sections"] == [
        ("Network", "/actors/jnim/#network-title"),
        ("Timeline", "/actors/jnim/#timeline-title"),
        ("Map", "/actors/jnim/#map-title"),
    ]
    assert 'href="/actors/jnim/#network-title"' in html
    page = client.get("/actors/jnim/", HTTP_ACCEPT="text/html").content.decode()
    for anchor in ("network-title", "timeline-title", "map-title"):
        assert f'id="{anchor}"' in page


def test_a_draft_actor_links_to_its_public_surroundings(editor_client, client, make):
    draft = make.actor(slug="new-front", name="New Front")
    leader = make.actor(slug="iyad", name="Iyad ag Ghaly", status="published")
    hidden = make.actor(slug="other-draft", name="Other Draft")
    make.affiliation(leader, draft)
    make.affiliation(draft, hidden)
    explorer, html = links(editor_client, draft)
    assert explorer["public"] is False
    assert "Not public (draft)" in html
    assert explorer["neighbours"] == [("Iyad ag Ghaly", "/actors/iyad/")]
    assert "Other Draft" not in html.split('id="explorer-links"')[1].split("</div>")[0]
    assert 'href="/actors/new-front/#network-title"' not in html
    # The explorer itself still hides the draft.
    assert client.get("/actors/new-front/", HTTP_ACCEPT="text/html").status_code == 404
