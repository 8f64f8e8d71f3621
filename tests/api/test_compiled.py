"""Queries compiled once per shape (sahel.read.compiled): the same rows as the ORM, read
anew on every call, and shapes whose SQL depends on their values are never cached."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Actor, Name
from sahel.core import selectors, services
from sahel.dataset.loader import loader_user
from sahel.read import compiled

pytestmark = pytest.mark.django_db

RESOURCES = ["actors", "affiliations", "events", "places", "sources"]


def _answers(api, as_of=None) -> dict:
    params = {"page_size": 1000} if as_of is None else {"page_size": 1000, "as_of": as_of}
    found = {}
    for resource in RESOURCES:
        body = api.get(f"/api/v1/{resource}/", params).json()
        found[resource] = body
        for item in body["results"][:8]:
            detail = {} if as_of is None else {"as_of": as_of}
            found[(resource, item["id"])] = api.get(
                f"/api/v1/{resource}/{item['id']}/", detail
            ).json()
    return found


@pytest.mark.parametrize("when", ["live", "as_of"])
def test_the_same_answers_with_the_compiled_queries_turned_off(api, settings, when):
    """Every resource's list and details, live and as of an instant, with the compiled
    shapes and with SAHEL_COMPILED_SQL=0 (every query built by the ORM)."""
    compiled.clear()
    as_of = None if when == "live" else timezone.now().isoformat()
    fast = _answers(api, as_of)
    assert fast["actors"]["results"]
    assert any(item["citations"] for item in fast["actors"]["results"])
    if connection.vendor == "postgresql":
        assert any(entry is not compiled._NOT_CACHED for entry in compiled._cache.values())
    settings.SAHEL_COMPILED_SQL = False
    compiled.clear()
    assert _answers(api, as_of) == fast
    assert compiled._cache == {}, "turned off, nothing is compiled"


def test_the_compiled_queries_know_this_django():
    """The compiler reads Django's internals as 5.2 has them: on another version it turns
    itself off (with a warning) and this test fails until it is checked again."""
    assert compiled.problems() == ()
    assert compiled.enabled()


def test_shapes_are_cached_on_postgresql_only(api):
    compiled.clear()
    pk = Actor.objects.order_by("id").first().pk
    api.get(f"/api/v1/actors/{pk}/")
    if connection.vendor == "postgresql":
        cached = [entry for entry in compiled._cache.values() if entry is not compiled._NOT_CACHED]
        # The object, its area, names, their citations and sources, identifiers, citations,
        # sources: every shape of the detail.
        assert len(cached) >= 6
    else:
        assert compiled._cache == {}


def test_rows_are_read_anew_each_time(api):
    """Only SQL is kept: an object withdrawn after a first read is hidden from the next."""
    name = Name.objects.filter(actor__slug="jnim").order_by("id").first()
    url = f"/api/v1/actors/{name.actor_id}/"
    before = api.get(url).json()
    assert name.pk in [n["id"] for n in before["names"]]
    services.update(
        name, user=loader_user(), reason="test", expected_version=None, status="withdrawn"
    )
    after = api.get(url).json()
    assert name.pk not in [n["id"] for n in after["names"]]
    actor = Actor.objects.get(pk=name.actor_id)
    services.update(
        actor, user=loader_user(), reason="test", expected_version=None, status="withdrawn"
    )
    assert api.get(url).status_code == 404


def test_query_counts_unchanged(api, settings):
    pk = Actor.objects.get(slug="jnim").pk
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            api.get(f"/api/v1/actors/{pk}/")
        counts.append(len(queries))
    settings.SAHEL_COMPILED_SQL = False
    with CaptureQueriesContext(connection) as queries:
        api.get(f"/api/v1/actors/{pk}/")
    assert counts == [len(queries)] * 2


def _actors(ids):
    return compiled.rows(("test", "by ids"), lambda ids: _public_ids(ids), ids)


def _public_ids(ids):
    return selectors.public(Actor).filter(id__in_ids=ids).order_by("id").values("id")


@pytest.mark.usefixtures("curated")
def test_values_of_any_length(db):
    """One SQL text for any number of ids (one array parameter), none included."""
    compiled.clear()
    # The published actors (the curated dataset withdraws one): all of them are public.
    published = Actor.objects.filter(status="published")
    every = list(published.order_by("id").values_list("id", flat=True))
    for ids in (every[:1], every[:3], every, [], [every[0], every[0]], set(every[2:5])):
        assert [row["id"] for row in _actors(ids)] == sorted(set(ids))


@pytest.mark.usefixtures("curated")
@pytest.mark.parametrize(
    "build",
    [
        # One placeholder per id (Django's IN): the SQL depends on the number of ids.
        lambda ids, pk: Actor.objects.filter(id__in=list(ids)).order_by("id").values("id"),
        # A parameter derived from a value, not the value.
        lambda ids, pk: Actor.objects.filter(id=pk + 0 * len(ids) + 1).values("id"),
        # A value that decides the shape.
        lambda ids, pk: (
            (Actor.objects.filter(id=pk) if pk > 0 else Actor.objects.all())
            .order_by("id")
            .values("id")
        ),
        # Not a .values() queryset.
        lambda ids, pk: Actor.objects.filter(id=pk),
    ],
)
def test_shapes_that_depend_on_their_values_are_not_cached(db, build):
    compiled.clear()
    every = list(Actor.objects.order_by("id").values_list("id", flat=True))
    for ids, pk in ((every[:1], every[0]), (every[:4], every[3]), (every, every[-1])):
        expected = list(build(ids, pk))
        assert compiled.rows(("test", "depends"), build, ids, pk) == expected
    assert all(entry is compiled._NOT_CACHED for entry in compiled._cache.values())


@pytest.mark.usefixtures("curated")
def test_instants_and_ids(db):
    compiled.clear()
    actor = Actor.objects.get(slug="jnim")
    earlier = timezone.now() - datetime.timedelta(days=3650)

    def build(as_of, pk):
        return selectors.public(Actor, as_of=as_of).filter(id=pk).values("id", "name")

    for as_of in (timezone.now(), earlier, None, timezone.now()):
        expected = list(build(as_of, actor.pk))
        assert compiled.rows(("test", "instant"), build, as_of, actor.pk) == expected
    assert compiled.rows(("test", "instant"), build, timezone.now(), actor.pk)
    assert compiled.rows(("test", "instant"), build, earlier, actor.pk) == []
    with pytest.raises(TypeError):
        compiled.rows(("test", "naive"), build, datetime.datetime(2020, 1, 1), actor.pk)
