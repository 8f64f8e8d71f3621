from sahel.api.views import ResourceViewSet
from sources.api.projections import SourceDetailProjection, SourceProjection
from sources.filtersets import SourceFilterSet


class SourceViewSet(ResourceViewSet):
    """Source documents; the detail view includes the full text where it is held."""

    projection = SourceProjection
    detail_projection = SourceDetailProjection
    filterset_class = SourceFilterSet
    orderings = {"title": ("title",), "date": ("publication_date_lower",), "id": ("id",)}
    default_ordering = "title"
