"""The review queue (/admin/review/): who sees it, what each section counts and lists, and
bulk publication by reviewers (a reason required, stale rows refused)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from actors.models import Actor, Name
from tests.admin.conftest import client_for

pytestmark = pytest.mark.django_db

QUEUE = "/admin/review/"


@pytest.fixture
def claims(make, reviewer):
    """A draft actor with a draft name (uncited), a published cited actor with a disputed
    name, a tie cited by a denial, and a withdrawn actor."""
    draft = make.actor(name="Draft Front")
    alias = make.name(draft, "Jabhat al-Musawwada")
    public = make.actor(name="Public Front", status="published")
    make.citation(public)
    disputed = make.name(public, "Katibat al-Shakk", certainty="disputed", status="published")
    make.citation(disputed)
    tie = make.affiliation(public, draft)
    make.citation(tie, stance="denies")
    gone = make.actor(name="Gone Front", status="withdrawn")
    make.citation(gone)
    return {"draft": draft, "alias": alias, "public": public, "disputed": disputed, "tie": tie}


def section(client, key):
    response = client.get(QUEUE, {"section": key})
    assert response.status_code == 200
    counts = {item["section"].key: item["count"] for item in response.context["sections"]}
    labels = [row["review_label"] for row in response.context["rows"]]
    return response, counts, labels


def test_only_editors_and_reviewers_see_the_queue(client, editor_client, reviewer_client, claims):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    outsider = get_user_model().objects.create_user("outsider", password="pw-o-1", is_staff=True)
    assert client_for(outsider).get(QUEUE).status_code == 403
    for user_client in (editor_client, reviewer_client):
        assert user_client.get(QUEUE).status_code == 200
    # The index leads there.
    assert QUEUE in reviewer_client.get("/admin/").content.decode()
    # Only reviewers get the checkboxes and the button.
    assert 'name="selected"' not in editor_client.get(QUEUE).content.decode()
    page = reviewer_client.get(QUEUE).content.decode()
    assert 'name="selected"' in page
    assert "Publish selected" in page


def test_each_section_counts_and_lists_its_claims(reviewer_client, reviewer, claims):
    response, counts, drafts = section(reviewer_client, "drafts")
    # draft actor, its name, the tie (a draft by default)
    assert counts == {"drafts": 3, "uncited": 2, "disputed": 2, "withdrawn": 1, "stale": 0}
    assert sorted(drafts) == sorted(
        [
            "Draft Front",
            "Jabhat al-Musawwada (a name of Draft Front)",
            "Public Front — leader of — Draft Front",
        ]
    )
    row = next(r for r in response.context["rows"] if r["review_label"] == "Draft Front")
    assert row["review_changed_by"] == "editor"
    assert row["review_reason"] == "test data"
    assert row["url"] == reverse("admin:actors_actor_change", args=[claims["draft"].pk])
    assert f'href="{row["url"]}"' in response.content.decode()
    _, _, uncited = section(reviewer_client, "uncited")
    assert sorted(uncited) == ["Draft Front", "Jabhat al-Musawwada (a name of Draft Front)"]
    _, _, disputed = section(reviewer_client, "disputed")
    assert sorted(disputed) == [
        "Katibat al-Shakk (a name of Public Front)",
        "Public Front — leader of — Draft Front",
    ]
    _, _, withdrawn = section(reviewer_client, "withdrawn")
    assert withdrawn == ["Gone Front"]


def test_stale_drafts_are_those_untouched_for_the_configured_days(
    reviewer_client, claims, settings
):
    settings.SAHEL_STALE_DRAFT_DAYS = 0
    _, counts, stale = section(reviewer_client, "stale")
    assert counts["stale"] == counts["drafts"] == 3
    assert len(stale) == 3


def publish(client, keys, reason="Checked against the sources"):
    return client.post(
        f"{QUEUE}?section=drafts", {"selected": keys, "change_reason": reason}, follow=True
    )


def key(obj):
    return f"{obj._meta.label_lower}:{obj.pk}:{obj.version}"


def test_a_reviewer_publishes_in_bulk_with_a_reason(reviewer_client, reviewer, claims):
    draft, alias = claims["draft"], claims["alias"]
    response = publish(reviewer_client, [key(draft), key(alias)], reason="")
    assert "Give a reason" in response.content.decode()
    assert Actor.objects.get(pk=draft.pk).status == "draft"
    response = publish(reviewer_client, [key(draft), key(alias)])
    assert "Published 2 claims." in response.content.decode()
    for obj in (draft, alias):
        obj.refresh_from_db()
        assert obj.status == "published"
        record = obj.history.latest("history_date")
        assert record.history_user == reviewer
        assert record.history_change_reason == "Checked against the sources"
    assert draft.history.latest("history_date").change_set == (
        alias.history.latest("history_date").change_set
    )
    _, counts, _ = section(reviewer_client, "drafts")
    assert counts["drafts"] == 1


def test_a_stale_row_publishes_nothing(reviewer_client, make, claims):
    draft, alias = claims["draft"], claims["alias"]
    listed = key(alias)
    from sahel.core import services

    services.update(alias, user=make.user, reason="respell", expected_version=1, name="Jabhat")
    response = publish(reviewer_client, [key(draft), listed])
    assert "Nothing was published" in response.content.decode()
    assert "was changed since it was listed" in response.content.decode()
    assert Actor.objects.get(pk=draft.pk).status == "draft"
    assert Name.objects.get(pk=alias.pk).status == "draft"


def test_an_editor_cannot_publish_from_the_queue(editor_client, claims):
    response = editor_client.post(
        QUEUE, {"selected": [key(claims["draft"])], "change_reason": "publish"}
    )
    assert response.status_code == 403
    assert Actor.objects.get(pk=claims["draft"].pk).status == "draft"
