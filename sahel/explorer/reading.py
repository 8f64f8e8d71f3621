"""How the explorer reads: as the REST API does, through the resources' FilterSets,
orderings and projections over `sahel.core.selectors` (`public(..., as_of=...)`), never
through model relations. A hidden object is absent from every answer here, as it is from
the APIs."""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError

from sahel.core import selectors
from sahel.read import feed, recent
from sahel.read.ordering import order_by_param
from sahel.read.params import parse_instant
from sahel.read.resources import Resource, projections, resources

# More than any curated actor has; a list past it says how many it leaves out.
MAX_LISTED = 500
RECENT_CACHE_SECONDS = 24 * 3600


def as_of_param(params) -> datetime.datetime | None:
    """`as_of` as the APIs parse it (an error names `as_of`)."""
    raw = params.get("as_of")
    return None if raw in (None, "") else parse_instant(raw)


def one(resource: Resource, slug: str, *, as_of=None) -> dict | None:
    """The public object of `resource` with this slug, as its API detail shows it."""
    projection = resource.detail
    rows = list(
        selectors.public(resource.model, as_of=as_of)
        .filter(slug=slug)
        .values(*projection.columns())[:1]
    )
    return projection.build_rows(rows, as_of=as_of)[0] if rows else None


@dataclass
class Listing:
    items: list[dict]
    total: int
    searched: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def cut(self) -> int:
        """How many the list leaves out."""
        return self.total - len(self.items)


def listed(resource: Resource, params: dict, *, as_of=None, limit: int = MAX_LISTED) -> Listing:
    """The first `limit` items of the REST list of `resource` with these filters (REST
    parameter names and values), in its default order (best match first when searching).
    A bad value is a ValidationError naming the parameter."""
    queryset = selectors.public(resource.model, as_of=as_of)
    filterset = resource.filterset(params, queryset=queryset, as_of=as_of)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    queryset = order_by_param(
        filterset.qs,
        resource.model,
        resource.orderings,
        params.get("ordering"),
        default=resource.default_ordering,
    )
    total = queryset.order_by().count()
    rows = list(queryset.values(*resource.projection.columns())[:limit])
    items = resource.projection.build_rows(rows, as_of=as_of)
    # When the matcher tells which name matched and how well (REST and GraphQL `match`),
    # the list says so too.
    hits = getattr(filterset, "search_hits", None)
    if hits:
        for item in items:
            hit = hits.get(item["id"])
            if hit is not None and hasattr(hit, "as_match"):
                item["match"] = hit.as_match()
    return Listing(items=items, total=total, searched=bool(params.get("search")))


def counts(*, as_of=None) -> dict[str, int]:
    """How many public objects each resource has (as its REST list's `count`)."""
    return {
        name: selectors.public(resource.model, as_of=as_of).count()
        for name, resource in resources().items()
    }


def recent_changes(limit: int, *, entries: int, as_of=None) -> list[dict]:
    """The last `limit` change sets that changed public data (by `as_of`), newest first,
    each with its time, reason, first `entries` feed entries (as /api/v1/changes/ gives
    them) and whether it has more.

    Each change set costs what a feed page of `entries` costs, so the answer is cached
    until a change set that may change public data commits: the latest one, and the latest
    by `as_of`, are in the key (a later withdrawal hides content from past answers too)."""
    key = f"explorer-recent-{limit}-{entries}-{feed.last_public_change_set()}"
    if as_of is not None:
        key += f"-{feed.last_public_change_set(as_of)}"
    found = cache.get(key)
    if found is None:
        found = _recent_changes(limit, entries, as_of)
        cache.set(key, found, timeout=RECENT_CACHE_SECONDS)
    return found


def _recent_changes(limit: int, entries: int, as_of) -> list[dict]:
    return recent.recent_change_sets(limit, projections(), entries=entries, until=as_of)
