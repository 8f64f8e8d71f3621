"""An actor's history and revisions include its names, identifiers and ties; a revert
brings back its names and identifiers as they stood, leaves its ties (claims of their
own), and says what it did."""

import pytest
from django.urls import reverse

from actors.models import Identifier, Name
from sahel.core import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(make, editor):
    """rev1: an actor with the name "Katibat al-Sahil", an identifier, a tie; then the
    name is respelled, a second name added, the identifier deleted, the tie edited."""
    actor = make.actor(name="Sahel Brigade", description="first")
    name = make.name(actor, "Katibat al-Sahil", kind="translation")
    identifier = Identifier.objects.get(
        pk=services.create(
            Identifier, user=editor, reason="crosswalk", actor=actor, scheme="wikidata", value="Q1"
        ).pk
    )
    other = make.actor(name="Old Front")
    tie = make.affiliation(actor, other, role_title="emir")
    actor = services.update(
        actor, user=editor, reason="Describe it", expected_version=1, description="second"
    )
    revision = actor.history.latest()
    services.update(
        name, user=editor, reason="Respell", expected_version=1, name="Katibat al-Sahel"
    )
    added = make.name(actor, "Sahel Battalion", reason="Another name")
    services.delete(identifier, user=editor, reason="Wrong QID", expected_version=1)
    services.update(tie, user=editor, reason="Retitle", expected_version=1, role_title="chief")
    return {"actor": actor, "name": name, "added": added, "tie": tie, "revision": revision}


def test_the_history_page_lists_names_identifiers_and_ties(editor_client, story):
    actor = story["actor"]
    response = editor_client.get(reverse("admin:actors_actor_history", args=[actor.pk]))
    parts = {item["part"].name: item["rows"] for item in response.context["parts_history"]}
    assert list(parts) == ["names", "identifiers", "affiliations"]
    assert [r.history_change_reason for r in parts["names"]] == [
        "Another name",
        "Respell",
        "test data",
    ]
    respell = parts["names"][1]
    assert respell.delta == [
        {"field": "Name", "old": "Katibat al-Sahil", "new": "Katibat al-Sahel"}
    ]
    assert [r.get_history_type_display() for r in parts["identifiers"]] == ["Deleted", "Created"]
    assert parts["affiliations"][0].delta == [
        {"field": "Role title", "old": "emir", "new": "chief"}
    ]
    html = response.content.decode()
    assert 'id="names-history"' in html
    assert "Katibat al-Sahil → Katibat al-Sahel" in html.replace("&rarr;", "→")


def test_a_revert_brings_back_the_names_and_says_what_it_restores(editor_client, story):
    actor, name, revision = story["actor"], story["name"], story["revision"]
    url = reverse("admin:actors_actor_simple_history", args=[actor.pk, revision.pk])
    page = editor_client.get(url)
    html = page.content.decode()
    names_then = [row.name for row in page.context["parts_at"][0]["rows"]]
    assert names_then == ["Katibat al-Sahil"]
    restores = html
    assert "names: 1 changed back, 1 deleted" in restores
    assert "identifiers: 1 restored" in restores
    assert "are not reverted" in restores
    actor.refresh_from_db()
    response = editor_client.post(
        url,
        {"change_reason": "Back to the report's spelling", "expected_version": actor.version},
        follow=True,
    )
    message = str(next(iter(response.context["messages"])))
    assert "names: 1 changed back, 1 deleted" in message
    assert "identifiers: 1 restored" in message
    assert "Affiliations are not reverted" in message
    assert [n.name for n in Name.objects.filter(actor=actor)] == ["Katibat al-Sahil"]
    assert Name.objects.get(pk=name.pk).version == 3  # its own row, changed back
    assert Identifier.objects.get(actor=actor).value == "Q1"
    story["tie"].refresh_from_db()
    assert story["tie"].role_title == "chief"  # a claim of its own: left as it is
    assert Name.history.latest().history_change_reason == "Back to the report's spelling"


def test_an_editor_cannot_revert_away_a_public_name(editor_client, reviewer, story):
    actor, added = story["actor"], story["added"]
    services.publish(added, user=reviewer, reason="ok", expected_version=added.version)
    actor.refresh_from_db()
    url = reverse("admin:actors_actor_simple_history", args=[actor.pk, story["revision"].pk])
    response = editor_client.post(
        url, {"change_reason": "undo", "expected_version": actor.version}, follow=True
    )
    assert "only reviewers take those down" in response.content.decode()
    assert Name.objects.filter(pk=added.pk).exists()
