"""How fast the service is, beside the fastest thing that could give the same answer.

`manage.py benchmark` (see docs/benchmarks.md) measures each case of issue 7 in-process,
through the real URL routing and middleware (`django.test.Client`): median and p95
latency and the number of SQL queries. Beside each, a hand-written *baseline*: raw SQL
through psycopg (on the connection under Django's, so it sees the same transaction) plus
orjson, producing the same payload (same fields, same rows: checked, `verified`), with the
visibility, `as_of` and `valid_at` rules written out in SQL by hand. The ratio
service/baseline of each case is measured in the same run.

For calibration it also measures, for 100 actors with their names and citations with
sources, stock DRF nested `ModelSerializer`s and stock strawberry-django with its
`DjangoOptimizerExtension`, beside a 3-query psycopg + orjson baseline of the same payload.

Baselines need PostgreSQL; on SQLite only the service side runs (the query counts and the
"no case errors" checks of `tests/test_benchmark.py`).
"""

import contextlib
import datetime
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

import orjson
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.db import close_old_connections, connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from sahel.core.models import ClaimModel, citable_models
from sahel.core.names import normalize_name, skeleton_words
from sahel.read.projection import SOURCE_SUMMARY, Projection
from sahel.workers import settle

PAGE = 100
HOST = "http://testserver"


def _q(name: str) -> str:
    return f'"{name}"'


# -- the hand-written read side: raw SQL on psycopg ------------------------------------------


