"""`__in_ids`: the same rows as `__in`, sent as one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Actor, Name

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(make):
    return [make.actor(name=f"Actor {n}", status="published") for n in range(5)]


@pytest.mark.parametrize(
    "ids",
    [lambda a: [a[0].pk, a[2].pk], lambda a: {a[1].pk}, lambda a: (a[3].pk, None), lambda a: []],
    ids=["list", "set", "tuple with None", "empty"],
)
def test_same_rows_as_in(actors, ids):
    wanted = ids(actors)
    got = set(Actor.objects.filter(id__in_ids=wanted).values_list("id", flat=True))
    assert got == set(Actor.objects.filter(id__in=wanted).values_list("id", flat=True))
    excluded = set(Actor.objects.exclude(id__in_ids=wanted).values_list("id", flat=True))
    assert excluded == {a.pk for a in actors} - got


def test_on_a_foreign_key(actors, make):
    names = [make.name(actor, f"{actor.name} alias", status="published") for actor in actors]
    wanted = [actors[1].pk, actors[3].pk]
    for column in ("actor", "actor_id"):
        got = Name.objects.filter(**{f"{column}__in_ids": wanted})
        assert {name.pk for name in got} == {names[1].pk, names[3].pk}


def test_a_subquery_is_django_in(actors, make):
    name = make.name(actors[4], "Alias", status="published")
    names = Name.objects.filter(id=name.pk).values("actor_id")
    assert list(Actor.objects.filter(id__in_ids=names)) == [actors[4]]


def test_one_parameter_for_many_ids_on_postgresql(actors):
    ids = [a.pk for a in actors] + list(range(10_000, 12_000))
    with CaptureQueriesContext(connection) as queries:
        assert len(Actor.objects.filter(id__in_ids=ids)) == len(actors)
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
        assert Actor.objects.filter(id__in_ids=ids).query.sql_with_params()[0].count("%s") == 1
    else:
        assert " IN (" in sql
