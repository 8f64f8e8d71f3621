from typing import Annotated

import strawberry

from actors.projections import ActorProjection
from sahel.graphql.batches import reference
from sahel.graphql.claims import Claim
from sahel.graphql.types import FuzzyDate

Actor = Annotated["Actor", strawberry.lazy("actors.graphql.types")]


@strawberry.type(description="A kind of tie, read as: subject <label> object.")
class AffiliationType:
    id: strawberry.ID
    slug: str
    label: str = strawberry.field(description='e.g. "leader of"')
    inverse_label: str = strawberry.field(description='The tie read from the object: "led by".')
    symmetric: bool = strawberry.field(description="Reads the same both ways (allied with).")


@strawberry.type(description="A typed, directed, dated tie between two actors.")
class Affiliation(Claim):
    id: strawberry.ID
    slug: str
    role_title: str = strawberry.field(description='e.g. "Saharan emir"')
    start: FuzzyDate | None
    end: FuzzyDate | None

    @strawberry.field
    def type(self) -> AffiliationType | None:
        return self.item["type"] and _type(self.item["type"])

    @strawberry.field(description="The actor the tie starts from (the leader, the member).")
    def subject(self, info: strawberry.Info) -> Actor | None:
        return reference(self, "subject", ActorProjection, info)

    @strawberry.field(description="The actor the tie points to (the group led, joined).")
    def object(self, info: strawberry.Info) -> Actor | None:
        return reference(self, "object", ActorProjection, info)


def _type(summary: dict) -> AffiliationType:
    return AffiliationType(
        id=summary["id"],
        slug=summary["slug"],
        label=summary["label"],
        inverse_label=summary["inverse_label"],
        symmetric=summary["symmetric"],
    )


def narrow_ties(queryset, *, bounds, types: list[str] | None, as_of):
    """Ties that may have held within `bounds` (parsed `validAt`) and are of `types`
    (slugs; an unknown or hidden one is an error naming `types`), as the read layer
    narrows them (`sahel.read.network.narrow_ties`)."""
    from sahel.graphql.arguments import VALIDATION_ERRORS, input_errors
    from sahel.read.network import narrow_ties as narrow

    try:
        return narrow(queryset, bounds=bounds, types=types, as_of=as_of)
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc) from None
