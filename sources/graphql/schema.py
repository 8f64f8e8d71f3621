import strawberry

from sahel.graphql.fields import resource_fields
from sahel.graphql.filters import filter_input
from sources.graphql.types import Source
from sources.resources import SOURCES

SourceFilter = filter_input(
    SOURCES,
    "SourceFilter",
    description="Narrow the sources (every filter of REST /api/v1/sources/).",
)


@strawberry.type
class Query:
    source, sources = resource_fields(
        SOURCES,
        Source,
        SourceFilter,
        one="One source by id or slug; null when there is none.",
        many="Sources, filtered and ordered (title, date, id).",
    )
