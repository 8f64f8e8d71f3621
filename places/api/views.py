from places.resources import PLACES
from sahel.rest.views import ResourceViewSet


class PlaceViewSet(ResourceViewSet):
    """Places: countries, regions, towns and broad areas, with their parents."""

    resource = PLACES
