"""The network around an actor: the public actors and ties up to `depth` ties away, found
breadth first, one query per step. GraphQL `network` and the explorer's actor page walk it
here, so both draw the same nodes and edges.

Errors are Django `ValidationError`s keyed by the parameter (`actor`, `depth`, `types`);
each surface words them its own way.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from actors.models import Actor
from affiliations.models import Affiliation, AffiliationType
from sahel.core import selectors
from sahel.core.fuzzy_dates import Bounds
from sahel.read.filters import resolve_public

MAX_DEPTH = 3
MAX_EDGES = 2000  # beyond this the network is cut at the last whole step


def narrow_ties(
    queryset: QuerySet, *, bounds: Bounds | None, types: list[str] | None, as_of
) -> QuerySet:
    """Ties that may have held within `bounds` (a parsed `valid_at`) and are of `types`
    (slugs; an unknown or hidden one is an error naming `types`)."""
    if bounds is not None:
        queryset = selectors.valid_during(queryset, Affiliation, bounds.lower, bounds.upper)
    if types is not None:
        known = dict(
            selectors.public(AffiliationType, as_of=as_of)
            .filter(slug__in=types)
            .values_list("slug", "id")
        )
        if unknown := sorted(set(types) - set(known)):
            raise ValidationError({"types": f"unknown affiliation type(s) {unknown}."})
        queryset = queryset.filter(type_id__in=known.values())
    return queryset


def check_depth(depth: int) -> None:
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError({"depth": f"{depth}: give a whole number from 1 to {MAX_DEPTH}."})


@dataclass(frozen=True)
class Walk:
    """What a walk reached: ids, and the querysets to project them with."""

    root: int
    depth: int
    nodes: frozenset[int]
    edges: frozenset[int]
    truncated: bool
    as_of: datetime.datetime | None
    ties: QuerySet  # the public ties the walk followed (narrowed by valid time and types)

    def actors(self) -> QuerySet:
        """The public actors reached, the root among them, by name."""
        return (
            selectors.public(Actor, as_of=self.as_of)
            .filter(id__in=self.nodes)
            .order_by("name", "id")
        )

    def affiliations(self) -> QuerySet:
        """The ties found, by start."""
        return self.ties.filter(id__in=self.edges).order_by("start_lower", "id")


def walk(
    actor: str,
    *,
    depth: int = 1,
    types: list[str] | None = None,
    bounds: Bounds | None = None,
    as_of: datetime.datetime | None = None,
) -> Walk:
    """The network around `actor` (id or slug; a hidden one is unknown), `depth` (1 to
    MAX_DEPTH) ties away, following the ties of `types` that may have held within
    `bounds`."""
    check_depth(depth)
    start = resolve_public(Actor, actor, "actor", as_of=as_of)
    ties = narrow_ties(
        selectors.public(Affiliation, as_of=as_of), bounds=bounds, types=types, as_of=as_of
    )
    reached, frontier, edges, truncated = {start}, {start}, set(), False
    for _ in range(depth):
        if not frontier:
            break
        found = list(
            ties.filter(Q(subject_id__in=frontier) | Q(object_id__in=frontier))
            .exclude(id__in=edges)
            .order_by("id")
            .values_list("id", "subject_id", "object_id")[: MAX_EDGES - len(edges) + 1]
        )
        if len(edges) + len(found) > MAX_EDGES:
            truncated = True
            break
        edges |= {pk for pk, _, _ in found}
        ends = {end for _, subject, obj in found for end in (subject, obj)}
        frontier = ends - reached
        reached |= ends
    return Walk(
        root=start,
        depth=depth,
        nodes=frozenset(reached),
        edges=frozenset(edges),
        truncated=truncated,
        as_of=as_of,
        ties=ties,
    )
