from sahel.read.resources import Resource, register
from sources.filtersets import SourceFilterSet
from sources.projections import SourceDetailProjection, SourceProjection

SOURCES = register(
    Resource(
        name="sources",
        projection=SourceProjection,
        detail_projection=SourceDetailProjection,
        filterset=SourceFilterSet,
        orderings={"title": ("title",), "date": ("publication_date_lower",), "id": ("id",)},
        default_ordering="title",
    )
)
