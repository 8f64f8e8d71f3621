"""The benchmark at CI size: `generate_synthetic --scale small`, then every case of
`manage.py benchmark` once. Fails when a case errors, when a query count grows with the
page size, or (PostgreSQL) when the hand-written baseline and the service disagree on the
payload. Timings are not checked here: docs/benchmarks.md has them, at `medium`."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from perf import cases, runner, synthetic
from perf.calibration import calibration
from sahel.core import history, services

# On SQLite the service side runs (every case, query counts, the export); the baselines
# and the stock calibration are skipped: they are PostgreSQL SQL run through psycopg.


TINY = synthetic.Scale(
    actors=20, affiliations=30, events=20, sources=5, countries=1, regions=2, towns=3,
    months=(3,), first_year=2015,
)  # fmt: skip

pytestmark = pytest.mark.one_backend


@pytest.fixture
def small(db):
    call_command("generate_synthetic", scale="small", verbosity=0)
    return cases.Subjects.pick()


def _measure(case, client):
    return runner.measure_case(case, client, repeat=1)


def test_small_run(small):
    """One generation for everything (it takes most of the time): the data's shape, every
    case, the export and (PostgreSQL) the calibration."""
    _check_shape()
    client = Client()
    problems = []
    for case in cases.cases(small):
        if case.name.startswith("REST changes"):
            continue  # test_change_feed_query_count_is_constant_in_limit
        result = _measure(case, client)
        if result.queries_small is not None and result.queries_small != result.queries:
            problems.append(f"{case.name}: {result.queries_small} queries at 10, {result.queries}")
        if connection.vendor == "postgresql" and case.verify and result.verified is not True:
            problems.append(f"{case.name}: the baseline's payload differs: {result.note}")
    assert not problems, problems

    export = runner.measure_export(client)
    assert export.extra["records"] > 1000
    if connection.vendor == "postgresql":
        assert export.verified
        calibrated = calibration(1)
        assert [r.verified for r in calibrated] == [True, True]
        assert [r.queries for r in calibrated] == [3, 3]


# The feed's plan: one query per resource, level and kind of read, for every change set of
# a batch together. Pinned: a change here is a change of the read path.
FEED_PLAN_QUERIES = 66


def test_change_feed_query_count_is_constant_in_limit(db):
    """10 entries or the whole feed cost at most the plan's queries: a page holding fewer
    kinds of objects skips their reads, and a small page whose first objects change nothing
    public takes another batch. That the count does not grow with the number of change
    sets of the same kinds: tests/api/test_feed_batches.py."""
    synthetic.Generator(TINY).run()
    client = Client()
    client.get("/api/v1/changes/", {"limit": 1})  # content types are cached after this

    def count(limit: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/changes/", {"limit": limit})
        assert response.status_code == 200
        return len(queries), len({entry["cursor"] for entry in response.json()["results"]})

    (ten, entries), (everything, all_entries) = count(10), count(1000)
    assert entries == 10
    assert all_entries > 20
    assert max(ten, everything) <= FEED_PLAN_QUERIES, (ten, everything)


def _check_shape():
    from actors.models import Actor, Name
    from sahel.core.models import tracked_models
    from sources.models import Citation

    live = sum(m.objects.count() for m in tracked_models())
    revisions = sum(m.history.count() for m in tracked_models())
    assert revisions > 2 * live
    assert set(Actor.objects.values_list("kind", flat=True)) == {
        "person", "organization", "ethnic_group", "armed_force", "state",
    }  # fmt: skip
    assert Actor.objects.filter(status="draft").exists()
    assert Actor.objects.filter(status="withdrawn").exists()
    assert Name.objects.filter(kind="transliteration").count() == Actor.objects.count()
    assert Citation.objects.count() > 3 * Actor.objects.count()
    # Generated without full_clean(): every object must pass it anyway.
    for model in tracked_models():
        for obj in model.objects.order_by("id")[::25]:
            obj.full_clean(validate_unique=False, validate_constraints=False)


def test_generation_is_deterministic(db):
    from affiliations.models import Affiliation
    from sources.models import Citation

    def snapshot():
        return (
            list(
                Affiliation.objects.order_by("slug").values_list(
                    "slug", "subject__slug", "object__slug", "type__slug", "start", "end",
                    "status", "version",
                )
            ),
            list(Citation.objects.order_by("id").values_list("source__slug", "locator", "quote")),
        )  # fmt: skip

    first = None
    try:
        with transaction.atomic():
            synthetic.Generator(TINY, seed=3).run()
            first = snapshot()
            raise _Rollback
    except _Rollback:
        pass
    synthetic.Generator(TINY, seed=3).run()
    assert snapshot() == first
    assert len(first[0]) == TINY.affiliations


@pytest.mark.parametrize("fast", [False, True])
def test_trusted_paths_write_history_rows_as_the_validated_ones(db, fast):
    """The fast path skips full_clean() only: same rows, versions, derived fields, user,
    reason and change set as services.bulk_create / bulk_update."""
    from actors.models import Actor
    from affiliations.models import Affiliation, AffiliationType

    user = get_user_model().objects.create_user("gen")

    def create(model, objs):
        if not fast:
            return services.bulk_create(model, objs, user=user, reason="r")
        with history.change_set(user, "r"):
            return history.bulk_create_with_history(model, objs, validate=False)

    def update(model, objs, fields):
        if not fast:
            return services.bulk_update(model, objs, fields, user=user, reason="u")
        with history.change_set(user, "u"):
            return synthetic.trusted_bulk_update(model, objs, fields)

    actors = create(Actor, [Actor(slug=f"a{i}", name=f"A {i}", kind="person") for i in range(3)])
    kind = create(AffiliationType, [AffiliationType(slug="t", label="l", inverse_label="i")])[0]
    ties = create(
        Affiliation,
        [
            Affiliation(slug="x", subject=actors[0], object=actors[1], type=kind, start="2015~"),
            Affiliation(slug="y", subject=actors[1], object=actors[2], type=kind, start="201X"),
        ],
    )
    for tie in ties:
        tie.start, tie.role_title = "2016-03", "emir"
    update(Affiliation, ties, ["start", "role_title"])
    rows = list(
        Affiliation.history.order_by("history_id").values(
            "slug", "start", "start_lower", "start_upper", "role_title", "version",
            "history_type", "history_user__username", "history_change_reason",
        )
    )  # fmt: skip
    assert rows == [
        {
            "slug": slug, "start": start, "start_lower": lower, "start_upper": upper,
            "role_title": role, "version": version, "history_type": kind,
            "history_user__username": "gen", "history_change_reason": reason,
        }
        for slug, start, lower, upper, role, version, kind, reason in [
            ("x", "2015~", _d(2014, 1, 1), _d(2016, 12, 31), "", 1, "+", "r"),
            ("y", "201X", _d(2010, 1, 1), _d(2019, 12, 31), "", 1, "+", "r"),
            ("x", "2016-03", _d(2016, 3, 1), _d(2016, 3, 31), "emir", 2, "~", "u"),
            ("y", "2016-03", _d(2016, 3, 1), _d(2016, 3, 31), "emir", 2, "~", "u"),
        ]
    ]  # fmt: skip
    assert Affiliation.history.values("change_set").distinct().count() == 2
    assert list(Affiliation.objects.order_by("slug").values_list("version", flat=True)) == [2, 2]


class _Rollback(Exception):
    pass


def _d(*args):
    return datetime.date(*args)
