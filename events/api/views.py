from events.resources import EVENTS
from sahel.rest.views import ResourceViewSet


class EventViewSet(ResourceViewSet):
    """Events with their participants, type (mapped to ACLED), place and date."""

    resource = EVENTS
