"""`network`: the actors and ties around an actor, breadth first, one query per step."""

from typing import Annotated

import strawberry
from django.db.models import Q

from actors.models import Actor as ActorModel
from actors.projections import ActorProjection
from affiliations.graphql.types import Affiliation, narrow_ties
from affiliations.models import Affiliation as AffiliationModel
from affiliations.projections import AffiliationProjection
from sahel.core import selectors
from sahel.graphql.arguments import (
    VALIDATION_ERRORS,
    bad_argument,
    input_errors,
    parse_as_of,
    parse_valid_at,
)
from sahel.graphql.batches import Batch
from sahel.graphql.budget import budget
from sahel.graphql.selection import selection_names, selections_of
from sahel.read.filters import resolve_public

Actor = Annotated["Actor", strawberry.lazy("actors.graphql.types")]

MAX_DEPTH = 3
MAX_EDGES = 2000  # beyond this the network is cut at the last whole step


@strawberry.type(description="Actors (nodes) and the ties between them (edges).")
class Network:
    root: Actor
    depth: int = strawberry.field(description="How many ties away the network reaches.")
    truncated: bool = strawberry.field(
        description=f"True when more than {MAX_EDGES} ties were found and the last step was cut."
    )
    nodes: list[Actor]
    edges: list[Affiliation]


def network(
    info: strawberry.Info,
    actor: str,
    depth: int = 1,
    types: list[str] | None = None,
    valid_at: str | None = None,
    as_of: str | None = None,
) -> Network:
    """`actor`: id or slug. `types`: affiliation type slugs to follow (all by default).
    `validAt`: only ties that may have held then (EDTF)."""
    if not 1 <= depth <= MAX_DEPTH:
        raise bad_argument("depth", f"{depth}: give a whole number from 1 to {MAX_DEPTH}.")
    instant = parse_as_of(as_of)
    bounds = parse_valid_at(valid_at)
    try:
        start = resolve_public(ActorModel, actor, "actor", as_of=instant)
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc) from None

    ties = narrow_ties(
        selectors.public(AffiliationModel, as_of=instant), bounds=bounds, types=types, as_of=instant
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

    spend = budget(info)
    asked = info.selected_fields[0].selections
    nodes = Batch.read(
        ActorProjection,
        selectors.public(ActorModel, as_of=instant).filter(id__in=reached).order_by("name", "id"),
        as_of=instant,
        budget=spend,
        # The root is one of the nodes: what is asked of either is built for both.
        fields=frozenset(
            selection_names(selections_of(asked, "nodes") + selections_of(asked, "root"))
        ),
    ).records
    links = Batch.read(
        AffiliationProjection,
        ties.filter(id__in=edges).order_by("start_lower", "id"),
        as_of=instant,
        budget=spend,
        fields=frozenset(selection_names(selections_of(asked, "edges"))),
    ).records
    root = next(node for node in nodes if node.id == start)
    return Network(root=root, depth=depth, truncated=truncated, nodes=nodes, edges=links)
