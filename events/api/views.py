from events.api.projections import EventProjection
from events.filtersets import EventFilterSet
from sahel.api.views import GeoResourceViewSet


class EventViewSet(GeoResourceViewSet):
    """Events with their participants, type (mapped to ACLED), place and date."""

    projection = EventProjection
    filterset_class = EventFilterSet
    orderings = {"date": ("date_lower",), "title": ("title",), "id": ("id",)}
    default_ordering = "date"
