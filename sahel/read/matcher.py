"""The name matcher: one ranked matcher behind every name search (REST and GraphQL `search`
and the actors' `search` filter, the admin's search boxes and autocompletes, the loader's
duplicate check, the reconciliation service).

1. **Candidates.** The query's keys (`sahel.core.names.name_keys`) are looked up in the
   lexicon (`actors.models.NameKey`, an index on the key), which gives the spellings that
   share one; on PostgreSQL the names whose folded form is trigram-similar to the query's
   are added, the MAX_TRIGRAM_NAMES most similar (`pg_trgm`, the GIN index of migration
   actors 0003). A batch (`match_many`) reads every query's candidates in one query.
   The names are read through the selectors (`public(Name, as_of=...)`: published names
   of published actors, as they stood at `as_of`), or from the caller's queryset (the
   admin searches drafts).
   At most MAX_CANDIDATE_SPELLINGS spellings, those sharing the most keys first.
2. **Score.** Each candidate name is scored against the query in Python (rapidfuzz), the
   same on every database: the query's tokens are aligned to the name's (each to its most
   similar, by Indel ratio and Jaro-Winkler, or equal consonant skeletons or Metaphone
   keys), a word missing from the name or from the query lowers the score instead of
   excluding it, and the whole joined forms are compared too ("AgGhali" / "ag Ghali"). An
   acronym matches only an acronym typed exactly (folded): never by skeleton.
3. **Rank.** Each actor takes its best-scoring name; actors scoring at least MIN_SCORE come
   best first (score, then the matched name, then id).

Why rapidfuzz: docs/search.md compares it with jellyfish's Jaro-Winkler on the variant list.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Lookup, Q, QuerySet, Subquery, Value
from rapidfuzz.distance import Indel, JaroWinkler

from sahel.core.names import (
    LIGHT_TOKENS,
    canonical_tokens,
    content_tokens,
    fold,
    is_acronym,
    joined_form,
    name_keys,
    phonetic,
    prefix_key,
    skeleton,
    split_forms,
)
from sahel.core.selectors import public

MIN_SCORE = 0.6  # below: not a match
MAX_QUERY_LENGTH = 200
MAX_QUERY_TOKENS = 12
MAX_CANDIDATE_SPELLINGS = 300
# The names most trigram-similar to the query (PostgreSQL), as the spellings are capped: at
# `medium` a query's common words make thousands of names trigram-similar (docs/search.md).
MAX_TRIGRAM_NAMES = 100
TOKEN_FLOOR = 0.75  # two tokens less similar than this do not match at all
# A word of the query the name lacks counts for this much of a word that matched not at all,
# and the words of the name that the query lacks cost up to this much of the score.
EXTRA_WEIGHT = 0.35
MISSING_WEIGHT = 0.25
JOINED_FLOOR = 0.85  # the joined forms count only when this alike
TRIGRAM_THRESHOLD = 0.3  # pg_trgm's default `%` threshold


@dataclass(frozen=True)
class Hit:
    actor_id: int
    score: float  # 0..1, rounded to 3 places
    name: str  # the name that matched best
    name_id: int


@dataclass(frozen=True)
class Query:
    text: str
    tokens: tuple[str, ...]
    content: tuple[str, ...]
    joined: str
    keys: frozenset[str]

    @classmethod
    def of(cls, text: str) -> "Query":
        text = text[:MAX_QUERY_LENGTH]
        tokens = tuple(canonical_tokens(text)[:MAX_QUERY_TOKENS])
        content = content_tokens(list(tokens))
        typed = prefix_key(content[-1]) if content else None
        return cls(
            text=text,
            tokens=tokens,
            content=tuple(content),
            joined=joined_form(list(tokens)),
            keys=frozenset(name_keys(" ".join(tokens))) | ({typed} if typed else set()),
        )


# -- scoring ---------------------------------------------------------------------------------


def _rapidfuzz_similarity(a: str, b: str) -> float:
    return (Indel.normalized_similarity(a, b) + JaroWinkler.similarity(a, b)) / 2


def _jellyfish_similarity(a: str, b: str) -> float:
    import jellyfish

    return jellyfish.jaro_winkler_similarity(a, b)


SIMILARITIES = {"rapidfuzz": _rapidfuzz_similarity, "jellyfish": _jellyfish_similarity}


@lru_cache(maxsize=20000)
def _bones(token: str) -> str:
    return skeleton(token)


@lru_cache(maxsize=20000)
def _sound(token: str) -> str:
    return phonetic(token) if len(token) >= 4 and token.isalpha() else ""


def token_similarity(q: str, n: str, *, last: bool = False, similarity=_rapidfuzz_similarity):
    """How alike a query token and a name token are (0..1)."""
    if q == n:
        return 1.0
    score = similarity(q, n)
    bones_q, bones_n = _bones(q), _bones(n)
    if bones_q == bones_n and (len(bones_q) >= 3 or abs(len(q) - len(n)) <= 1):
        score = max(score, 0.9)  # the same consonants: another transliteration
    elif _sound(q) and _sound(q) == _sound(n):
        score = max(score, 0.88)
    elif q[0] != n[0] and bones_q[:1] != bones_n[:1]:
        score = min(score, 0.7)  # another first letter is another name (Housseyni)
    if last and len(bones_q) >= 3 and bones_n.startswith(bones_q):
        score = max(score, 0.85)  # still being typed ('Belmoukh')
    if min(len(q), len(n)) <= 3 and score < 0.9:
        score = 0.0  # short words match exactly or by their consonants only
    return score if score >= TOKEN_FLOOR else 0.0


def _weight(token: str) -> float:
    return 0.5 if token in LIGHT_TOKENS else 1.0


@lru_cache(maxsize=20000)
def _forms(token: str) -> tuple[str, ...]:
    return (token, *split_forms(token))


def _pair_similarity(q: str, n: str, *, last: bool, similarity) -> float:
    """The best of the tokens' forms (as typed, a glued particle split off, without -s)."""
    return max(
        token_similarity(a, b, last=last, similarity=similarity)
        for a in _forms(q)
        for b in _forms(n)
    )


