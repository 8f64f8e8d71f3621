import strawberry

from events.api.views import EventViewSet
from events.graphql.types import Event
from sahel.graphql.fields import resource_fields
from sahel.graphql.types import Certainty


@strawberry.input(description="Narrow the events (every filter of REST /api/v1/events/).")
class EventFilter:
    actor: str | None = strawberry.field(
        default=strawberry.UNSET, description="Actor id or slug: events it took part in."
    )
    type: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Event type slugs."
    )
    place: str | None = strawberry.field(
        default=strawberry.UNSET, description="Place id or slug (its sub-places included)."
    )
    parent: str | None = strawberry.field(
        default=strawberry.UNSET, description="Event id or slug: its sub-events."
    )
    certainty: list[Certainty] | None = strawberry.UNSET
    date_from: str | None = strawberry.UNSET
    date_to: str | None = strawberry.UNSET
    valid_at: str | None = strawberry.UNSET


@strawberry.type
class Query:
    event, events = resource_fields(
        EventViewSet,
        Event,
        EventFilter,
        one="One event by id or slug; null when there is no public one.",
        many="Events, filtered and ordered (date, title, id).",
    )
