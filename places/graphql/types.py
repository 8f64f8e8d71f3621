from decimal import Decimal

import strawberry

from places.projections import PlaceProjection
from sahel.graphql.batches import reference
from sahel.graphql.claims import Cited


@strawberry.type(description="A country, region, town or broad area.")
class Place(Cited):
    id: strawberry.ID
    slug: str
    name: str
    kind: str
    latitude: Decimal | None
    longitude: Decimal | None
    precision: int | None = strawberry.field(description="How exact the coordinates are.")

    @strawberry.field(description="The place it lies in.")
    def parent(self, info: strawberry.Info) -> "Place | None":
        return reference(self, "parent", PlaceProjection, info)
