"""Name search: public actors by any of their names, in any spelling, ranked by the matcher
(`sahel.read.matcher`). The order and the matched name and score of each actor are carried
as annotations (`search_rank`, `search_match`, `search_score`), which the surfaces show."""

import datetime

from django.db.models import CharField, F, FloatField, Func, IntegerField, QuerySet, Value

from sahel.read.matcher import Hit, match

SEARCH_COLUMNS = ("search_match", "search_score")  # read with the rows when searching
MAX_SEARCH_HITS = 1000  # the largest page: more would only grow the SQL expression


def search_hits(text: str, *, as_of=None, names=None) -> list[Hit]:
    return match(text, as_of=as_of, names=names, limit=MAX_SEARCH_HITS)


class _ByActor(Func):
    """`CASE id WHEN <actor> THEN <value> ... END` over the hits: the same values as a
    `Case` of one `When(id=...)` per hit, built and compiled as one expression (at `medium`
    the thousand `When`s of three `Case`s cost Django more than the whole match)."""

    def __init__(self, values: list[tuple[int, object]], output_field):
        super().__init__(F("id"), output_field=output_field)
        self.values = values

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(["WHEN %s THEN %s"] * len(self.values))
        pairs = [param for pair in self.values for param in pair]
        return f"CASE {column} {whens} END", [*params, *pairs]


def annotate_hits(queryset: QuerySet, hits: list[Hit]) -> QuerySet:
    """The actors of `queryset` among `hits`, in the hits' order, each annotated with its
    rank, matched name and score."""
    if not hits:
        return queryset.none().annotate(
            search_rank=Value(0), search_match=Value(""), search_score=Value(0.0)
        )

    def case(value, field):
        return _ByActor([(hit.actor_id, value(i, hit)) for i, hit in enumerate(hits)], field)

    return (
        queryset.filter(id__in=[hit.actor_id for hit in hits])
        .annotate(
            search_rank=case(lambda i, hit: i, IntegerField()),
            search_match=case(lambda i, hit: hit.name, CharField()),
            search_score=case(lambda i, hit: hit.score, FloatField()),
        )
        .order_by("search_rank")
    )


def search_actors(
    queryset: QuerySet, text: str, *, as_of: datetime.datetime | None = None, names=None
) -> QuerySet:
    """Actors of `queryset` with a public name (or one of `names`) matching `text`, best
    match first (one query for the matcher's candidates)."""
    return annotate_hits(queryset, search_hits(text, as_of=as_of, names=names))


def search_match(row: dict) -> dict:
    """Why a row (read with SEARCH_COLUMNS) matched: {"name": ..., "score": ...}."""
    return {"name": row["search_match"], "score": row["search_score"]}
