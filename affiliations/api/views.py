from affiliations.api.projections import AffiliationProjection
from affiliations.filtersets import AffiliationFilterSet
from sahel.api.views import ResourceViewSet


class AffiliationViewSet(ResourceViewSet):
    """Affiliations: typed, dated ties between two actors (subject <type> object)."""

    projection = AffiliationProjection
    filterset_class = AffiliationFilterSet
    orderings = {"start": ("start_lower",), "end": ("end_upper",), "id": ("id",)}
    default_ordering = "start"
