"""Calibration: stock DRF nested serializers and stock strawberry-django with its optimizer,
beside a 3-query psycopg + orjson baseline of the same payload, for 100 actors with their
names and citations with sources."""

from collections import defaultdict

import orjson
from django.contrib.contenttypes.models import ContentType

from perf.baseline import PAGE, Raw, dumps
from perf.measure import Result, _timed, count_queries


def calibration(repeat: int) -> list[Result]:
    """100 public actors with their names and citations (with sources): stock DRF nested
    ModelSerializers, stock strawberry-django + DjangoOptimizerExtension, and a 3-query
    psycopg + orjson baseline of the same payload. Called directly (no URL routing)."""
    from django.db.models import Prefetch
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from actors.models import Actor, Name
    from sources.models import Citation, Source

    class SourceSerializer(serializers.ModelSerializer):
        class Meta:
            model = Source
            fields = ["id", "slug", "title", "reliability"]

    class CitationSerializer(serializers.ModelSerializer):
        source = SourceSerializer()

        class Meta:
            model = Citation
            fields = ["id", "quote", "locator", "stance", "source"]

    class NameSerializer(serializers.ModelSerializer):
        class Meta:
            model = Name
            fields = ["id", "name", "kind"]

    class ActorSerializer(serializers.ModelSerializer):
        names = NameSerializer(many=True)
        citations = CitationSerializer(many=True)

        class Meta:
            model = Actor
            fields = ["id", "slug", "name", "kind", "names", "citations"]

    def queryset():
        return Actor.objects.filter(status="published").order_by("id")[:PAGE]

    def drf():
        actors = queryset().prefetch_related(
            Prefetch("names", queryset=Name.objects.order_by("id")),
            Prefetch(
                "citations", queryset=Citation.objects.select_related("source").order_by("id")
            ),
        )
        return JSONRenderer().render(ActorSerializer(actors, many=True).data)

    ct = ContentType.objects.get_for_model(Actor).pk

    def baseline():
        raw = Raw()
        actors = raw.fetch(
            "SELECT id, slug, name, kind FROM actors_actor WHERE status = 'published' "
            "ORDER BY id LIMIT %(n)s",
            {"n": PAGE},
        )
        ids = [a[0] for a in actors]
        names, cites = defaultdict(list), defaultdict(list)
        for pk, actor_id, name, kind in raw.fetch(
            "SELECT id, actor_id, name, kind FROM actors_name WHERE actor_id = ANY(%(ids)s) "
            "ORDER BY id",
            {"ids": ids},
        ):
            names[actor_id].append({"id": pk, "name": name, "kind": kind})
        for pk, object_id, quote, locator, stance, sid, slug, title, rel in raw.fetch(
            "SELECT c.id, c.object_id, c.quote, c.locator, c.stance, s.id, s.slug, s.title, "
            "s.reliability FROM sources_citation c JOIN sources_source s ON s.id = c.source_id "
            "WHERE c.content_type_id = %(ct)s AND c.object_id = ANY(%(ids)s) ORDER BY c.id",
            {"ct": ct, "ids": ids},
        ):
            cites[object_id].append(
                {
                    "id": pk, "quote": quote, "locator": locator, "stance": stance,
                    "source": {"id": sid, "slug": slug, "title": title, "reliability": rel},
                }
            )  # fmt: skip
        return dumps(
            [
                {"id": pk, "slug": slug, "name": name, "kind": kind, "names": names[pk],
                 "citations": cites[pk]}
                for pk, slug, name, kind in actors
            ]
        )  # fmt: skip

    results = []
    base_runs, base_body = _timed(baseline, repeat)
    drf_result = Result("stock DRF nested ModelSerializers (100 actors, names, citations)")
    drf_result.queries = count_queries(drf)
    drf_result.runs, body = _timed(drf, repeat)
    drf_result.base_runs, drf_result.base_queries = base_runs, 3
    drf_result.verified = orjson.loads(body) == orjson.loads(base_body)
    results.append(drf_result)

    schema, query = _strawberry_django_schema()
    sd = Result("stock strawberry-django + optimizer (same payload)")

    def run_sd():
        outcome = schema.execute_sync(query, variable_values={"n": PAGE})
        if outcome.errors:
            raise AssertionError(outcome.errors)
        return dumps(outcome.data)

    sd.queries = count_queries(run_sd)
    sd.runs, body = _timed(run_sd, repeat)
    sd.base_runs, sd.base_queries = base_runs, 3

    def as_graphql(item: dict) -> dict:  # GraphQL ids are strings
        return {
            key: str(value) if key == "id" else as_graphql(value) if isinstance(value, dict)
            else [as_graphql(v) for v in value] if isinstance(value, list) else value
            for key, value in item.items()
        }  # fmt: skip

    expected = [as_graphql(item) for item in orjson.loads(base_body)]
    sd.verified = orjson.loads(body)["actors"] == expected
    results.append(sd)
    return results


_SD_SCHEMA = None


def _strawberry_django_schema():
    """A plain strawberry-django schema over the models, as its documentation shows."""
    global _SD_SCHEMA
    if _SD_SCHEMA is not None:
        return _SD_SCHEMA
    import strawberry
    import strawberry_django
    from strawberry_django.optimizer import DjangoOptimizerExtension

    from actors.models import Actor, Name
    from sources.models import Citation, Source

    @strawberry_django.type(Source)
    class SourceType:
        id: strawberry.auto
        slug: strawberry.auto
        title: strawberry.auto
        reliability: strawberry.auto

    @strawberry_django.type(Citation)
    class CitationType:
        id: strawberry.auto
        quote: strawberry.auto
        locator: strawberry.auto
        stance: strawberry.auto
        source: SourceType

    @strawberry_django.type(Name)
    class NameType:
        id: strawberry.auto
        name: strawberry.auto
        kind: strawberry.auto

    @strawberry_django.type(Actor)
    class ActorType:
        id: strawberry.auto
        slug: strawberry.auto
        name: strawberry.auto
        kind: strawberry.auto
        names: list[NameType]
        citations: list[CitationType]

    @strawberry.type
    class Query:
        @strawberry_django.field
        def actors(self, n: int) -> list[ActorType]:
            return Actor.objects.filter(status="published").order_by("id")[:n]

    schema = strawberry.Schema(query=Query, extensions=[DjangoOptimizerExtension])
    query = """query($n: Int!) { actors(n: $n) { id slug name kind names { id name kind }
        citations { id quote locator stance source { id slug title reliability } } } }"""
    _SD_SCHEMA = schema, query
    return _SD_SCHEMA
