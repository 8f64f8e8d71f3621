"""The cases measured: each read path of the service beside its baseline, on subjects
chosen from the data (an actor with many ties, a year, a spelling to search for ...)."""

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.test import Client

from perf.baseline import ACTOR_ORDER, PAGE, Raw, _q, page_payload
from sahel.read.matcher import match, match_many
from sahel.read.search import MAX_SEARCH_HITS

# The GraphQL nested case's query (also sent through gunicorn: perf/throughput.py).
NESTED_QUERY = """query($first: Int) { actors(first: $first) { nodes { id name
    affiliationsAsSubject { id roleTitle type { slug }
      object { id name citations { quote locator source { slug title } } } } } } }"""


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
    reconcile_queries: list[tuple[str, str | None]] = field(default_factory=list)

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
        search_text = _respelled(" ".join(words))
        # A column to reconcile: ten actors, one name each (official, transliteration,
        # kunya or acronym in turn), respelled as the search's variant is; every other one
        # typed with its actor's kind, as OpenRefine sends a column's type.
        names, kinds = defaultdict(list), {}
        first = selectors.public(Name).order_by("actor_id", "id")[:60]
        for actor_id, name, kind in first.values_list("actor_id", "name", "actor__kind"):
            names[actor_id].append(name)
            kinds[actor_id] = kind
        reconcile_queries = [
            (_respelled(spellings[i % len(spellings)]), kinds[actor_id] if i % 2 else None)
            for i, (actor_id, spellings) in enumerate(names.items())
        ][:10]
        # as_of: the instant between the creation of the data and its revisions.
        first_revision = Actor.history.filter(history_type="~").order_by("history_date").first()
        as_of = None
        if first_revision is not None:
            as_of = first_revision.history_date - datetime.timedelta(microseconds=1)
        return cls(actor_id, network_slug, search_text, as_of, reconcile_queries)


_NUMBER = re.compile(r"(?:^|[\s-])\d+(?=\s|$)")  # 'UGT-1', 'al-Mauritani 0'


def _respelled(name: str) -> str:
    """A spelling stored nowhere: the French way, without the name's number."""
    text = " ".join(_NUMBER.sub(" ", name).split())
    return text.replace("Abu ", "Abou ").replace("al-", "el-")


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
        # The ranking is the matcher's (sahel.read.matcher: its one candidate query and the
        # Python score are the algorithm, not the read path); the page is read by hand.
        hits = match(params["search"], limit=MAX_SEARCH_HITS)
        position = {hit.actor_id: i for i, hit in enumerate(hits)}
        rows = raw.select(
            Actor, ActorProjection.columns(), inner="id = ANY(%(ids)s)",
            where=("a.id = ANY(%(ids)s)",), params={"ids": list(position)},
        )  # fmt: skip
        rows.sort(key=lambda row: position[row["id"]])
        size = int(params.get("page_size", PAGE))
        items = raw.build(ActorProjection, rows[:size])
        for item in items:
            hit = hits[position[item["id"]]]
            item["match"] = {"name": hit.name, "score": hit.score}
        return page_payload(raw, "/api/v1/actors/", params, len(rows), items)

    from sahel.reconcile.views import DEFAULT_LIMIT, KINDS, MATCH_LEAD, MATCH_SCORE

    reconcile_queries = {
        f"q{i}": {"query": text, **({"type": kind} if kind else {})}
        for i, (text, kind) in enumerate(subjects.reconcile_queries)
    }

    def reconcile_baseline(raw: Raw, params: dict) -> dict:
        # The ranking is the matcher's, as for the search; the actors are read by hand and
        # the candidates filtered, cut and marked as sahel.reconcile.views does.
        queries = json.loads(params["queries"])
        hits = match_many([q["query"] for q in queries.values()], limit=200)
        wanted = list({hit.actor_id for found in hits for hit in found})
        actors = {
            row["id"]: row
            for row in raw.select(
                Actor, ["id", "slug", "name", "kind", "description"],
                inner="id = ANY(%(ids)s)", where=("a.id = ANY(%(ids)s)",),
                params={"ids": wanted},
            )
        }  # fmt: skip
        results = {}
        for (key, query), found in zip(queries.items(), hits, strict=True):
            kind = query.get("type")
            candidates = [
                (hit.score, actors[hit.actor_id], hit)
                for hit in found
                if hit.actor_id in actors and kind in (None, actors[hit.actor_id]["kind"])
            ]
            candidates.sort(key=lambda c: (-c[0], c[1]["name"], c[1]["id"]))
            candidates = candidates[: query.get("limit", DEFAULT_LIMIT)]
            results[key] = {
                "result": [
                    {
                        "id": actor["slug"],
                        "name": actor["name"],
                        "description": actor["description"] or f"matched {hit.name!r}",
                        "score": round(100 * value, 1),
                        "features": [{"id": "name", "value": hit.score}],
                        "match": i == 0
                        and value >= MATCH_SCORE
                        and (len(candidates) == 1 or value - candidates[1][0] >= MATCH_LEAD),
                        "type": [{"id": actor["kind"], "name": KINDS[actor["kind"]]}],
                    }
                    for i, (value, actor, hit) in enumerate(candidates)
                ]
            }
        return results

    def valid_at_where(start, end, lower, upper, single=False):
        where = (
            f"(a.{start}_lower <= '{upper}' OR a.{start}_lower IS NULL)",
            f"(a.{_q(end + '_upper')} >= '{lower}' OR a.{_q(end + '_upper')} IS NULL)",
        )
        return (*where, f"a.{start} <> ''") if single else where

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
            "Reconciliation batch of 10 queries",
            "get",
            "/reconcile/",
            {"queries": json.dumps(reconcile_queries)},
            baseline=reconcile_baseline,
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
            query=NESTED_QUERY,
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
