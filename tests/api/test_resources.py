"""Every REST resource meets the same contract; each class below states its resource and
sample data, and the contract's tests run for each alike."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Actor
from affiliations.models import Affiliation
from events.models import Event
from places.models import Place
from sahel.core import services
from sahel.dataset.loader import loader_user
from sources.models import Source
from tests.api.exported import records_of
from tests.factories import add_rows

pytestmark = pytest.mark.django_db


def get(api, url, status=200, **params):
    response = api.get(url, params)
    assert response.status_code == status, response.content
    return response.json()


class ResourceContract:
    resource: str
    model: type
    key: str = "slug"  # the field that identifies sample rows
    sample: str  # one row's key
    # (params, key expected among results, key expected absent)
    filters: list[tuple[dict, str | None, str | None]] = []
    orderings: dict[str, str] = {}  # ordering name -> dotted path of its value in a row
    bad_params: list[tuple[str, str]] = []  # (param, value) -> 400 naming param

    def url(self, pk=None):
        return f"/api/v1/{self.resource}/" + (f"{pk}/" if pk is not None else "")

    def keys(self, body):
        return [row[self.key] for row in body["results"]]

    def sample_id(self):
        return self.model.objects.get(**{self.key: self.sample}).pk

    def test_list_is_paginated(self, api):
        body = get(api, self.url(), page_size=5)
        assert set(body) == {"count", "next", "previous", "results"}
        # The public count is the table's, less what the curated dataset withdraws (and
        # ties to withdrawn actors): counted here from the rows, not through the selectors.
        rows = self.model.objects.all()
        if hasattr(self.model, "status"):
            rows = rows.filter(status="published")
        for name in ("subject", "object", "actor", "event"):
            if name in self.model.visibility_requires:
                rows = rows.filter(**{f"{name}__status": "published"})
        assert body["count"] == rows.count()
        assert len(body["results"]) == min(5, body["count"])
        assert body["previous"] is None
        if body["count"] > 5:
            second = api.get(body["next"]).json()
            assert not set(self.keys(body)) & set(self.keys(second))
            assert second["previous"]

    def test_detail_matches_list_item(self, api):
        pk = self.sample_id()
        detail = get(api, self.url(pk))
        listed = next(r for r in get(api, self.url(), page_size=1000)["results"] if r["id"] == pk)
        assert {k: v for k, v in detail.items() if k in listed} == listed
        assert detail[self.key] == self.sample

    def test_objects_with_citations_show_their_source(self, api):
        detail = get(api, self.url(self.sample_id()))
        if "citations" in detail:
            assert detail["citations"], "the sample row is cited"
            citation = detail["citations"][0]
            assert set(citation) == {
                "id",
                "source",
                "locator",
                "quote",
                "stance",
                "credibility",
                "field",
                "note",
            }
            assert citation["source"]["slug"] == "timbuktu-shadow-politics-2019"

    def test_filters(self, api):
        now = timezone.now().isoformat()
        for params, present, absent in self.filters:
            keys = self.keys(get(api, self.url(), page_size=1000, **params))
            if present:
                assert present in keys, (params, keys)
            if absent:
                assert absent not in keys, (params, keys)
            # The same filter over the history tables gives the same answer.
            assert self.keys(get(api, self.url(), page_size=1000, as_of=now, **params)) == keys

    def test_orderings(self, api):
        """Each ordering sorts by its value, unknown values last, both ways."""
        for ordering, path in self.orderings.items():
            for sign in ("", "-"):
                rows = get(api, self.url(), page_size=1000, ordering=f"{sign}{ordering}")
                values = [_value(row, path) for row in rows["results"]]
                known = [v for v in values if v is not None]
                assert values == known + [None] * (len(values) - len(known)), ordering
                assert known == sorted(known, reverse=bool(sign)), (sign, ordering, known)

    def test_bad_parameters_are_named(self, api):
        cases = [
            ("page_size", "0"),
            ("page_size", "1001"),
            ("page_size", "ten"),
            ("page", "0"),
            ("page", "x"),
            ("as_of", "last week"),
            ("ordering", "nope"),
            ("no_such_filter", "1"),
            *self.bad_params,
        ]
        for param, value in cases:
            body = get(api, self.url(), 400, **{param: value})
            assert param in body, (param, value, body)

    def test_page_past_the_end_is_404_naming_page(self, api):
        assert "page" in get(api, self.url(), 404, page=999)

    def test_detail_errors(self, api):
        assert "id" in get(api, self.url("not-a-number"), 404)
        assert "id" in get(api, self.url(987654321), 404)
        assert "as_of" in get(api, self.url(self.sample_id()), 400, as_of="2019-02-30")

    def test_as_of_before_the_data_existed(self, api):
        body = get(api, self.url(), as_of="2000-01-01")
        assert body["count"] == 0
        get(api, self.url(self.sample_id()), 404, as_of="2000-01-01")

    def test_history_starts_with_the_creation(self, api):
        body = get(api, self.url(self.sample_id()) + "history/")
        first = body["revisions"][0]
        assert first["action"] == "created"
        assert first["reason"].startswith("Load ")
        detail = get(api, self.url(self.sample_id()))
        assert first["data"] == {k: v for k, v in detail.items() if k in first["data"]}
        assert "id" in get(api, self.url(987654321) + "history/", 404)

    def test_csv_has_one_row_per_item_and_fixed_columns(self, api):
        response = api.get(self.url(), {"format": "csv", "page_size": 1000})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == get(api, self.url())["count"]
        assert next(iter(rows[0])) == "id"
        assert self.sample in {row[self.key] for row in rows}

    def test_conditional_get(self, api):
        first = api.get(self.url(), {"page_size": 5})
        assert first["ETag"]
        assert "Last-Modified" not in first  # a history date would time hidden edits
        again = api.get(self.url(), {"page_size": 5}, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        # A different answer (here: the empty past) has a different ETag.
        other = api.get(
            self.url(), {"page_size": 5, "as_of": "2000-01-01"}, HTTP_IF_NONE_MATCH=first["ETag"]
        )
        assert other.status_code == 200
        detail = api.get(self.url(self.sample_id()))
        assert (
            api.get(self.url(self.sample_id()), HTTP_IF_NONE_MATCH=detail["ETag"]).status_code
            == 304
        )

    def test_as_of_now_equals_live(self, api):
        now = timezone.now().isoformat()
        assert get(api, self.url(), page_size=1000, as_of=now) == get(
            api, self.url(), page_size=1000
        )
        pk = self.sample_id()
        assert get(api, self.url(pk), as_of=now) == get(api, self.url(pk))


def _value(row: dict, path: str):
    """`row` value at a dotted path ("begin.lower"); None when any step is missing."""
    for step in path.split("."):
        row = row.get(step) if isinstance(row, dict) else None
    return row.lower() if isinstance(row, str) else row


class TestActors(ResourceContract):
    resource, model, sample = "actors", Actor, "yahya-abu-al-hammam"
    filters = [
        ({"search": "Abou al-Hammam"}, "yahya-abu-al-hammam", "jnim"),
        ({"kind": "person"}, "iyad-ag-ghali", "jnim"),
        ({"kind": ["state", "armed_force"]}, "mali", "jnim"),
        ({"subkind": "tribe"}, "awlad-idriss", "mali"),
        ({"certainty": "confirmed"}, "jnim", None),
        ({"date_from": "2014", "date_to": "2014"}, "mujwa", "jnim"),
        ({"date_from": "2014"}, "jnim", "abdelhamid-abu-zayd"),
    ]
    orderings = {
        "name": "name",
        "kind": "kind",
        "begin": "begin.lower",
        "end": "end.upper",
        "id": "id",
    }
    bad_params = [
        ("kind", "robot"),
        ("certainty", "sure"),
        ("date_from", "2018-13"),
        ("place", "atlantis"),
    ]

    def test_nested_names_and_fuzzy_dates(self, api):
        detail = get(api, self.url(Actor.objects.get(slug="abdelhamid-abu-zayd").pk))
        assert {"name": "Abu Zayd", "kind": "kunya"}.items() <= {
            **next(n for n in detail["names"] if n["name"] == "Abu Zayd")
        }.items()
        assert detail["end"] == {"edtf": "2013-02", "lower": "2013-02-01", "upper": "2013-02-28"}
        assert detail["begin"] is None

    def test_search_ranks_exact_name_first(self, api):
        assert self.keys(get(api, self.url(), search="JNIM"))[0] == "jnim"


class TestAffiliations(ResourceContract):
    resource, model = "affiliations", Affiliation
    sample = "iyad-ag-ghali--leader-of--jnim"
    filters = [
        ({"actor": "jnim"}, "iyad-ag-ghali--leader-of--jnim", "mujwa--splinter-of--aqim"),
        (
            {"subject": "iyad-ag-ghali"},
            "iyad-ag-ghali--leader-of--jnim",
            "yahya-abu-al-hammam--deputy-leader-of--jnim",
        ),
        (
            {"object": "jnim", "type": "leader-of"},
            "iyad-ag-ghali--leader-of--jnim",
            "yahya-abu-al-hammam--deputy-leader-of--jnim",
        ),
        ({"valid_at": "2018"}, "iyad-ag-ghali--leader-of--jnim", None),
        ({"valid_at": "2010"}, None, "iyad-ag-ghali--leader-of--jnim"),
        (
            {"date_to": "2016"},
            "yahya-abu-al-hammam--official-for--aqim--governor-of-timbuktu",
            "iyad-ag-ghali--leader-of--jnim",
        ),
        (
            {"certainty": "disputed"},
            "alkassoum-ag-abdoulaye--fought-alongside--aqim",
            "iyad-ag-ghali--leader-of--jnim",
        ),
        (
            {"certainty": ["possible", "disputed"]},
            "yahya-abu-al-hammam--rival-of--iyad-ag-ghali",
            "iyad-ag-ghali--leader-of--jnim",
        ),
    ]
    orderings = {"start": "start.lower", "end": "end.upper", "id": "id"}
    bad_params = [("actor", "nobody"), ("type", "friend-of"), ("valid_at", "yesterday")]

    def test_shape(self, api):
        detail = get(api, self.url(self.sample_id()))
        assert detail["subject"]["slug"] == "iyad-ag-ghali"
        assert detail["object"]["slug"] == "jnim"
        assert detail["type"] == {
            "id": detail["type"]["id"],
            "slug": "leader-of",
            "label": "leader of",
            "inverse_label": "led by",
            "symmetric": False,
        }
        assert detail["start"]["edtf"] == "2017"


class TestEvents(ResourceContract):
    resource, model, sample = "events", Event, "killing-of-salim-ould-mbegui-2018-09"
    filters = [
        (
            {"actor": "yahya-abu-al-hammam", "date_from": "2018", "date_to": "2018"},
            "killing-of-salim-ould-mbegui-2018-09",
            "abu-al-hammam-interview-2016",
        ),
        ({"type": "interview"}, "abu-al-hammam-interview-2016", "jnim-merger-2017"),
        ({"valid_at": "2018-09-15"}, "killing-of-salim-ould-mbegui-2018-09", "jnim-merger-2017"),
        ({"place": "mali"}, "polling-shutdown-mopti-region-2018", None),
        ({"place": "mopti-region"}, "polling-shutdown-mopti-region-2018", "jnim-merger-2017"),
    ]
    orderings = {"date": "date.lower", "title": "title", "id": "id"}
    bad_params = [("actor", "999999"), ("type", "picnic"), ("date_to", "soon")]

    def test_participants_with_roles_and_citations(self, api):
        detail = get(api, self.url(self.sample_id()))
        roles = {(p["actor"]["slug"], p["role"]["slug"]) for p in detail["participants"]}
        assert ("salim-ould-mbegui", "victim") in roles
        assert all(p["citations"] for p in detail["participants"])
        assert detail["date"]["edtf"] == "2018-09"


class TestPlaces(ResourceContract):
    resource, model, sample = "places", Place, "timbuktu"
    filters = [
        ({"kind": "city"}, "timbuktu", "mali"),
        ({"search": "timb"}, "timbuktu", "mali"),
        ({"parent": "mali"}, None, "timbuktu"),
    ]
    orderings = {"name": "name", "kind": "kind", "id": "id"}
    bad_params = [("kind", "planet"), ("parent", "nowhere")]


class TestSources(ResourceContract):
    resource, model = "sources", Source
    sample = "timbuktu-shadow-politics-2019"
    filters = [
        ({"kind": "article"}, "timbuktu-shadow-politics-2019", None),
        ({"reliability": "A"}, None, "timbuktu-shadow-politics-2019"),
    ]
    orderings = {"title": "title", "date": "publication_date.lower", "id": "id"}
    bad_params = [("reliability", "Z")]

    def test_detail_has_the_text_and_list_does_not(self, api):
        detail = get(api, self.url(self.sample_id()))
        assert "Timbuktu remains a key geographical node." in detail["text"]
        assert "text" not in get(api, self.url())["results"][0]


def test_as_of_reproduces_an_earlier_answer(api):
    """Yesterday's answer, reproduced after today's edits."""
    tie = Affiliation.objects.get(slug="iyad-ag-ghali--leader-of--jnim")
    url = "/api/v1/affiliations/"
    before = get(api, url, actor="jnim", valid_at="2018", page_size=1000)
    instant = timezone.now()
    services.update(
        tie,
        user=loader_user(),
        reason="test: pretend a new source says so",
        expected_version=tie.version,
        end="2017-12",
    )
    after = get(api, url, actor="jnim", valid_at="2018", page_size=1000)
    assert after != before
    assert (
        get(api, url, actor="jnim", valid_at="2018", page_size=1000, as_of=instant.isoformat())
        == before
    )


@pytest.mark.parametrize(
    ("resource", "params"),
    [
        ("actors", {}),
        ("actors", {"search": "abu"}),
        ("affiliations", {}),
        ("events", {}),
        ("places", {}),
        ("sources", {}),
    ],
)
def test_query_count_does_not_grow_with_page_size(api, resource, params):
    """Pinned: a page costs the same number of queries for 10 or 100 items."""
    add_rows(120)
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            body = get(api, f"/api/v1/{resource}/", page_size=size, **params)
        counts.append(len(queries))
        assert len(body["results"]) == min(size, body["count"])
    assert counts[0] == counts[1], counts
    assert counts[0] <= 14


def test_date_bounds_of_open_intervals_are_null(api):
    body = get(api, "/api/v1/events/", page_size=1000)
    open_start = [e for e in body["results"] if e["date"] and e["date"]["edtf"].startswith("..")]
    assert open_start
    assert all(e["date"]["lower"] is None for e in open_start)
    assert isinstance(datetime.date.fromisoformat(open_start[0]["date"]["upper"]), datetime.date)


def test_an_edit_changes_the_etag_even_within_the_same_second(api):
    url = "/api/v1/actors/"
    first = api.get(url)["ETag"]
    actor = Actor.objects.get(slug="cpa")
    services.update(
        actor,
        user=loader_user(),
        reason="test",
        expected_version=actor.version,
        description="A militia led by figures from the Kel Razzaf Tuareg.",
    )
    response = api.get(url, HTTP_IF_NONE_MATCH=first)
    assert response.status_code == 200
    assert response["ETag"] != first


def test_history_shows_changed_fields_and_citations(api):
    tie = Affiliation.objects.get(slug="iyad-ag-ghali--leader-of--jnim")
    services.update(
        tie,
        user=loader_user(),
        reason="correct the title",
        expected_version=tie.version,
        role_title="leader",
    )
    citation = tie.citations.first()
    services.update(
        citation,
        user=loader_user(),
        reason="fix locator note",
        expected_version=citation.version,
        note="checked",
    )
    revisions = get(api, f"/api/v1/affiliations/{tie.pk}/history/")["revisions"]
    title_change, citation_change = revisions[-2:]
    assert title_change["reason"] == "correct the title"
    assert title_change["changes"]["role_title"] == {"old": "", "new": "leader"}
    assert citation_change["changes"]["citations"]["changed"][0]["changes"]["note"] == {
        "old": "",
        "new": "checked",
    }


def test_history_never_shows_draft_states(api):
    actor = Actor.objects.get(slug="cpa")
    user = loader_user()
    actor = services.withdraw(actor, user=user, reason="hold", expected_version=actor.version)
    actor = services.update(
        actor,
        user=user,
        reason="DRAFT-ONLY edit",
        expected_version=actor.version,
        description="DRAFT-MARKER",
    )
    actor = services.update(
        actor, user=user, reason="back", expected_version=actor.version, description="Militia."
    )
    services.publish(actor, user=user, reason="republish", expected_version=actor.version)
    body = api.get(f"/api/v1/actors/{actor.pk}/history/").content.decode()
    assert "DRAFT-MARKER" not in body
    assert "DRAFT-ONLY edit" not in body
    # The withdrawn spell is a removal; what was edited meanwhile never shows.
    assert [r["action"] for r in json.loads(body)["revisions"]] == ["created", "removed", "created"]


def test_geojson_for_events_and_places(api):
    body = json.loads(api.get("/api/v1/places/", {"format": "geojson", "page_size": 1000}).content)
    assert body["type"] == "FeatureCollection"
    assert body["count"] == len(body["features"])
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert "geometry" in feature
    event = json.loads(api.get("/api/v1/events/", {"format": "geojson"}).content)
    assert event["features"][0]["properties"]["title"]
    assert "format" in get(api, "/api/v1/actors/", 404, format="geojson")


def test_export_streams_every_public_object_as_json_lines(api):
    response = api.get("/api/v1/export/")
    assert response.streaming
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = records_of(response)
    counts = {}
    for line in lines:
        counts[line["resource"]] = counts.get(line["resource"], 0) + 1
    for resource in ("actors", "affiliations", "events", "places", "sources"):
        assert counts[resource] == get(api, f"/api/v1/{resource}/")["count"]
    only = api.get("/api/v1/export/", {"resource": "events", "as_of": "2000-01-01"})
    assert records_of(only) == []
    assert "resource" in get(api, "/api/v1/export/", 400, resource="robots")


def test_export_reads_in_fixed_size_batches(api, monkeypatch):
    """Memory does not grow with the dataset: rows are read through cursors a batch of
    parents at a time (sahel.read.export; its query counts: test_export_stream.py)."""
    from sahel.read import export

    monkeypatch.setattr(export, "STREAM_BATCH", 7)
    batches = []
    take = export._Stream.take

    def counted(self, count):
        batches.append(len(rows := take(self, count)))
        return rows

    monkeypatch.setattr(export._Stream, "take", counted)
    actors = len(records_of(api.get("/api/v1/export/", {"resource": "actors"})))
    assert batches == [7] * (actors // 7) + [actors % 7] * bool(actors % 7) + [0]


def test_change_feed_is_resumable_and_shows_removals(api):
    everything = get(api, "/api/v1/changes/", limit=1000)
    created = {(e["resource"], e["id"]) for e in everything["results"] if e["action"] == "created"}
    assert ("actors", Actor.objects.get(slug="jnim").pk) in created
    # Resume from the cursor: nothing new, then one withdrawal shows as a removal ...
    assert get(api, "/api/v1/changes/", since=everything["cursor"])["results"] == []
    actor = Actor.objects.get(slug="cpa")
    services.withdraw(
        actor, user=loader_user(), reason="test withdrawal", expected_version=actor.version
    )
    new = get(api, "/api/v1/changes/", since=everything["cursor"])["results"]
    removed = {(e["resource"], e["id"]) for e in new if e["action"] == "removed"}
    assert ("actors", actor.pk) in removed
    # ... of the actor and of the ties that were public only through it, without content.
    cpa_ties = Affiliation.objects.filter(subject=actor) | Affiliation.objects.filter(object=actor)
    assert {("affiliations", t.pk) for t in cpa_ties} <= removed
    assert all("data" not in e for e in new if e["action"] == "removed")
    # Paging by entries: pages that end inside change sets reach the same entries.
    cursor, paged = None, []
    while True:
        page = get(api, "/api/v1/changes/", limit=150, **({"since": cursor} if cursor else {}))
        if not page["results"] and page["next"] is None:
            break
        paged += page["results"]
        cursor = page["cursor"]
    whole = get(api, "/api/v1/changes/", limit=1000)["results"]
    assert [(e["resource"], e["id"], e["action"]) for e in paged] == [
        (e["resource"], e["id"], e["action"]) for e in whole
    ]
    # The withdrawn actor's content is gone from the whole feed, past entries included.
    assert not [
        e
        for e in whole
        if e["resource"] == "actors" and e["id"] == actor.pk and e["action"] != "removed"
    ]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/actors/?page=²", "page"),
        ("/api/v1/actors/?page_size=²", "page_size"),
        ("/api/v1/changes/?limit=²", "limit"),
        ("/api/v1/actors/²/", "id"),
        ("/api/v1/actors/٣٠/", "id"),
        ("/api/v1/actors/²/history/", "id"),
        ("/api/v1/actors/99999999999999999999999/", "id"),
        ("/api/v1/affiliations/?actor=²", "actor"),
        ("/api/v1/events/?parent=①", "parent"),
        ("/api/v1/actors/?search=" + "abu " * 300, "search"),
        ("/api/v1/actors/?as_of=9999-12-31T23:59:59-14:00", "as_of"),
        ("/api/v1/export/?as_of=9999-12-31T23:59:59-14:00", "as_of"),
        ("/api/v1/actors/?as_of=2999-01-01", "as_of"),  # the future is not reproducible
    ],
)
def test_review_regressions_are_named_errors_not_500s(api, path, param):
    """Inputs that once caused server errors (found in review)."""
    response = api.get(path)
    assert response.status_code in (400, 404), response.content
    assert param in response.json()


def test_an_as_of_before_the_calendar_in_utc_is_the_first_instant(api):
    """0001-01-01T00:00+14:00 is a date-time the schema allows, before anything was
    recorded: an empty answer (it once was a 500, then a 400 of its own)."""
    response = api.get("/api/v1/actors/?as_of=0001-01-01T00:00:00%2B14:00")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_no_format_suffix_routes(api):
    assert api.get("/api/v1/actors.json").status_code == 404


def test_actor_history_shows_changes_of_its_cited_source(api):
    actor = Actor.objects.get(slug="cpa")
    source = Source.objects.get()
    services.update(
        source,
        user=loader_user(),
        reason="add the real title",
        expected_version=source.version,
        title=source.title + " (rev.)",
    )
    last = get(api, f"/api/v1/actors/{actor.pk}/history/")["revisions"][-1]
    assert last["reason"] == "add the real title"
    changed = last["changes"]["citations"]["changed"][0]["changes"]["source"]
    assert changed["new"]["title"].endswith("(rev.)")


def test_removals_do_not_carry_the_reason(api):
    cursor = get(api, "/api/v1/changes/", limit=1000)["cursor"]
    actor = Actor.objects.get(slug="cpa")
    services.withdraw(
        actor,
        user=loader_user(),
        reason="SECRET-REASON about the actor",
        expected_version=actor.version,
    )
    body = api.get("/api/v1/changes/", {"since": cursor}).content.decode()
    assert "removed" in body
    assert "SECRET-REASON" not in body


def test_unknown_dates_sort_last_on_every_database(api):
    results = get(api, "/api/v1/actors/", ordering="begin", page_size=1000)["results"]
    begins = [r["begin"] for r in results]
    assert begins[0] is not None
    assert begins[-1] is None
