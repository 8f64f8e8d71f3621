import strawberry

from places.graphql.types import Place
from places.resources import PLACES
from sahel.graphql.fields import resource_fields
from sahel.graphql.filters import filter_input

PlaceFilter = filter_input(
    PLACES, "PlaceFilter", description="Narrow the places (every filter of REST /api/v1/places/)."
)


@strawberry.type
class Query:
    place, places = resource_fields(
        PLACES,
        Place,
        PlaceFilter,
        one="One place by id or slug; null when there is none.",
        many="Places, filtered and ordered (name, kind, id).",
    )
