from sahel.rest.views import ResourceViewSet
from sources.resources import SOURCES


class SourceViewSet(ResourceViewSet):
    """Source documents; the detail view includes the full text where it is held."""

    resource = SOURCES
