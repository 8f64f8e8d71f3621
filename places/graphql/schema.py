import strawberry

from places.api.views import PlaceViewSet
from places.graphql.types import Place
from sahel.graphql.fields import resource_fields


@strawberry.input(description="Narrow the places (every filter of REST /api/v1/places/).")
class PlaceFilter:
    search: str | None = strawberry.field(default=strawberry.UNSET, description="Part of the name.")
    kind: list[str] | None = strawberry.UNSET
    parent: str | None = strawberry.field(default=strawberry.UNSET, description="Place id or slug.")


@strawberry.type
class Query:
    place, places = resource_fields(
        PlaceViewSet,
        Place,
        PlaceFilter,
        one="One place by id or slug; null when there is none.",
        many="Places, filtered and ordered (name, kind, id).",
    )
