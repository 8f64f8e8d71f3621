import strawberry

from sahel.graphql.fields import resource_fields
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
    source, sources = resource_fields(
        SourceViewSet,
        Source,
        SourceFilter,
        one="One source by id or slug; null when there is none.",
        many="Sources, filtered and ordered (title, date, id).",
    )
