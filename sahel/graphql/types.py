"""GraphQL types every app shares: certainty, fuzzy dates, revisions (`Tracked`: a public
history) and Relay connections. Citations and the `Claim` base are in `sahel.graphql.claims`.

Resolvers receive a `sahel.graphql.batches.Record` as `self` (the projected item and its
batch), not an instance of the class they are declared on.
"""

from typing import Generic, TypeVar

import strawberry
from strawberry.scalars import JSON

from sahel.core.models import Certainty as CertaintyChoices
from sahel.graphql.budget import budget
from sahel.graphql.pages import Page, encode_offset
from sahel.read import changes

Certainty = strawberry.enum(
    CertaintyChoices,
    name="Certainty",
    description="How sure the sources are, mirroring their own hedging.",
)


@strawberry.type(description="A date as precise as the source: EDTF with calendar bounds.")
class FuzzyDate:
    edtf: str = strawberry.field(description="EDTF: 2012, 2012-09, 2000~, 201X, 2015-10/2015-12")
    lower: str | None = strawberry.field(description="Earliest day it can be (ISO), or null")
    upper: str | None = strawberry.field(description="Latest day it can be (ISO), or null")


@strawberry.type(description="One change set that changed what the public sees of an object.")
class Revision:
    time: str = strawberry.field(description="When (ISO 8601, UTC).")
    action: str = strawberry.field(description="created, updated or removed")
    reason: str | None = strawberry.field(description="Why, as the editor said (not on removals).")
    changes: JSON | None = strawberry.field(description="Changed fields: {field: {old, new}}.")
    data: JSON | None = strawberry.field(description="The object as it was after the change.")


def _revision(entry: dict) -> Revision:
    return Revision(
        time=entry["time"],
        action=entry["action"],
        reason=entry.get("reason"),
        changes=entry.get("changes"),
        data=entry.get("data"),
    )


@strawberry.type
class Tracked:
    """Base of every type with a public revision history."""

    @strawberry.field(
        description=(
            "Each change that altered what the public sees of this object (up to `asOf` "
            "when one is given). Costly: at most 25 objects a query may ask for it."
        )
    )
    def history(self, info: strawberry.Info) -> list[Revision]:
        budget(info).spend_history(self.batch)
        entries = changes.object_history(self.batch.projection, self.id)
        if self.batch.as_of is not None:
            limit = self.batch.as_of.isoformat()
            entries = [e for e in entries if e["time"] <= limit]
        return [_revision(entry) for entry in entries]


Node = TypeVar("Node")


@strawberry.type(description="Pagination details (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type(description="A page of results (Relay connection).")
class Connection(Generic[Node]):
    @strawberry.field(description="How many results there are in all pages.")
    def total_count(self: Page) -> int:
        return self.total_count

    @strawberry.field
    def edges(self: Page) -> list[Edge[Node]]:
        return [
            Edge(cursor=encode_offset(self.offset + i), node=record)
            for i, record in enumerate(self.records)
        ]

    @strawberry.field(description="The results of this page (edges without cursors).")
    def nodes(self: Page) -> list[Node]:
        return self.records

    @strawberry.field
    def page_info(self: Page) -> PageInfo:
        count = len(self.records)
        return PageInfo(
            has_next_page=self.has_next,
            has_previous_page=self.offset > 0,
            start_cursor=encode_offset(self.offset) if count else None,
            end_cursor=encode_offset(self.offset + count - 1) if count else None,
        )


@strawberry.type(description="A search result: the actor, and why it matched.")
class SearchEdge(Generic[Node]):
    cursor: str
    node: Node
    matched_name: str = strawberry.field(description="The name of the actor that matched best.")
    score: float = strawberry.field(description="How well it matched, 0-1 (1: the same name).")


@strawberry.type(description="Search results, best match first (Relay connection).")
class SearchConnection(Connection[Node]):
    @strawberry.field(description="The results with the name that matched and its score.")
    def edges(self: Page) -> list[SearchEdge[Node]]:
        return [
            SearchEdge(
                cursor=encode_offset(self.offset + i),
                node=record,
                matched_name=match["name"],
                score=match["score"],
            )
            for i, (record, match) in enumerate(zip(self.records, self.matches, strict=True))
        ]
