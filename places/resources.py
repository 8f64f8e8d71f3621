from places.filtersets import PlaceFilterSet
from places.projections import PlaceProjection
from sahel.read.resources import Resource, register

PLACES = register(
    Resource(
        name="places",
        projection=PlaceProjection,
        filterset=PlaceFilterSet,
        orderings={"name": ("name",), "kind": ("kind",), "id": ("id",)},
        default_ordering="name",
        geo=True,
    )
)
