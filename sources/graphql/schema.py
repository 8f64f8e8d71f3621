import strawberry

from sahel.graphql.reading import input_values, resource_object, resource_page
from sahel.graphql.types import Connection
from sources.api.views import SourceViewSet
from sources.graphql.types import Source


@strawberry.input(description="Narrow the sources (every filter of REST /api/v1/sources/).")
class SourceFilter:
    search: str | None = strawberry.field(
        default=strawberry.UNSET, description="Part of the title."
    )
    kind: list[str] | None = strawberry.UNSET
    reliability: list[str] | None = strawberry.UNSET


@strawberry.type
class Query:
    @strawberry.field(description="One source by id or slug; null when there is none.")
    def source(
        self,
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        as_of: str | None = None,
    ) -> Source | None:
        return resource_object(info, SourceViewSet, id=id, slug=slug, as_of=as_of)

    @strawberry.field(description="Sources, filtered and ordered (title, date, id).")
    def sources(
        self,
        info: strawberry.Info,
        filter: SourceFilter | None = None,
        ordering: str | None = None,
        first: int | None = None,
        after: str | None = None,
        as_of: str | None = None,
    ) -> Connection[Source]:
        return resource_page(
            info,
            SourceViewSet,
            filters=input_values(filter),
            ordering=ordering,
            first=first,
            after=after,
            as_of=as_of,
        )