class Raw:
    """Raw SQL through psycopg, live or as of an instant; counts its queries."""

    def __init__(self, as_of: datetime.datetime | None = None):
        import psycopg

        connection.ensure_connection()
        self.conn = connection.connection
        self.cursor_class = psycopg.Cursor
        self.as_of = as_of
        self.queries = 0

    def fetch(self, sql: str, params: dict | None = None) -> list[tuple]:
        self.queries += 1
        with self.cursor_class(self.conn) as cursor:
            cursor.execute(sql, {"as_of": self.as_of, **(params or {})})
            return cursor.fetchall()

    # What the public may see, in SQL (the rules of sahel.core.selectors, written out).
    def source(self, model, alias: str, inner: str = "TRUE") -> str:
        """The rows of `model` to read (live, or the latest state of each at `as_of`),
        restricted by `inner` (a condition on an object's identity, safe before DISTINCT)."""
        if self.as_of is None:
            return f"{model._meta.db_table} {alias}"
        table = model.history.model._meta.db_table
        return (
            f"(SELECT * FROM {table} WHERE tstzrange(history_date, history_end, '[)') @> "
            f"%(as_of)s::timestamptz AND {inner}) {alias}"
        )

    def visible(self, model, alias: str, known: tuple = ()) -> list[str]:
        """Conditions that row `alias` of `model` is public; `known`: relations already
        known to be public (the parent of a child row)."""
        conditions = []
        if self.as_of is not None:
            conditions.append(f"{alias}.history_type <> '-'")
        if issubclass(model, ClaimModel):
            conditions.append(f"{alias}.status = 'published'")
            if self.as_of is not None:  # withdrawn since: hidden from the past too
                # The latest state: the live row, or for an object deleted since, its last
                # deletion row (the few deletion rows have a partial index).
                live, table = model._meta.db_table, model.history.model._meta.db_table
                conditions.append(
                    f"{alias}.id NOT IN (SELECT id FROM {live} WHERE status <> 'published')"
                )
                conditions.append(
                    f"(EXISTS (SELECT 1 FROM {live} l WHERE l.id = {alias}.id) OR "
                    f"(SELECT d.status FROM {table} d WHERE d.id = {alias}.id AND "
                    f"d.history_type = '-' ORDER BY d.history_date DESC, d.history_id DESC "
                    f"LIMIT 1) = 'published')"
                )
        for name in model.visibility_requires:
            if name in known:
                continue
            field = model._meta.get_field(name)
            if isinstance(field, GenericForeignKey):
                options = []
                for target in citable_models():
                    ct = ContentType.objects.get_for_model(target).pk
                    options.append(
                        f"({alias}.{field.ct_field}_id = {ct} AND "
                        f"{self._exists(target, f'{alias}.{field.fk_field}', alias + 't')})"
                    )
                conditions.append("(" + " OR ".join(options) + ")")
            else:
                conditions.append(
                    self._exists(field.related_model, f"{alias}.{field.attname}", alias + "r")
                )
        return conditions

    def _exists(self, model, id_expr: str, alias: str) -> str:
        if self.as_of is None:
            source = f"{model._meta.db_table} {alias}"
            where = [f"{alias}.id = {id_expr}"]
        else:
            table = model.history.model._meta.db_table
            source = (
                f"(SELECT * FROM {table} h WHERE h.id = {id_expr} AND h.history_date <= "
                f"%(as_of)s AND (h.history_end > %(as_of)s OR h.history_end IS NULL)) {alias}"
            )
            where = []
        return (
            f"EXISTS (SELECT 1 FROM {source} WHERE "
            + " AND ".join([*where, *self.visible(model, alias)] or ["TRUE"])
            + ")"
        )

    def select(
        self,
        model,
        columns: list[str],
        *,
        where: tuple = (),
        inner: str = "TRUE",
        known: tuple = (),
        order: str = "a.id",
        limit: int | None = None,
        extra_from: str = "",
        extra_columns: tuple = (),
        params: dict | None = None,
    ) -> list[dict]:
        names = [*columns, *(alias for _, alias in extra_columns)]
        select = [f"a.{_q(c)}" for c in columns] + [expr for expr, _ in extra_columns]
        conditions = [*self.visible(model, "a", known), *where] or ["TRUE"]
        sql = (
            f"SELECT {', '.join(select)} FROM {self.source(model, 'a', inner)} {extra_from} "
            f"WHERE {' AND '.join(conditions)} ORDER BY {order}"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        return [dict(zip(names, row, strict=True)) for row in self.fetch(sql, params)]

    def count(self, model, *, where: tuple = (), extra_from: str = "", params=None) -> int:
        conditions = [*self.visible(model, "a"), *where] or ["TRUE"]
        sql = (
            f"SELECT count(*) FROM {self.source(model, 'a')} {extra_from} "
            f"WHERE {' AND '.join(conditions)}"
        )
        return self.fetch(sql, params)[0][0]

    # The payload, as sahel.read.projection shapes it.
    def build(self, projection: type[Projection], rows: list[dict]) -> list[dict]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        refs = {}
        for name, ref in projection.refs.items():
            wanted = list({row[f"{name}_id"] for row in rows} - {None})
            found = (
                self.select(
                    ref.model, ["id", *ref.fields], inner="id = ANY(%(ids)s)",
                    where=("a.id = ANY(%(ids)s)",), params={"ids": wanted},
                )
                if wanted
                else []
            )  # fmt: skip
            refs[name] = {row["id"]: row for row in found}
        children = {}
        for name, child in projection.children.items():
            fk = f"{child.fk}_id"
            table = child.projection.model.history.model._meta.db_table
            child_rows = self.select(
                child.projection.model,
                list(dict.fromkeys([*child.projection.columns(), fk])),
                inner=f"id IN (SELECT id FROM {table} WHERE {fk} = ANY(%(ids)s))",
                where=(f"a.{fk} = ANY(%(ids)s)",),
                known=(child.fk,),
                order=f"a.{fk}, a.id",
                params={"ids": ids},
            )
            grouped = defaultdict(list)
            for row, item in zip(child_rows, self.build(child.projection, child_rows), strict=True):
                grouped[row[fk]].append(item)
            children[name] = grouped
        citations = self.citations(projection.model, ids) if projection.cited else {}
        result = []
        for row in rows:
            item = {"id": row["id"]}
            for name in projection.fields:
                item[name] = row[name]
            for name in projection.dates:
                edtf, lower, upper = row[name], row[f"{name}_lower"], row[f"{name}_upper"]
                item[name] = (
                    {
                        "edtf": edtf,
                        "lower": lower.isoformat() if lower else None,
                        "upper": upper.isoformat() if upper else None,
                    }
                    if edtf
                    else None
                )
            for name in projection.refs:
                item[name] = refs[name].get(row[f"{name}_id"])
            for name in projection.children:
                item[name] = children[name].get(row["id"], [])
            if projection.cited:
                item["citations"] = citations.get(row["id"], [])
            result.append(item)
        return result

    def citations(self, model, ids: list) -> dict[int, list[dict]]:
        """Citations of public objects (so public themselves) with their source summary."""
        from sources.models import Citation, Source

        ct = ContentType.objects.get_for_model(model).pk
        table = Citation.history.model._meta.db_table
        rows = self.select(
            Citation,
            ["id", "object_id", "source_id", "locator", "quote", "stance", "credibility",
             "field_name", "note"],
            inner=f"id IN (SELECT id FROM {table} WHERE content_type_id = {ct} "
            f"AND object_id = ANY(%(ids)s))",
            where=(f"a.content_type_id = {ct}", "a.object_id = ANY(%(ids)s)"),
            known=("target",),
            order="a.object_id, a.id",
            params={"ids": ids},
        )  # fmt: skip
        if not rows:
            return {}
        wanted = list({row["source_id"] for row in rows})
        sources = {
            row["id"]: row
            for row in self.select(
                Source, ["id", *SOURCE_SUMMARY], inner="id = ANY(%(ids)s)",
                where=("a.id = ANY(%(ids)s)",), params={"ids": wanted},
            )
        }  # fmt: skip
        grouped = defaultdict(list)
        for row in rows:
            grouped[row["object_id"]].append(
                {
                    "id": row["id"],
                    "source": sources.get(row["source_id"]),
                    "locator": row["locator"],
                    "quote": row["quote"],
                    "stance": row["stance"],
                    "credibility": row["credibility"],
                    "field": row["field_name"] or None,
                    "note": row["note"],
                }
            )
        return grouped


def dumps(payload) -> bytes:
    # DRF renders Decimal as a float; so does this.
    return orjson.dumps(payload, default=float)


def next_url(path: str, params: dict, count: int, page_size: int) -> str | None:
    """DRF's next-page link (PageNumberPagination: query parameters sorted, page replaced)."""
    if count <= page_size:
        return None
    query = {key: [str(value)] for key, value in params.items()}
    query["page"] = ["2"]
    return f"{HOST}{path}?{urllib.parse.urlencode(sorted(query.items()), doseq=True)}"


def page_payload(raw: Raw, path, params, count, results) -> dict:
    return {
        "count": count,
        "next": next_url(path, params, count, int(params.get("page_size", PAGE))),
        "previous": None,
        "results": results,
    }


ACTOR_ORDER = 'lower(a."name") COLLATE "C" ASC NULLS LAST, a.id'


# -- cases ------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    method: str  # "get" or "graphql"
    path: str
    params: dict = field(default_factory=dict)  # query parameters, or GraphQL variables
    query: str = ""  # GraphQL
    baseline: Callable[[Raw, dict], dict] | None = None
    page_param: str | None = None  # the parameter whose growth must not grow the queries
    verify: bool = True
    note: str = ""
    repeat: int | None = None  # fewer timed runs for a slow case
    limit: int | None = None  # seconds after which the case is abandoned (reported)

    def request(self, client: Client, params: dict | None = None) -> bytes:
        params = self.params if params is None else params
        if self.method == "graphql":
            response = client.post(
                self.path,
                {"query": self.query, "variables": params},
                content_type="application/json",
            )
        else:
            response = client.get(self.path, params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            raise AssertionError(f"{self.name}: HTTP {response.status_code}: {body[:500]!r}")
        if self.method == "graphql" and b'"errors"' in body[:20]:
            raise AssertionError(f"{self.name}: {body[:500]!r}")
        return body


@dataclass
class Subjects:
    """The objects the cases ask about, picked from the data (deterministically)."""

    actor_id: int
    network_slug: str
    search_text: str
    as_of: datetime.datetime | None

    @classmethod
    def pick(cls) -> "Subjects":
        from actors.models import Actor, Name
        from affiliations.models import Affiliation
        from sahel.core import selectors

        public = selectors.public(Actor)
        # The detail: a public actor with the most names, then citations.
        actor_id = (
            selectors.public(Name).values("actor_id").order_by("actor_id").first()["actor_id"]
        )
        # The network: a public organization with about 20 public ties.
        from django.db.models import Count, Q

        ties = selectors.public(Affiliation)
        degrees = (
            public.exclude(kind="person")
            .annotate(
                degree=Count(
                    "affiliations_as_object",
                    filter=Q(affiliations_as_object__in=ties.values("id")),
                )
            )
            .filter(degree__gte=5, degree__lte=40)
            .order_by("-degree", "id")
            .values_list("slug", flat=True)
        )
        network_slug = degrees.first() or public.order_by("id").first().slug
        # A name variant stored nowhere: a kunya respelled the French way, without its number.
        kunya = (
            selectors.public(Name)
            .filter(kind="kunya")
            .order_by("id")
            .values_list("name", flat=True)
            .first()
        )
        words = (kunya or public.order_by("id").first().name).split()
        search_text = " ".join(w for w in words if not w.isdigit())
        search_text = search_text.replace("Abu ", "Abou ").replace("al-", "el-")
        # as_of: the instant between the creation of the data and its revisions.
        first_revision = Actor.history.filter(history_type="~").order_by("history_date").first()
        as_of = None
        if first_revision is not None:
            as_of = first_revision.history_date - datetime.timedelta(microseconds=1)
        return cls(actor_id, network_slug, search_text, as_of)


def cases(subjects: Subjects) -> list[Case]:
    from actors.models import Actor, Name
    from actors.projections import ActorProjection
    from affiliations.models import Affiliation
    from affiliations.projections import AffiliationProjection
    from events.models import Event
    from events.projections import EventProjection

    def list_baseline(model, projection, path, order, where=()):
        def run(raw: Raw, params: dict) -> dict:
            size = int(params.get("page_size", PAGE))
            rows = raw.select(model, projection.columns(), where=where, order=order, limit=size)
            count = raw.count(model, where=where)
            return page_payload(raw, path, params, count, raw.build(projection, rows))

        return run

    def detail_baseline(raw: Raw, params: dict) -> dict:
        rows = raw.select(
            Actor,
            ActorProjection.columns(),
            inner="id = %(id)s",
            where=("a.id = %(id)s",),
            params={"id": subjects.actor_id},
        )
        return raw.build(ActorProjection, rows)[0]

    def search_baseline(raw: Raw, params: dict) -> dict:
        text = params["search"]
        key = normalize_name(text)
        words = skeleton_words(text)[:12]
        like = {"key": key, "start": key + "%", "inside": f"%{key}%"}
        spelled = []
        for position, word in enumerate(words):
            last = position == len(words) - 1
            like[f"w{position}"] = f"% {word}%" if last else f"% {word} %"
            spelled.append(f"n.search_skeleton LIKE %(w{position})s")
        matches = (
            "(SELECT n.actor_id, min(CASE WHEN n.search_key = %(key)s THEN 0 "
            "WHEN n.search_key LIKE %(start)s THEN 1 WHEN n.search_key LIKE %(inside)s "
            "THEN 2 ELSE 3 END) AS rank FROM actors_name n WHERE n.status = 'published' AND "
            f"(n.search_key LIKE %(inside)s OR ({' AND '.join(spelled) or 'TRUE'})) "
            "GROUP BY n.actor_id) m"
        )
        extra = f"JOIN {matches} ON m.actor_id = a.id"
        size = int(params.get("page_size", PAGE))
        rows = raw.select(
            Actor, ActorProjection.columns(), extra_from=extra, order="m.rank, a.name, a.id",
            limit=size, params=like,
        )  # fmt: skip
        count = raw.count(Actor, extra_from=extra, params=like)
        return page_payload(raw, "/api/v1/actors/", params, count, raw.build(ActorProjection, rows))

    def valid_at_where(start, end, lower, upper, single=False):
        where = (
            f"(a.{start}_lower <= '{upper}' OR a.{start}_lower IS NULL)",
            f"(a.{_q(end + '_upper')} >= '{lower}' OR a.{_q(end + '_upper')} IS NULL)",
        )
        return (*where, f"a.{start} <> ''") if single else where

    nested_query = """query($first: Int) { actors(first: $first) { nodes { id name
        affiliationsAsSubject { id roleTitle type { slug }
          object { id name citations { quote locator source { slug title } } } } } } }"""

    def nested_baseline(raw: Raw, params: dict) -> dict:
        from sources.models import Citation

        actors = raw.select(Actor, ["id", "name"], order=ACTOR_ORDER, limit=params["first"])
        ids = [a["id"] for a in actors]
        ties = raw.select(
            Affiliation,
            ["id", "subject_id", "role_title", "type_id", "object_id"],
            where=("a.subject_id = ANY(%(ids)s)",),
            known=("subject",),
            order="a.start_lower, a.id",
            params={"ids": ids},
        )
        types = dict(
            raw.fetch(
                "SELECT id, slug FROM affiliations_affiliationtype WHERE id = ANY(%(ids)s)",
                {"ids": list({t["type_id"] for t in ties})},
            )
        )
        others = {
            row["id"]: row
            for row in raw.select(
                Actor, ["id", "name"], where=("a.id = ANY(%(ids)s)",),
                params={"ids": list({t["object_id"] for t in ties})},
            )
        }  # fmt: skip
        ct = ContentType.objects.get_for_model(Actor).pk
        cites = raw.fetch(
            "SELECT c.object_id, c.quote, c.locator, s.slug, s.title FROM sources_citation c "
            "JOIN sources_source s ON s.id = c.source_id WHERE c.content_type_id = %(ct)s "
            "AND c.object_id = ANY(%(ids)s) ORDER BY c.object_id, c.id",
            {"ct": ct, "ids": list(others)},
        )
        _ = Citation  # citations of public actors are public; sources always are
        by_actor = defaultdict(list)
        for object_id, quote, locator, slug, title in cites:
            by_actor[object_id].append(
                {"quote": quote, "locator": locator, "source": {"slug": slug, "title": title}}
            )
        by_subject = defaultdict(list)
        for tie in ties:
            other = others.get(tie["object_id"])
            by_subject[tie["subject_id"]].append(
                {
                    "id": str(tie["id"]),
                    "roleTitle": tie["role_title"],
                    "type": {"slug": types[tie["type_id"]]},
                    "object": {
                        "id": str(other["id"]),
                        "name": other["name"],
                        "citations": by_actor.get(other["id"], []),
                    }
                    if other
                    else None,
                }
            )
        nodes = [
            {"id": str(a["id"]), "name": a["name"], "affiliationsAsSubject": by_subject[a["id"]]}
            for a in actors
        ]
        return {"data": {"actors": {"nodes": nodes}}}

    network_query = """query($actor: String!) { network(actor: $actor, depth: 2) {
        truncated nodes { slug name kind }
        edges { subject { slug } type { label } object { slug } certainty } } }"""

    def network_baseline(raw: Raw, params: dict) -> dict:
        start = raw.fetch(
            "SELECT id FROM actors_actor WHERE slug = %(slug)s AND status = 'published'",
            {"slug": params["actor"]},
        )[0][0]
        reached, frontier, edges, truncated = {start}, {start}, set(), False
        limit = 2000
        for _ in range(2):
            if not frontier:
                break
            found = raw.fetch(
                "SELECT a.id, a.subject_id, a.object_id FROM affiliations_affiliation a WHERE "
                + " AND ".join(raw.visible(Affiliation, "a"))
                + " AND (a.subject_id = ANY(%(f)s) OR a.object_id = ANY(%(f)s))"
                " AND NOT (a.id = ANY(%(e)s)) ORDER BY a.id LIMIT %(n)s",
                {"f": list(frontier), "e": list(edges), "n": limit - len(edges) + 1},
            )
            if len(edges) + len(found) > limit:
                truncated = True
                break
            edges |= {pk for pk, _, _ in found}
            ends = {end for _, subject, obj in found for end in (subject, obj)}
            frontier = ends - reached
            reached |= ends
        nodes = raw.select(
            Actor, ["slug", "name", "kind"], where=("a.id = ANY(%(ids)s)",),
            order="a.name, a.id", params={"ids": list(reached)},
        )  # fmt: skip
        links = raw.fetch(
            "SELECT s.slug, t.label, o.slug, a.certainty FROM affiliations_affiliation a "
            "JOIN affiliations_affiliationtype t ON t.id = a.type_id "
            "JOIN actors_actor s ON s.id = a.subject_id JOIN actors_actor o ON o.id = a.object_id "
            "WHERE a.id = ANY(%(ids)s) ORDER BY a.start_lower, a.id",
            {"ids": list(edges)},
        )
        return {
            "data": {
                "network": {
                    "truncated": truncated,
                    "nodes": nodes,
                    "edges": [
                        {
                            "subject": {"slug": s},
                            "type": {"label": label},
                            "object": {"slug": o},
                            "certainty": certainty.upper(),
                        }
                        for s, label, o, certainty in links
                    ],
                }
            }
        }

    found = [
        Case(
            "REST actor list (100/page)",
            "get",
            "/api/v1/actors/",
            {"page_size": PAGE},
            baseline=list_baseline(Actor, ActorProjection, "/api/v1/actors/", ACTOR_ORDER),
            page_param="page_size",
        ),
        Case(
            "REST actor detail",
            "get",
            f"/api/v1/actors/{subjects.actor_id}/",
            baseline=detail_baseline,
        ),
        Case(
            "REST events, date range",
            "get",
            "/api/v1/events/",
            {"date_from": "2015", "date_to": "2016", "page_size": PAGE},
            baseline=list_baseline(
                Event,
                EventProjection,
                "/api/v1/events/",
                "a.date_lower ASC NULLS LAST, a.id",
                where=valid_at_where("date", "date", "2015-01-01", "2016-12-31", single=True),
            ),
            page_param="page_size",
        ),
        Case(
            "REST search, name variant",
            "get",
            "/api/v1/actors/",
            {"search": subjects.search_text, "page_size": PAGE},
            baseline=search_baseline,
            page_param="page_size",
        ),
        Case(
            "REST actor list as_of",
            "get",
            "/api/v1/actors/",
            {"page_size": PAGE, "as_of": subjects.as_of.isoformat()} if subjects.as_of else {},
            baseline=list_baseline(Actor, ActorProjection, "/api/v1/actors/", ACTOR_ORDER),
            page_param="page_size",
        ),
        Case(
            "REST affiliations valid_at",
            "get",
            "/api/v1/affiliations/",
            {"valid_at": "2018", "page_size": PAGE},
            baseline=list_baseline(
                Affiliation,
                AffiliationProjection,
                "/api/v1/affiliations/",
                "a.start_lower ASC NULLS LAST, a.id",
                where=valid_at_where("start", "end", "2018-01-01", "2018-12-31"),
            ),
            page_param="page_size",
        ),
        Case(
            "REST changes feed page",
            "get",
            "/api/v1/changes/",
            {"limit": 10},
            page_param="limit",
            verify=False,
            repeat=3,
            limit=120,
            note="limit 10, 3 runs; no baseline: the feed's diffing is not reproduced in SQL",
        ),
        Case(
            "GraphQL actors→ties→object→citations→source",
            "graphql",
            "/graphql/",
            {"first": PAGE},
            query=nested_query,
            baseline=nested_baseline,
            page_param="first",
        ),
        Case(
            "GraphQL network depth 2",
            "graphql",
            "/graphql/",
            {"actor": subjects.network_slug},
            query=network_query,
            baseline=network_baseline,
        ),
    ]
    _ = Name
    return found


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    runs: list[float] = field(default_factory=list)
    queries: int | None = None
    queries_small: int | None = None  # at a page of 10, when the case has pages
    base_runs: list[float] = field(default_factory=list)
    base_queries: int | None = None
    verified: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        return _p95(self.runs)

    @property
    def ratio(self) -> float | None:
        return self.median / statistics.median(self.base_runs) if self.base_runs else None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(
    run: Callable[[], object], repeat: int, warmup: int = 1, budget: float = 20.0
) -> tuple[list[float], object]:
    """Up to `repeat` timed runs; at least 3 (or `repeat`), then stop once `budget`
    seconds are spent: a case that takes seconds a run gets fewer runs."""
    out = None
    for _ in range(warmup):
        out = run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - began)
        if len(times) >= min(3, repeat) and sum(times) > budget:
            break
    return times, out


class CaseTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int | None):
    """Abandon a case after `seconds` (wall clock; the connection is then closed, and
    PostgreSQL's statement_timeout ends the query it was running)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CaseTimeout(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = '{seconds}s'")
        yield
    except CaseTimeout:
        connection.close()
        raise
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")


# A public read runs in a read-only transaction of its own (`views.read_snapshot`): its
# BEGIN, SET TRANSACTION and COMMIT are not queries of the read path (and a baseline would
# need them too to read one snapshot); counted apart from the SQL queries.
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SET TRANSACTION", "SAVEPOINT", "RELEASE")


def count_queries(run: Callable[[], object]) -> int:
    """SQL queries `run` sends, transaction control statements not counted."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return sum(
        not query["sql"].lstrip().upper().startswith(_TRANSACTION_CONTROL)
        for query in captured.captured_queries
    )


