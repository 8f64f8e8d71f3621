import strawberry

from places.api.views import PlaceViewSet
from places.graphql.types import Place
from sahel.graphql.reading import input_values, resource_object, resource_page
from sahel.graphql.types import Connection


@strawberry.input(description="Narrow the places (every filter of REST /api/v1/places/).")
class PlaceFilter:
    search: str | None = strawberry.field(default=strawberry.UNSET, description="Part of the name.")
    kind: list[str] | None = strawberry.UNSET
    parent: str | None = strawberry.field(default=strawberry.UNSET, description="Place id or slug.")


@strawberry.type
class Query:
    @strawberry.field(description="One place by id or slug; null when there is none.")
    def place(
        self,
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        as_of: str | None = None,
    ) -> Place | None:
        return resource_object(info, PlaceViewSet, id=id, slug=slug, as_of=as_of)

    @strawberry.field(description="Places, filtered and ordered (name, kind, id).")
    def places(
        self,
        info: strawberry.Info,
        filter: PlaceFilter | None = None,
        ordering: str | None = None,
        first: int | None = None,
        after: str | None = None,
        as_of: str | None = None,
    ) -> Connection[Place]:
        return resource_page(
            info,
            PlaceViewSet,
            filters=input_values(filter),
            ordering=ordering,
            first=first,
            after=after,
            as_of=as_of,
        )
