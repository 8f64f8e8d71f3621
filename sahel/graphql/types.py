"""GraphQL types every app shares: fuzzy dates, citations, revisions, connections, and the
`Claim` base that gives each claim type its `certainty`, `citations` and `history`.

Resolvers receive a `sahel.graphql.reading.Record` as `self` (the projected item and its
batch), not an instance of the class they are declared on.
"""

from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import strawberry
from strawberry.scalars import JSON

from sahel.api import changes
from sahel.graphql.reading import Page, budget, encode_offset
from sahel.models import Certainty as CertaintyChoices

if TYPE_CHECKING:
    from sources.graphql.types import Source

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


@strawberry.type(description="The link from a claim to a source that supports or disputes it.")
class Citation:
    id: strawberry.ID
    locator: str = strawberry.field(description="Where in the source: page, paragraph, time code.")
    quote: str = strawberry.field(description="Verbatim passage from the source.")
    stance: str = strawberry.field(description="supports, disputes or denies")
    credibility: int | None = strawberry.field(description="1 (confirmed) to 6 (cannot judge)")
    field: str | None = strawberry.field(description="The field of the claim it supports, if one.")
    note: str

    @strawberry.field(description="The document cited.")
    def source(self) -> Annotated["Source", strawberry.lazy("sources.graphql.types")] | None:
        from sources.api.projections import SourceProjection

        summary = self.item["source"]
        if summary is None:
            return None
        return self.batch.reference("source", SourceProjection).get(summary["id"])


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
        budget(info).spend_history()
        entries = changes.object_history(self.batch.projection, self.id)
        if self.batch.as_of is not None:
            limit = self.batch.as_of.isoformat()
            entries = [e for e in entries if e["time"] <= limit]
        return [_revision(entry) for entry in entries]


@strawberry.type
class Cited(Tracked):
    """Base of every citable type: its citations, and its history."""

    @strawberry.field(description="The sources of this record, with verbatim quotes.")
    def citations(self) -> list[Citation]:
        return self.batch.children("citations", None).get(self.id, [])


@strawberry.type
class Claim(Cited):
    """Base of every claim type: certainty, citations, history."""

    @strawberry.field(description="How sure the sources are, mirroring their own hedging.")
    def certainty(self) -> Certainty:
        return CertaintyChoices(self.item["certainty"])


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