def _aligned(query: tuple[str, ...], name: list[str], pair) -> float:
    """Tokens of the query matched to the name's, each at most once, most similar first;
    `pair(q, n, last)`: the similarity of two tokens."""
    pairs = []
    last = len(query) - 1
    for i, q in enumerate(query):
        for j, n in enumerate(name):
            score = pair(q, n, i == last)
            if score:
                pairs.append((score, i, j))
    pairs.sort(reverse=True)
    used_q, used_n, matched = set(), set(), 0.0
    for score, i, j in pairs:
        if i in used_q or j in used_n:
            continue
        used_q.add(i)
        used_n.add(j)
        matched += score * _weight(query[i])
    if not matched:
        return 0.0
    found = sum(_weight(q) for i, q in enumerate(query) if i in used_q)
    extra = sum(_weight(q) for i, q in enumerate(query) if i not in used_q)
    missing = sum(_weight(n) for j, n in enumerate(name) if j not in used_n)
    whole = sum(_weight(n) for n in name)
    return matched / (found + EXTRA_WEIGHT * extra) * (1 - MISSING_WEIGHT * missing / whole)


class Scorer:
    """`score` of one query against many names: the similarity of each pair of a query
    token and a name token is computed once (names share most of their words)."""

    def __init__(self, query: Query, similarity=_rapidfuzz_similarity):
        self.query, self.similarity = query, similarity
        self.pairs: dict[tuple[str, str, bool], float] = {}

    def pair(self, q: str, n: str, last: bool) -> float:
        key = (q, n, last)
        found = self.pairs.get(key)
        if found is None:
            found = self.pairs[key] = _pair_similarity(q, n, last=last, similarity=self.similarity)
        return found

    def __call__(self, name: str, kind: str = "") -> float:
        """The similarity of the query to one name, 0..1 (1: the same folded name)."""
        query = self.query
        tokens = canonical_tokens(name)
        if not tokens or not query.tokens:
            return 0.0
        joined = joined_form(tokens)
        if is_acronym(name, kind):
            return 1.0 if query.joined == joined else 0.0
        if query.tokens == tuple(tokens) or query.joined == joined:
            return 1.0
        content = content_tokens(tokens)
        best = _aligned(query.content, content, self.pair)
        # The whole, joined: words split or glued differently ('Abdel Kader' / 'Abdelkader').
        whole = Indel.normalized_similarity(query.joined, joined)
        if whole >= JOINED_FLOOR:
            best = max(best, 0.95 * whole)
        return min(best, 0.99)


def score(query: Query, name: str, kind: str = "", *, similarity=_rapidfuzz_similarity) -> float:
    """The similarity of a query to one name, 0..1 (1: the same folded name)."""
    return Scorer(query, similarity)(name, kind)


# -- candidates --------------------------------------------------------------------------


class _AmongArray(Lookup):
    """`column = ANY(ARRAY(subquery))` (PostgreSQL): the subquery is run first and the
    column read through its index, where `column IN (subquery)` lets the planner, which
    misjudges the published-name filter, hash-join a sequential scan of every name."""

    lookup_name = "among_array"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def _among(column: str, subquery: QuerySet):
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": subquery})
    return _AmongArray(F(column), Subquery(subquery))


