import strawberry

from events.api.views import EventViewSet
from events.graphql.types import Event
from sahel.graphql.reading import input_values, resource_object, resource_page
from sahel.graphql.types import Certainty, Connection


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
    @strawberry.field(description="One event by id or slug; null when there is no public one.")
    def event(
        self,
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        as_of: str | None = None,
    ) -> Event | None:
        return resource_object(info, EventViewSet, id=id, slug=slug, as_of=as_of)

    @strawberry.field(description="Events, filtered and ordered (date, title, id).")
    def events(
        self,
        info: strawberry.Info,
        filter: EventFilter | None = None,
        ordering: str | None = None,
        first: int | None = None,
        after: str | None = None,
        as_of: str | None = None,
    ) -> Connection[Event]:
        return resource_page(
            info,
            EventViewSet,
            filters=input_values(filter),
            ordering=ordering,
            first=first,
            after=after,
            as_of=as_of,
        )
