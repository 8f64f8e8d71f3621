"""Citations, and the bases of citable and claim types: every claim type (actor, name, tie,
event, participation) has its `certainty`, `citations { source quote locator stance }` and
`history`; places have citations and history."""

import strawberry

from sahel.core.models import Certainty as CertaintyChoices
from sahel.graphql.types import Certainty, Tracked
from sources.graphql.types import Source
from sources.projections import SourceProjection


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
    def source(self) -> Source | None:
        summary = self.item["source"]
        if summary is None:
            return None
        return self.batch.reference("source", SourceProjection).get(summary["id"])


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