def baselines_available() -> bool:
    return connection.vendor == "postgresql"


def measure_case(case: Case, client: Client, *, repeat: int, keep_going: bool = False) -> Result:
    """`keep_going`: report an error in the table instead of raising it."""
    try:
        with time_limit(case.limit):
            return _measure_case(case, client, repeat=repeat)
    except CaseTimeout as exc:
        return Result(case.name, note=f"{case.note}; abandoned: {exc}", runs=[float("nan")])
    except Exception as exc:
        if not keep_going:
            raise
        note = f"ERROR {type(exc).__name__}: {str(exc)[:120]}"
        return Result(case.name, note=note, runs=[float("nan")])


def _measure_case(case: Case, client: Client, *, repeat: int) -> Result:
    result = Result(case.name, note=case.note)
    repeat = min(repeat, case.repeat or repeat)
    case.request(client)  # warm caches (content types ...) before counting
    result.queries = count_queries(lambda: case.request(client))
    if case.page_param:
        small = {**case.params, case.page_param: 10 if case.params[case.page_param] > 10 else 1}
        result.queries_small = count_queries(lambda: case.request(client, small))
    result.runs, body = _timed(lambda: case.request(client), repeat, warmup=0)
    if case.baseline is not None and baselines_available():
        raw_as_of = case.params.get("as_of")
        raw_as_of = datetime.datetime.fromisoformat(raw_as_of) if raw_as_of else None

        def baseline():
            raw = Raw(raw_as_of)
            payload = dumps(case.baseline(raw, case.params))
            return raw, payload

        result.base_runs, (raw, payload) = _timed(baseline, repeat)
        result.base_queries = raw.queries
        if case.verify:
            service, base = orjson.loads(body), orjson.loads(payload)
            result.verified = service == base
            if not result.verified:
                result.note = first_difference(service, base)
    return result


