"""`network`: the actors and ties around an actor, as the read layer walks them
(`sahel.read.network`, which the explorer's actor page draws too)."""

from typing import Annotated

import strawberry

from actors.projections import ActorProjection
from affiliations.graphql.types import Affiliation
from affiliations.projections import AffiliationProjection
from sahel.graphql.arguments import VALIDATION_ERRORS, input_errors, parse_as_of, parse_valid_at
from sahel.graphql.batches import Batch
from sahel.graphql.budget import budget
from sahel.graphql.selection import selection_names, selections_of
from sahel.read import network as read_network

Actor = Annotated["Actor", strawberry.lazy("actors.graphql.types")]

MAX_EDGES = read_network.MAX_EDGES


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
    try:
        read_network.check_depth(depth)  # first, before the other arguments are read
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc) from None
    instant = parse_as_of(as_of)
    bounds = parse_valid_at(valid_at)
    try:
        walked = read_network.walk(actor, depth=depth, types=types, bounds=bounds, as_of=instant)
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc) from None

    spend = budget(info)
    asked = info.selected_fields[0].selections
    nodes = Batch.read(
        ActorProjection,
        walked.actors(),
        as_of=instant,
        budget=spend,
        # The root is one of the nodes: what is asked of either is built for both.
        fields=frozenset(
            selection_names(selections_of(asked, "nodes") + selections_of(asked, "root"))
        ),
    ).records
    links = Batch.read(
        AffiliationProjection,
        walked.affiliations(),
        as_of=instant,
        budget=spend,
        fields=frozenset(selection_names(selections_of(asked, "edges"))),
    ).records
    root = next(node for node in nodes if node.id == walked.root)
    return Network(root=root, depth=depth, truncated=walked.truncated, nodes=nodes, edges=links)
