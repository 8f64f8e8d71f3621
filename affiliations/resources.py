from affiliations.filtersets import AffiliationFilterSet
from affiliations.projections import AffiliationProjection
from sahel.read.resources import Resource, register

AFFILIATIONS = register(
    Resource(
        name="affiliations",
        projection=AffiliationProjection,
        filterset=AffiliationFilterSet,
        orderings={"start": ("start_lower",), "end": ("end_upper",), "id": ("id",)},
        default_ordering="start",
    )
)
