from places.api.projections import PlaceProjection
from places.filtersets import PlaceFilterSet
from sahel.api.views import GeoResourceViewSet


class PlaceViewSet(GeoResourceViewSet):
    """Places: countries, regions, towns and broad areas, with their parents."""

    projection = PlaceProjection
    filterset_class = PlaceFilterSet
    orderings = {"name": ("name",), "kind": ("kind",), "id": ("id",)}
    default_ordering = "name"