def first_difference(a, b, path: str = "") -> str:
    """Where two payloads first differ (for the report of a failed verification)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=lambda k: (k != "id", str(k))):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
        if len(a) != len(b):
            return f"{path}: {len(a)} items, baseline {len(b)}"
    return f"{path}: {str(a)[:200]} != baseline {str(b)[:200]}"


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure_export(
    client: Client, *, limit: int | None = None, rounds: int = 1, isolated: bool = False
) -> Result:
    """The whole export (or its first `limit` lines), streamed through the URL, beside a
    hand-written export of the same lines (`RawExport`): records/s and peak resident memory
    above the start, sampled at every chunk. The two must be the same bytes, every line
    (a hash of all of them). `rounds`: service then baseline, that many times; the best
    rate of each is reported (the machine is shared), the highest peak.

    `isolated`: each export in a fresh Python process (`python -c`, same settings and
    database), so that neither reuses memory the other freed (an allocator keeps freed
    memory: in one process the second export's peak reads lower). It cannot see data
    left uncommitted by a test."""
    result = Result("JSON Lines export (all resources)")
    sides = ["service", "baseline"] if baselines_available() else ["service"]
    runs: dict = {side: [] for side in sides}
    for _ in range(rounds):
        for side in sides:
            if isolated:
                runs[side].append(_export_in_child(side, limit))
            else:
                runs[side].append(export_once(side, limit, client))
    service = max(runs["service"], key=lambda run: run["per_second"])
    result.runs = [service["seconds"]]
    result.extra = {
        "records": service["lines"],
        "per_second": service["per_second"],
        "peak_mb": max(run["peak_mb"] for run in runs["service"]),
    }
    if "baseline" not in runs:
        return result
    base = max(runs["baseline"], key=lambda run: run["per_second"])
    lines = service["lines"]
    result.base_runs = [lines / base["per_second"]]  # the same number of records
    result.base_queries = base["queries"]
    result.extra.update(
        base_per_second=base["per_second"],
        base_peak_mb=max(run["peak_mb"] for run in runs["baseline"]),
    )
    digests = {(run["lines"], run["digest"]) for side in sides for run in runs[side]}
    result.verified = len(digests) == 1
    if not result.verified:
        result.note = f"the lines differ: {sorted(digests)}"
    return result


def export_once(side: str, limit: int | None = None, client: Client | None = None) -> dict:
    """One export, `service` (GET /api/v1/export/) or `baseline` (`RawExport`), timed:
    lines, seconds, records/s, sha256 of every line, peak RSS above the start (MB, sampled
    at every chunk of lines) and, for the baseline, its queries."""
    start_rss = peak = _rss()
    began = time.perf_counter()
    raw = None
    if side == "service":
        response = (client or Client()).get("/api/v1/export/")
        stream = response.streaming_content
    else:
        raw = RawExport()
        stream = raw.lines(limit=limit)
    lines, digest = 0, hashlib.sha256()
    for chunk in stream:  # whole lines
        count = chunk.count(b"\n")
        if limit and lines + count >= limit:  # the first `limit` lines only
            chunk = b"".join(chunk.splitlines(keepends=True)[: limit - lines])
            count = limit - lines
        lines += count
        digest.update(chunk)
        peak = max(peak, _rss())
        if limit and lines >= limit:
            break
    if side == "service":
        # Closed as a server closes it (ending the export's transaction if it stopped
        # early), without the end-of-request signal that would close the connection, as
        # Client does.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    seconds = time.perf_counter() - began
    return {
        "lines": lines,
        "seconds": seconds,
        "per_second": lines / seconds,
        "digest": digest.hexdigest(),
        "peak_mb": (peak - start_rss) / 2**20,
        "queries": raw.queries if raw else None,
    }


_CHILD = """
import json, sys
import django
django.setup()
from django.test.utils import override_settings
from perf import benchmark
with override_settings(DEBUG=False):
    benchmark.export_once("service", 1)  # imports, URL resolver, content types
    print(json.dumps(benchmark.export_once(sys.argv[1], int(sys.argv[2]) or None)))
"""


def _export_in_child(side: str, limit: int | None) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, side, str(limit or 0)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class RawExport:
    """The export by hand: per resource, one psycopg server-side cursor per level (the
    public rows by id, children by parent, citations by object, in SQL joined to their
    parents), merged in Python a batch of parents at a time, with summaries of referenced
    objects and sources read for what a batch lacks and kept; orjson lines. Inside a
    read-only REPEATABLE READ transaction, as the service."""

    BATCH = 2000
    CHUNK_BYTES = 64 * 1024

    def __init__(self):
        self.raw = Raw()
        self.queries = 0
        self.summaries: dict = {}

    def lines(self, limit: int | None = None):
        """The export's lines (the first `limit`), in chunks of whole lines."""
        from sahel.rest.urls import ExportView

        conn, count, chunk, size = self.raw.conn, 0, [], 0
        own = not connection.in_atomic_block  # else inside a test's transaction (a savepoint)
        with conn.transaction():
            if own:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for name, projection in ExportView.resources.items():
                for line in self._resource(name, projection):
                    chunk.append(line)
                    size += len(line)
                    count += 1
                    if limit and count >= limit:
                        yield b"".join(chunk)
                        return
                    if size >= self.CHUNK_BYTES:  # whole lines, written a chunk at a time
                        yield b"".join(chunk)
                        chunk, size = [], 0
            if chunk:
                yield b"".join(chunk)

    def _stream(self, sql: str):
        """Rows of `sql` through a server-side cursor, with one row of lookahead: `take(last)`
        returns the rows whose last column is at most `last`."""
        self.queries += 1
        cursor = self.raw.conn.cursor(name=f"export_{self.queries}")
        cursor.itersize = 2000
        cursor.execute(sql)
        rows = iter(cursor)
        state = [next(rows, None)]

        def take(last):
            taken, row = [], state[0]
            while row is not None and row[-1] <= last:
                taken.append(row)
                row = next(rows, None)
            state[0] = row
            return taken

        return take

    def _summaries(self, model, fields) -> Callable[[set], dict]:
        key = (model, fields)
        if key not in self.summaries:
            found, columns = {}, ("id", *fields)
            decimals = [
                c for c in fields if isinstance(model._meta.get_field(c), models.DecimalField)
            ]
            select = ", ".join(f"a.{_q(c)}" for c in columns)
            conditions = " AND ".join(["a.id = ANY(%(ids)s)", *self.raw.visible(model, "a")])
            sql = f"SELECT {select} FROM {model._meta.db_table} a WHERE {conditions}"

            def load(ids: set) -> dict:
                missing = ids - found.keys() - {None}
                if missing:
                    self.queries += 1
                    with self.raw.conn.cursor() as cursor:
                        for row in cursor.execute(sql, {"ids": list(missing)}):
                            summary = found[row[0]] = dict(zip(columns, row, strict=True))
                            for c in decimals:  # floats once, not per line (orjson's default)
                                if summary[c] is not None:
                                    summary[c] = float(summary[c])
                    for pk in missing:
                        found.setdefault(pk, None)
                return found

            load.found = found
            self.summaries[key] = load
        return self.summaries[key]

    def _citations_sql(self, model, parent=None) -> str:
        """Public citations of `model`'s public rows, the last column what they are ordered
        by: the object, or the object's parent (`parent`: the child's foreign key)."""
        from sources.models import Citation

        ct = ContentType.objects.get_for_model(model).pk
        columns = ", ".join(
            f"c.{_q(c)}"
            for c in ("id", "object_id", "source_id", "locator", "quote", "stance",
                      "credibility", "field_name", "note")
        )  # fmt: skip
        table = Citation._meta.db_table
        if parent is None:
            conditions = " AND ".join(
                [f"c.content_type_id = {ct}", self.raw._exists(model, "c.object_id", "t")]
            )
            return (
                f"SELECT {columns}, c.object_id FROM {table} c WHERE {conditions} "
                "ORDER BY c.object_id, c.id"
            )
        conditions = " AND ".join([f"c.content_type_id = {ct}", *self.raw.visible(model, "p")])
        fk = f"p.{model._meta.get_field(parent).attname}"
        return (
            f"SELECT {columns}, {fk} FROM {table} c JOIN {model._meta.db_table} p "
            f"ON p.id = c.object_id WHERE {conditions} ORDER BY {fk}, c.object_id, c.id"
        )

    def _select_sql(self, model, columns: list[str], order: str, extra: str = "") -> str:
        select = ", ".join([*(f"a.{_q(c)}" for c in columns), *([extra] if extra else [])])
        conditions = " AND ".join(self.raw.visible(model, "a")) or "TRUE"
        return f"SELECT {select} FROM {model._meta.db_table} a WHERE {conditions} ORDER BY {order}"

    def _shape(self, projection):
        """(plain keys, [(date, position) or (json field, None)], [(ref, position, load)])
        of a row of `projection.columns()`."""
        columns = projection.columns()
        keys = ("id", *projection.fields)
        dates = [(name, columns.index(name)) for name in projection.dates]
        # Django's connection reads json columns as text (it decodes them itself)
        dates += [
            (name, None)
            for name in projection.fields
            if isinstance(projection.model._meta.get_field(name), models.JSONField)
        ]
        refs = [
            (name, columns.index(f"{name}_id"), self._summaries(ref.model, ref.fields))
            for name, ref in projection.refs.items()
        ]
        return keys, dates, refs

    def _resource(self, name: str, projection):
        from sources.models import Source

        sources = self._summaries(Source, SOURCE_SUMMARY)
        found_sources = sources.found
        model = projection.model

        def citation(row):
            return {
                "id": row[0],
                "source": found_sources.get(row[2]),
                "locator": row[3],
                "quote": row[4],
                "stance": row[5],
                "credibility": row[6],
                "field": row[7] or None,
                "note": row[8],
            }

        def builder(projection, children: dict, citations: dict | None):
            keys, dates, refs = self._shape(projection)
            refs = [(ref, i, load.found) for ref, i, load in refs]

            def build(row, item):
                item.update(zip(keys, row, strict=False))
                for date, i in dates:
                    item[date] = (
                        _fuzzy(row[i], row[i + 1], row[i + 2])
                        if i is not None
                        else orjson.loads(item[date])
                    )
                for ref, i, found in refs:
                    item[ref] = found.get(row[i])
                for child_name, (child_build, rows_of) in children.items():
                    item[child_name] = [child_build(r, {}) for r in rows_of.get(row[0], ())]
                if citations is not None:
                    item["citations"] = [citation(r) for r in citations.get(row[0], ())]
                return item

            return build

        def load_refs(projection, rows):
            for _, i, load in self._shape(projection)[2]:
                load({row[i] for row in rows})

        # Per child: (name, projection, rows stream, citations stream, rows of the batch by
        # parent, citations of the batch by object).
        children = []
        for child_name, child in projection.children.items():
            fk = child.projection.model._meta.get_field(child.fk).attname
            rows_sql = self._select_sql(
                child.projection.model, child.projection.columns(), f"a.{fk}, a.id", f"a.{fk}"
            )
            cited = child.projection.cited
            children.append(
                (
                    child_name,
                    child.projection,
                    self._stream(rows_sql),
                    self._stream(self._citations_sql(child.projection.model, child.fk))
                    if cited
                    else None,
                    {},
                    {} if cited else None,
                )
            )
        citations_stream = self._stream(self._citations_sql(model)) if projection.cited else None
        citations_of = {} if projection.cited else None
        build = builder(
            projection,
            {
                child_name: (builder(child_projection, {}, child_citations), rows_of)
                for child_name, child_projection, _, _, rows_of, child_citations in children
            },
            citations_of,
        )
        last_column, object_column = itemgetter(-1), itemgetter(1)
        self.queries += 1
        with self.raw.conn.cursor(name=f"export_{self.queries}") as cursor:
            cursor.execute(self._select_sql(model, projection.columns(), "a.id"))
            while batch := cursor.fetchmany(self.BATCH):
                last = batch[-1][0]
                load_refs(projection, batch)
                for _, child_projection, rows, c_citations, rows_of, cited_of in children:
                    rows = rows(last)
                    load_refs(child_projection, rows)
                    rows_of.clear()
                    rows_of.update((k, list(g)) for k, g in groupby(rows, last_column))
                    if c_citations is not None:
                        cited = c_citations(last)
                        sources({row[2] for row in cited})
                        cited_of.clear()
                        cited_of.update((k, list(g)) for k, g in groupby(cited, object_column))
                if citations_stream is not None:
                    cited = citations_stream(last)
                    sources({row[2] for row in cited})
                    citations_of.clear()
                    citations_of.update((k, list(g)) for k, g in groupby(cited, object_column))
                for row in batch:
                    yield orjson.dumps(
                        build(row, {"resource": name}), default=float, option=EXPORT_LINE
                    )


EXPORT_LINE = orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z


def _fuzzy(edtf, lower, upper):
    if not edtf:
        return None
    return {
        "edtf": edtf,
        "lower": lower.isoformat() if lower else None,
        "upper": upper.isoformat() if upper else None,
    }


# -- calibration: stock DRF and stock strawberry-django -------------------------------------


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


# -- the run -----------------------------------------------------------------------------------


def run(
    *,
    repeat: int = 20,
    export: bool = True,
    export_limit: int | None = None,
    export_rounds: int = 2,
    only: str | None = None,
    log=None,
):
    log = log or (lambda message: None)
    client = Client()
    subjects = Subjects.pick()
    log(f"subjects: {subjects}")
    settle()  # as a server worker does once loaded (sahel/wsgi.py)
    results = []
    with override_settings(DEBUG=False):
        for case in cases(subjects):
            if only and only.lower() not in case.name.lower():
                continue
            log(f"measuring {case.name}")
            results.append(measure_case(case, client, repeat=repeat, keep_going=True))
            log(table(results[-1:]).splitlines()[-1])  # as it comes: a long run may be cut
        if baselines_available() and not only:
            log("measuring calibration")
            results += calibration(repeat)
            log("\n".join(table(results[-2:]).splitlines()[-2:]))
        if export:
            log("measuring export")
            results.append(
                measure_export(client, limit=export_limit, rounds=export_rounds, isolated=True)
            )
    return results


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(results: list[Result]) -> str:
    lines = [
        "| case | median ms | p95 ms | queries (page 10 / 100) | baseline median ms "
        "| baseline queries | ratio | same payload |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        queries = str(r.queries)
        if r.queries_small is not None:
            queries = f"{r.queries_small} / {r.queries}"
        base = _ms(statistics.median(r.base_runs)) if r.base_runs else "—"
        ratio = f"{r.ratio:.1f}×" if r.ratio else "—"
        same = {True: "yes", False: "**NO**", None: "—"}[r.verified]
        name = r.name + (f" ({r.note})" if r.note else "")
        if r.extra:
            e = r.extra
            name += (
                f": {e['records']} records, {e['per_second']:,.0f}/s, peak +{e['peak_mb']:.0f} MB"
            )
            if "base_per_second" in e:
                name += (
                    f"; baseline {e['base_per_second']:,.0f}/s, peak +{e['base_peak_mb']:.0f} MB"
                )
            lines.append(
                f"| {name} | {_ms(r.median)} (whole) | — | — | {base} | {r.base_queries or '—'} "
                f"| {ratio} | {same} (every line) |"
            )
            continue
        lines.append(
            f"| {name} | {_ms(r.median)} | {_ms(r.p95)} | {queries} | {base} "
            f"| {r.base_queries if r.base_queries is not None else '—'} | {ratio} | {same} |"
        )
    return "\n".join(lines)


def database_summary() -> str:
    from sahel.core.models import tracked_models

    live = sum(m.objects.count() for m in tracked_models())
    history = sum(m.history.count() for m in tracked_models())
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"{live:,} live rows, {history:,} history rows ({engine})"
