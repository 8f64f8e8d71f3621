"""Editing through the admin: reasons, stale saves, inlines through the services,
citation and date checks at entry, search in any spelling, revert and restore."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from actors.models import Actor, Name
from sahel.core import services
from sahel.core.fuzzy_dates import EDTF_HELP
from sahel.core.history import change_set
from sources.models import Citation
from tests.admin.conftest import client_for, form_data

pytestmark = pytest.mark.django_db

CITATIONS = "sources-citation-content_type-object_id"


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def errors_of(response) -> str:
    return " ".join(str(e) for e in response.context["errors"])


def add_citation(data, source, quote="", locator="", index=None):
    index = int(data[f"{CITATIONS}-TOTAL_FORMS"]) if index is None else index
    data[f"{CITATIONS}-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"{CITATIONS}-{index}-source": str(source.pk),
            f"{CITATIONS}-{index}-quote": quote,
            f"{CITATIONS}-{index}-locator": locator,
            f"{CITATIONS}-{index}-stance": "supports",
        }
    )
    return data


# -- reasons -------------------------------------------------------------------------------
def test_a_save_without_a_reason_is_refused(editor_client, make):
    actor = make.actor(description="before")
    page = editor_client.get(change_url(actor))
    assert "Reason for this change" in page.content.decode()
    response = editor_client.post(change_url(actor), form_data(page, description="after"))
    assert response.status_code == 200
    assert "This field is required" in str(response.context["adminform"].form.errors)
    actor.refresh_from_db()
    assert actor.description == "before"


def test_the_reason_lands_in_the_history_of_the_object_and_its_inlines(editor_client, make):
    actor = make.actor()
    page = editor_client.get(change_url(actor))
    data = form_data(
        page,
        description="now described",
        change_reason="Described from the panel report",
        **{"names-TOTAL_FORMS": "1", "names-0-name": "Al-Jama'a", "names-0-kind": "official"},
        **{"names-0-certainty": "confirmed"},
    )
    assert editor_client.post(change_url(actor), data).status_code == 302
    name = Name.objects.get(actor=actor)
    actor_row, name_row = actor.history.latest(), name.history.get()
    assert actor_row.history_change_reason == name_row.history_change_reason
    assert name_row.history_change_reason == "Described from the panel report"
    assert actor_row.change_set == name_row.change_set


def test_deleting_needs_a_reason_and_keeps_it(editor_client, make):
    actor = make.actor()
    url = reverse("admin:actors_actor_delete", args=[actor.pk])
    assert "Reason for deleting" in editor_client.get(url).content.decode()
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert Actor.objects.filter(pk=actor.pk).exists()
    editor_client.post(url, {"post": "yes", "change_reason": "Duplicate of another"})
    assert not Actor.objects.filter(pk=actor.pk).exists()
    assert actor.history.latest().history_change_reason == "Duplicate of another"


def test_bulk_actions_need_a_reason(reviewer_client, make):
    actor = make.actor()
    changelist = reverse("admin:actors_actor_changelist")
    for action in ("publish_selected", "withdraw_selected", "delete_selected_with_reason"):
        response = reviewer_client.post(
            changelist, {"action": action, "_selected_action": [actor.pk]}, follow=True
        )
        assert "Type a reason" in response.content.decode()
        actor.refresh_from_db()
        assert actor.version == 1
    reviewer_client.post(
        changelist,
        {
            "action": "delete_selected_with_reason",
            "_selected_action": [actor.pk],
            "change_reason": "dup",
        },
    )
    assert not Actor.objects.filter(pk=actor.pk).exists()


# -- stale saves -----------------------------------------------------------------------------
def test_a_stale_save_is_refused_with_what_changed_and_the_input_kept(
    editor_client, reviewer, make
):
    actor = make.actor(description="first")
    mine = editor_client.get(change_url(actor))
    theirs_client = client_for(reviewer)
    theirs = theirs_client.get(change_url(actor))
    saved = theirs_client.post(
        change_url(actor),
        form_data(theirs, description="theirs", change_reason="Their correction"),
    )
    assert saved.status_code == 302

    response = editor_client.post(
        change_url(actor), form_data(mine, description="my careful text", change_reason="Mine")
    )
    assert response.status_code == 200
    message = errors_of(response)
    assert "changed by someone else" in message
    assert "reviewer" in message
    assert "Their correction" in message
    assert "first → theirs" in message
    html = response.content.decode()
    assert "my careful text" in html  # the input is kept on the form
    assert 'value="Mine"' in html
    actor.refresh_from_db()
    assert (actor.description, actor.version) == ("theirs", 2)

    # Saving the kept input again, knowingly, applies it over the other change.
    again = editor_client.post(change_url(actor), form_data(response))
    assert again.status_code == 302
    actor.refresh_from_db()
    assert (actor.description, actor.version) == ("my careful text", 3)


def test_a_stale_inline_row_is_refused(editor_client, reviewer, make):
    actor = make.actor()
    name = make.name(actor, "Ansar Dine")
    mine = editor_client.get(change_url(actor))
    theirs_client = client_for(reviewer)
    theirs = theirs_client.get(change_url(actor))
    theirs_client.post(
        change_url(actor), form_data(theirs, **{"names-0-language": "ar", "change_reason": "lang"})
    )
    response = editor_client.post(
        change_url(actor), form_data(mine, **{"names-0-name": "Ansar Eddine", "change_reason": "x"})
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    name.refresh_from_db()
    assert (name.name, name.language) == ("Ansar Dine", "ar")


def test_deleting_an_inline_row_changed_meanwhile_is_refused(editor_client, reviewer, make):
    actor = make.actor()
    name = make.name(actor, "Ansar Dine")
    mine = editor_client.get(change_url(actor))
    services.update(name, user=reviewer, reason="lang", expected_version=1, language="ar")
    response = editor_client.post(
        change_url(actor), form_data(mine, **{"names-0-DELETE": "on", "change_reason": "dup"})
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert Name.objects.filter(pk=name.pk).exists()


# -- entry checks ----------------------------------------------------------------------------
def test_a_quote_not_verbatim_in_the_source_text_is_refused(editor_client, make):
    source = make.source(text="The group was founded in March 2017 in Mali.")
    actor = make.actor()
    page = editor_client.get(change_url(actor))
    data = add_citation(
        form_data(page, change_reason="cite"), source, quote="founded in April 2017"
    )
    response = editor_client.post(change_url(actor), data)
    assert response.status_code == 200
    assert "not verbatim" in response.content.decode()
    # The nearest passage of the source is shown, to copy from.
    assert "Nearest in the source: “founded in March 2017”" in response.content.decode()
    assert not Citation.objects.exists()
    data = add_citation(data, source, quote="founded in March 2017", index=0)
    assert editor_client.post(change_url(actor), data).status_code == 302
    assert Citation.objects.get().quote == "founded in March 2017"


def test_edtf_fields_explain_the_format_and_refuse_bad_values_with_the_reason(editor_client, make):
    actor = make.actor()
    page = editor_client.get(change_url(actor))
    form = page.context["adminform"].form
    assert "Birth or founding" in form.fields["begin"].help_text
    assert EDTF_HELP in form.fields["begin"].help_text
    assert "2015-10/2015-12" in page.content.decode()
    response = editor_client.post(
        change_url(actor), form_data(page, begin="2018-13", change_reason="date")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["begin"]
    assert "'2018-13' is not a valid EDTF date" in errors[0]
    response = editor_client.post(
        change_url(actor), form_data(page, begin="2015", end="2012", change_reason="date")
    )
    assert "is before" in str(response.context["adminform"].form.errors)


def test_search_finds_drafts_in_any_spelling(editor_client, make):
    hammam = make.actor(name="Yahya Abu al-Hammam")
    make.name(hammam, "Yahya Abu al-Hammam")
    other = make.actor(name="Mokhtar Belmokhtar")
    make.name(other, "Mokhtar Belmokhtar")
    make.affiliation(hammam, other)
    for query in ("Abou al-Hammam", "abu al hamam", "ABU AL-HAMMAM"):
        response = editor_client.get(reverse("admin:actors_actor_changelist"), {"q": query})
        assert list(response.context["cl"].result_list) == [hammam], query
    response = editor_client.get(
        reverse("admin:affiliations_affiliation_changelist"), {"q": "Abou Hammam"}
    )
    assert response.context["cl"].result_count == 1
    autocomplete = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Abou al-Hamam",
            "app_label": "affiliations",
            "model_name": "affiliation",
            "field_name": "subject",
        },
    )
    assert [r["id"] for r in autocomplete.json()["results"]] == [str(hammam.pk)]


def test_list_filters_by_fuzzy_decade(editor_client, make):
    early = make.actor(begin="2000~")
    late = make.actor(begin="201X")
    make.actor(begin="")
    url = reverse("admin:actors_actor_changelist")
    found = editor_client.get(url, {"begin_decade": "2010"}).context["cl"].result_list
    assert list(found) == [late]
    found = editor_client.get(url, {"begin_decade": "1990"}).context["cl"].result_list
    assert list(found) == [early]  # "2000~" may mean late 1999
    found = editor_client.get(url, {"begin_decade": "none"}).context["cl"].result_list
    assert len(found) == 1


# -- revert and restore --------------------------------------------------------------------
def test_revert_restores_the_fields_and_the_citations(editor_client, editor, make):
    source = make.source(text="It was led by Iyad. Later it was led by someone else.")
    with change_set(editor, "Created with its source"):  # as the admin's add form does
        actor = make.actor(description="led by Iyad")
        old_citation = make.citation(actor, source=source, quote="It was led by Iyad.")
    first = actor.history.latest()  # the state to come back to: description + citation

    page = editor_client.get(change_url(actor))
    data = form_data(
        page,
        description="led by someone else",
        change_reason="New leadership",
        **{f"{CITATIONS}-0-DELETE": "on"},
    )
    data = add_citation(data, source, quote="Later it was led by someone else.")
    assert editor_client.post(change_url(actor), data).status_code == 302
    actor.refresh_from_db()
    assert actor.description == "led by someone else"
    new_citation = Citation.objects.get()
    assert new_citation.pk != old_citation.pk

    # The history page: who, when, why and the diff, citations included.
    history = editor_client.get(reverse("admin:actors_actor_history", args=[actor.pk]))
    html = history.content.decode()
    assert "New leadership" in html
    assert "led by Iyad" in html
    assert "led by someone else" in html
    assert "citation-history" in html

    revision_url = reverse("admin:actors_actor_simple_history", args=[actor.pk, first.pk])
    revision = editor_client.get(revision_url).content.decode()
    assert "It was led by Iyad." in revision
    assert "Revert to this revision" in revision
    response = editor_client.post(
        revision_url,
        {"change_reason": "Undo: the new source is unreliable", "expected_version": actor.version},
    )
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.description == "led by Iyad"
    citations = list(Citation.objects.all())
    assert [c.pk for c in citations] == [old_citation.pk]
    assert citations[0].quote == "It was led by Iyad."
    assert actor.history.latest().history_change_reason == "Undo: the new source is unreliable"
    assert actor.history.latest().history_user == editor


def test_revert_with_a_stale_version_is_refused(editor_client, make):
    actor = make.actor(description="one")
    first = actor.history.latest()
    from sahel.core import services

    services.update(actor, user=None, reason="two", expected_version=1, description="two")
    revision_url = reverse("admin:actors_actor_simple_history", args=[actor.pk, first.pk])
    response = editor_client.post(
        revision_url, {"change_reason": "undo", "expected_version": 1}, follow=True
    )
    assert "changed by someone else" in response.content.decode()
    actor.refresh_from_db()
    assert actor.description == "two"


def test_a_deleted_claim_is_restored_with_its_citations(editor_client, make):
    actor = make.actor(name="Deleted Group")
    make.citation(actor)
    url = reverse("admin:actors_actor_delete", args=[actor.pk])
    editor_client.post(url, {"post": "yes", "change_reason": "Mistake?"})
    assert not Actor.objects.exists()
    assert not Citation.objects.exists()
    deleted = editor_client.get(reverse("admin:actors_actor_deleted"))
    assert "Deleted Group" in deleted.content.decode()
    restore = reverse("admin:actors_actor_restore", args=[actor.pk])
    response = editor_client.post(restore, {"change_reason": "It was not a mistake"})
    assert response.status_code == 302
    assert Actor.objects.get().name == "Deleted Group"
    assert Citation.objects.get().object_id == actor.pk
    content_type = ContentType.objects.get_for_model(Actor)
    assert Citation.history.filter(content_type=content_type).latest().history_type == "+"
