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


# -- a refused quote: what the source says instead -------------------------------------------
TEXT = (
    "Al-Qaeda in Timbuktu\n"
    "The Algeria-born AQIM has a long history in Timbuktu, a desert region.\n"
    "Mokhtar Belmokhtar may have begun cultivating ties with smugglers in the Timbuktu "
    "region as early as 1994. In the early 2000s, Belmokhtar married a woman there.\n"
    "Jama‘at Nusrat al-Islam wa-l-Muslimin was announced in 2017."
)


def refusal(make, quote, locator=""):
    from django.core.exceptions import ValidationError

    source = make.source(slug="timbuktu", text=TEXT)
    with pytest.raises(ValidationError) as caught:
        make.citation(make.actor(), source=source, quote=quote, locator=locator)
    return caught.value.message_dict


def test_a_misquote_is_answered_with_the_nearest_passage(make):
    errors = refusal(make, "Belmokhtar began cultivating ties with smugglers in Timbuktu in 1994")
    assert errors["quote"][0].startswith("The quote is not verbatim in 'timbuktu'")
    assert errors["quote"][1] == (
        "Nearest in the source: “Belmokhtar may have begun cultivating ties with smugglers "
        "in the Timbuktu region as early as 1994”"
    )


def test_a_quote_typed_with_straight_apostrophes_is_found(make):
    errors = refusal(make, "Jama'at Nusrat al-Islam")
    assert "only in apostrophes" in errors["quote"][1]
    assert "“Jama‘at Nusrat al-Islam”" in errors["quote"][1]


def test_a_quote_nothing_resembles_says_so(make):
    errors = refusal(make, "completely unrelated words about football matches")
    assert errors["quote"][1].startswith("Nothing in the source is close to it")


def test_a_wrong_paragraph_names_the_right_one(make):
    errors = refusal(make, "a desert region", locator="para. 3")
    assert errors["locator"] == [
        "The quote is in 'timbuktu' but not in paragraph 3: it is in paragraph 2 (para. 2)."
    ]
