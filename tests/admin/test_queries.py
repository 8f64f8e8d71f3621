"""Admin pages run a fixed number of SQL queries, whatever the number of rows: list pages
(100 rows a page), change forms with many inline rows, history pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sahel.core import services
from tests.factories import build_world

pytestmark = pytest.mark.django_db


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


CHANGELISTS = {  # session, user, permissions, count, page, filters ...
    "actors_actor": 7,
    "actors_name": 8,
    "actors_identifier": 7,
    "affiliations_affiliation": 8,
    "affiliations_affiliationtype": 7,
    "events_event": 8,
    "events_participation": 8,
    "events_eventtype": 7,
    "events_participationrole": 7,
    "places_place": 7,
    "sources_source": 8,
    "sources_citation": 9,  # + the cited claims: a query per kind on the page (actors here)
}


def test_list_pages_with_100_rows_have_pinned_query_counts(
    reviewer_client, reviewer, make, django_assert_num_queries, settings
):
    settings.SAHEL_STALE_DRAFT_DAYS = 0  # every draft is stale
    build_world(make, reviewer, 100)
    for name in CHANGELISTS:  # content types cached, as in a running server
        reviewer_client.get(reverse(f"admin:{name}_changelist"))
    counts = {
        name: queries(reviewer_client, reverse(f"admin:{name}_changelist")) for name in CHANGELISTS
    }
    assert counts == CHANGELISTS
    searched = queries(reviewer_client, reverse("admin:actors_actor_changelist"), q="name a1")
    # A search adds one: the matcher's candidates (sahel.read.matcher), whatever they are.
    assert searched == CHANGELISTS["actors_actor"] + 1
    # The review queue: every section a page of 100 rows (500 drafts of 5 kinds, none
    # cited but the actors), in the same queries as a page of one.
    reviewer_client.get(reverse("admin:review"))  # content types cached
    for key in ("drafts", "uncited", "stale", "disputed"):
        with django_assert_num_queries(REVIEW_QUEUE):
            response = reviewer_client.get(reverse("admin:review"), {"section": key})
        assert len(response.context["rows"]) == {"disputed": 0}.get(key, 100)


# session, user, permissions (user's and groups'); the counts of every section (one query
# a kind of claim); the page's rows (one UNION ALL)
REVIEW_QUEUE = 4 + 5 + 1


def test_change_forms_and_history_do_not_grow_with_inline_rows(reviewer_client, reviewer, make):
    actors = build_world(make, reviewer, 12)
    few = actors[0]  # one name, identifier, citation, tie each way
    many = actors[1]
    for i in range(8):
        make.name(many, f"Alias {i}")
        make.affiliation(many, actors[i + 2])
        make.citation(many)
    for i in range(3):
        services.update(
            many,
            user=reviewer,
            reason="edit",
            expected_version=None,
            description=f"v{i}",
            area=actors[i + 3].area,
        )
    many.refresh_from_db()
    queries(reviewer_client, reverse("admin:actors_actor_history", args=[few.pk]))  # warm caches
    change = lambda a: reverse("admin:actors_actor_change", args=[a.pk])  # noqa: E731
    history = lambda a: reverse("admin:actors_actor_history", args=[a.pk])  # noqa: E731
    assert queries(reviewer_client, change(few)) == queries(reviewer_client, change(many))
    assert queries(reviewer_client, history(few)) == queries(reviewer_client, history(many))