def _candidates(query: Query, searched: QuerySet) -> QuerySet:
    """The names of the actors with a name sharing a key with the query (or, on PostgreSQL,
    trigram-similar to it), as (id, actor_id, name, kind) rows."""
    from actors.models import NameKey

    spellings = (
        NameKey.objects.filter(key__in=sorted(query.keys))
        .values("spelling")
        .annotate(shared=Count("*"))  # not a column: the (key, spelling) index is enough
        .order_by("-shared", "spelling")
        .values("spelling")[:MAX_CANDIDATE_SPELLINGS]
    )
    actors = searched.filter(_among("search_key", spellings)).values("actor_id").order_by()
    trigrams = getattr(settings, "SAHEL_MATCHER_TRIGRAMS", True)
    if trigrams and connection.vendor == "postgresql" and len(query.joined) >= 4:
        from django.contrib.postgres.lookups import TrigramSimilar
        from django.contrib.postgres.search import TrigramSimilarity

        folded = Value(fold(query.text))
        similar = (
            searched.filter(TrigramSimilar(F("search_key"), folded))
            .annotate(similarity=TrigramSimilarity("search_key", folded))
            .order_by("-similarity", "search_key", "id")
            .values("actor_id")[:MAX_TRIGRAM_NAMES]
        )
        # A union, not an OR: each side is read through its own index (the B-tree on
        # search_key, the trigram GIN), where an OR of the two scans every name.
        actors = actors.union(similar)
    # Every name of each actor found, not only the names found: the best of an actor's
    # names decides, whichever of them a key or a trigram found.
    return searched.filter(_among("actor_id", actors)).values("id", "actor_id", "name", "kind")


def candidate_names_many(
    queries: list[Query], *, as_of=None, names: QuerySet | None = None
) -> list[list[dict]]:
    """The candidate rows of each query (as `candidate_names`), in one SQL query whatever
    the number of queries: each query's candidates are its own (a `UNION ALL` of them,
    tagged with the query's position), so a batch ranks each query as it would alone."""
    from actors.models import Name

    searched = public(Name, as_of=as_of) if names is None else names
    asked = [i for i, query in enumerate(queries) if query.tokens]
    found: list[list[dict]] = [[] for _ in queries]
    if not asked:
        return found
    parts = [_candidates(queries[i], searched).order_by().annotate(query=Value(i)) for i in asked]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in rows:
        found[row.pop("query")].append(row)
    for part in found:
        part.sort(key=lambda row: (row["actor_id"], row["id"]))  # as `candidate_names`
    return found


def candidate_names(query: Query, *, as_of=None, names: QuerySet | None = None) -> list[dict]:
    """Rows (id, actor_id, name, kind) of the names of the actors with a name sharing a key
    with the query (or, on PostgreSQL, trigram-similar to it): one query."""
    return candidate_names_many([query], as_of=as_of, names=names)[0]


def _rank(query: Query, rows: list[dict], similarity) -> list[Hit]:
    best: dict[int, Hit] = {}
    scorer = Scorer(query, similarity)
    for row in rows:
        value = round(scorer(row["name"], row["kind"]), 3)
        if value < MIN_SCORE:
            continue
        known = best.get(row["actor_id"])
        if known is None or (-value, row["name"]) < (-known.score, known.name):
            best[row["actor_id"]] = Hit(row["actor_id"], value, row["name"], row["id"])
    return sorted(best.values(), key=lambda hit: (-hit.score, hit.name.casefold(), hit.actor_id))


def match_many(
    texts: list[str],
    *,
    as_of: datetime.datetime | None = None,
    names: QuerySet | None = None,
    limit: int | None = None,
    similarity=_rapidfuzz_similarity,
) -> list[list[Hit]]:
    """`match` for each of `texts`, with one SQL query for all of them (a reconciliation
    batch): each text's hits are the ones `match` gives it alone."""
    queries = [Query.of(text or "") for text in texts]
    rows = candidate_names_many(queries, as_of=as_of, names=names)
    ranked = [_rank(query, found, similarity) for query, found in zip(queries, rows, strict=True)]
    return [hits[:limit] if limit else hits for hits in ranked]


def match(
    text: str,
    *,
    as_of: datetime.datetime | None = None,
    names: QuerySet | None = None,
    limit: int | None = None,
    similarity=_rapidfuzz_similarity,
) -> list[Hit]:
    """Actors whose names match `text`, best first, each with its best name and score."""
    return match_many([text], as_of=as_of, names=names, limit=limit, similarity=similarity)[0]
