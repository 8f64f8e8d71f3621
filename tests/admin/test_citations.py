"""Citations as editors read them: the list shows the claim, the quote (shortened) and
the source, and filters by source, stance and claim type (citable models only)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = "/admin/sources/citation/"


@pytest.fixture
def cited(make):
    report = make.source(title="Panel report")
    article = make.source(title="Press article")
    actor = make.actor(name="Sahel Brigade")
    name = make.name(actor, "Katibat al-Sahil")
    tie = make.affiliation(actor, make.actor(name="Old Front"))
    long_quote = "The brigade was founded in 2016 " + "and grew quickly " * 20
    make.citation(actor, source=report, quote=long_quote)
    make.citation(name, source=article, quote="Katibat al-Sahil, as it calls itself")
    make.citation(tie, source=report, quote="pledged allegiance", stance="disputes")
    return {"report": report, "article": article, "actor": actor, "name": name, "tie": tie}


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response, list(response.context["cl"].result_list)


def test_the_list_shows_the_claim_the_quote_and_the_source(editor_client, cited):
    response, rows = listed(editor_client)
    assert len(rows) == 3
    html = response.content.decode()
    actor_url = reverse("admin:actors_actor_change", args=[cited["actor"].pk])
    assert f'<a href="{actor_url}">Sahel Brigade</a> <small>(actor)</small>' in html
    assert "Sahel Brigade — leader of — Old Front" in html
    assert "The brigade was founded in 2016 and grew quickly" in html
    assert "grew quickly " * 20 not in html  # shortened
    assert "Panel report" in html


def test_filters_by_source_stance_and_claim_type(editor_client, cited):
    _, rows = listed(editor_client, source=cited["report"].pk)
    assert {c.object_id for c in rows} == {cited["actor"].pk, cited["tie"].pk}
    _, rows = listed(editor_client, stance__exact="disputes")
    assert [c.object_id for c in rows] == [cited["tie"].pk]
    _, rows = listed(editor_client, claim_type="name")
    assert [c.object_id for c in rows] == [cited["name"].pk]
    response, _ = listed(editor_client)
    choices = [
        choice["display"]
        for spec in response.context["cl"].filter_specs
        if spec.title == "claim type"
        for choice in spec.choices(response.context["cl"])
    ]
    assert "actor" in choices
    assert "name" in choices
    assert not any("historical" in str(c) for c in choices)
    sources = [
        str(choice["display"])
        for spec in response.context["cl"].filter_specs
        if spec.title == "source"
        for choice in spec.choices(response.context["cl"])
    ]
    assert sources == ["All", "Panel report", "Press article"]
