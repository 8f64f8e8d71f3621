from typing import Annotated

import strawberry

from actors.projections import ActorProjection
from events.projections import EventProjection, ParticipationProjection
from places.projections import PlaceProjection
from sahel.graphql.batches import reference
from sahel.graphql.claims import Claim
from sahel.graphql.selection import wanted
from sahel.graphql.types import FuzzyDate

Actor = Annotated["Actor", strawberry.lazy("actors.graphql.types")]
Place = Annotated["Place", strawberry.lazy("places.graphql.types")]


@strawberry.type(description="A kind of event, mapped to the nearest ACLED event type.")
class EventType:
    id: strawberry.ID
    slug: str
    label: str
    acled_event_type: str
    acled_sub_event_type: str


@strawberry.type(description="A kind of part in an event: perpetrator, target, subject ...")
class ParticipationRole:
    id: strawberry.ID
    slug: str
    label: str


@strawberry.type(description="Something that happened: an attack, a merger, an appointment ...")
class Event(Claim):
    id: strawberry.ID
    slug: str
    title: str
    description: str
    fatalities: int | None = strawberry.field(description="Where the sources state them.")
    date: FuzzyDate | None

    @strawberry.field
    def type(self) -> EventType | None:
        summary = self.item["type"]
        return summary and EventType(**summary)

    @strawberry.field
    def place(self, info: strawberry.Info) -> Place | None:
        return reference(self, "place", PlaceProjection, info)

    @strawberry.field(description="The operation this event is part of.")
    def parent(self, info: strawberry.Info) -> "Event | None":
        return reference(self, "parent", EventProjection, info)

    @strawberry.field(description="Events that are part of this one.")
    def sub_events(self, info: strawberry.Info) -> list["Event"]:
        return self.batch.related(
            "sub_events",
            EventProjection,
            "parent",
            ordering=("date_lower", "id"),
            fields=wanted(info),
        ).get(self.id, [])

    @strawberry.field(description="The actors that took part, with their roles.")
    def participants(self) -> list["Participation"]:
        return self.batch.children("participants", ParticipationProjection, parent="event").get(
            self.id, []
        )


@strawberry.type(description="An actor's part in an event.")
class Participation(Claim):
    id: strawberry.ID
    note: str

    @strawberry.field
    def role(self) -> ParticipationRole | None:
        summary = self.item["role"]
        return summary and ParticipationRole(**summary)

    @strawberry.field
    def actor(self, info: strawberry.Info) -> Actor | None:
        return reference(self, "actor", ActorProjection, info)

    @strawberry.field
    def event(self, info: strawberry.Info) -> Event | None:
        return reference(self, "event", EventProjection, info)
