from events.filtersets import EventFilterSet
from events.projections import EventProjection
from sahel.read.resources import Resource, register

EVENTS = register(
    Resource(
        name="events",
        projection=EventProjection,
        filterset=EventFilterSet,
        orderings={"date": ("date_lower",), "title": ("title",), "id": ("id",)},
        default_ordering="date",
        geo=True,
    )
)
