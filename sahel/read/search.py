"""Name search: public actors by any of their names, in any spelling (`sahel.core.names`
computes the keys every name stores and every query is folded to)."""

import datetime

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When

from actors.models import Name
from sahel.core.names import normalize_name, skeleton_words
from sahel.core.selectors import public

MAX_SEARCH_WORDS = 12  # a name has fewer; more would only grow the SQL expression
# The last query word matches the beginning of a name's word only when its skeleton has at
# least this many consonants: 'Wxyzzy' folds to 'ks', the beginning of 'experts'.
MIN_PREFIX_SKELETON = 3


def matching_names(
    text: str, *, as_of: datetime.datetime | None = None, names: QuerySet | None = None
) -> QuerySet:
    """Public names matching `text` (see sahel.core.names), annotated with `rank`:
    0 the whole name, 1 its beginning, 2 a part of it, 3 its words in another spelling.
    `names` replaces the public names as what is searched (the admin searches drafts too)."""
    searched = public(Name, as_of=as_of) if names is None else names
    key = normalize_name(text)
    if not key:
        return searched.none().annotate(rank=Value(0))
    words = skeleton_words(text)[:MAX_SEARCH_WORDS]
    spelled = Q()
    for position, word in enumerate(words):
        prefix = position == len(words) - 1 and len(word) >= MIN_PREFIX_SKELETON
        spelled &= Q(search_skeleton__contains=f" {word}" if prefix else f" {word} ")
    contained = Q(search_key__contains=key)
    rank = Case(
        When(search_key=key, then=Value(0)),
        When(search_key__startswith=key, then=Value(1)),
        When(contained, then=Value(2)),
        default=Value(3),
    )
    return searched.filter(contained | spelled).annotate(rank=rank)


def search_actors(queryset: QuerySet, text: str, *, as_of=None, names=None) -> QuerySet:
    """Actors of `queryset` with a public name (or one of `names`) matching `text`, best
    match first."""
    matches = matching_names(text, as_of=as_of, names=names)
    best = matches.filter(actor_id=OuterRef("id")).order_by("rank").values("rank")[:1]
    # The matching actors first (a semi-join on the few matching names), so the best rank
    # is looked up for them only, not for every actor of `queryset`.
    return (
        queryset.filter(id__in=matches.values("actor_id"))
        .annotate(search_rank=Subquery(best))
        .order_by("search_rank", "name", "id")
    )
