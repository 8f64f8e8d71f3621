"""Forms that fit: the claim's own fields first, a new name with no kind until the editor
picks one, long inlines folded with their count, quote boxes as tall as their quote."""

import pytest
from django.urls import reverse

from tests.admin.conftest import form_data

pytestmark = pytest.mark.django_db


def test_the_claims_own_fields_come_first(editor_client, make):
    actor = make.actor()
    page = editor_client.get(reverse("admin:actors_actor_change", args=[actor.pk]))
    fieldsets = [(fs.name, list(fs.fields)) for fs in page.context["adminform"]]
    assert fieldsets[0][1][:2] == ["slug", "name"]
    assert fieldsets[-2] == ("Certainty and review", ["certainty", "status", "editorial_note"])
    assert fieldsets[-1][0] == "Change"


def test_a_new_name_has_no_kind_until_one_is_chosen(editor_client, make):
    actor = make.actor()
    add = reverse("admin:actors_name_add")
    page = editor_client.get(add)
    form = page.context["adminform"].form
    assert form["kind"].value() == ""
    assert form.fields["kind"].choices[0] == ("", "— choose —")
    data = form_data(page, actor=str(actor.pk), name="Katibat", change_reason="a name")
    data.pop("kind", None)
    response = editor_client.post(add, data)
    assert response.status_code == 200
    assert "kind" in response.context["adminform"].form.errors
    # On the actor's page, the empty row for a new name too.
    page = editor_client.get(reverse("admin:actors_actor_change", args=[actor.pk]))
    names = next(
        f for f in page.context["inline_admin_formsets"] if f.opts.model.__name__ == "Name"
    )
    assert names.formset.empty_form["kind"].value() == ""


def test_an_existing_name_keeps_its_kind(editor_client, make):
    actor = make.actor()
    name = make.name(actor, "JNIM", kind="acronym")
    page = editor_client.get(reverse("admin:actors_name_change", args=[name.pk]))
    assert page.context["adminform"].form["kind"].value() == "acronym"


def test_long_inlines_fold_and_count_their_rows(editor_client, make):
    actor = make.actor()
    kind = make.affiliation_type()
    for _ in range(7):
        make.affiliation(actor, make.actor(), type=kind)
    page = editor_client.get(reverse("admin:actors_actor_change", args=[actor.pk]))
    html = page.content.decode()
    inlines = {f.formset.prefix: f for f in page.context["inline_admin_formsets"]}
    assert inlines["affiliations_as_subject"].is_collapsible
    assert "Ties as subject (this actor → other) (7)" in html
    assert not inlines["affiliations_as_object"].is_collapsible


def test_a_quote_box_is_as_tall_as_its_quote(editor_client, make):
    actor = make.actor()
    make.citation(actor, quote="word " * 200)
    page = editor_client.get(reverse("admin:actors_actor_change", args=[actor.pk]))
    citations = page.context["inline_admin_formsets"][-1].formset
    assert citations.forms[0].fields["quote"].widget.attrs["rows"] >= 11
    assert 'class="quote"' in page.content.decode()
