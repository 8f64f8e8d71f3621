import strawberry

from events.graphql.types import Event
from events.resources import EVENTS
from sahel.graphql.fields import resource_fields
from sahel.graphql.filters import filter_input

EventFilter = filter_input(
    EVENTS, "EventFilter", description="Narrow the events (every filter of REST /api/v1/events/)."
)


@strawberry.type
class Query:
    event, events = resource_fields(
        EVENTS,
        Event,
        EventFilter,
        one="One event by id or slug; null when there is no public one.",
        many="Events, filtered and ordered (date, title, id).",
    )
