from collections import defaultdict
from typing import Annotated

import strawberry

from actors.projections import IdentifierProjection, NameProjection
from sahel.graphql.arguments import parse_valid_at
from sahel.graphql.batches import Batch, reference
from sahel.graphql.claims import Claim
from sahel.graphql.selection import wanted
from sahel.graphql.types import FuzzyDate

Affiliation = Annotated["Affiliation", strawberry.lazy("affiliations.graphql.types")]
Event = Annotated["Event", strawberry.lazy("events.graphql.types")]
Participation = Annotated["Participation", strawberry.lazy("events.graphql.types")]
Place = Annotated["Place", strawberry.lazy("places.graphql.types")]


@strawberry.type(description="A name an actor is known by, in one spelling.")
class Name(Claim):
    id: strawberry.ID
    name: str
    kind: str = strawberry.field(description="official, acronym, kunya, nisba, nom de guerre ...")
    language: str
    script: str


@strawberry.type(description="The actor in another dataset (Wikidata, ACLED, UCDP ...).")
class Identifier:
    id: strawberry.ID
    scheme: str
    value: str
    confidence: str
    note: str


@strawberry.type(
    description="A person, organization, ethnic group, state or armed force of the conflict."
)
class Actor(Claim):
    id: strawberry.ID
    slug: str
    name: str
    kind: str
    subkind: str
    description: str
    begin: FuzzyDate | None = strawberry.field(description="Birth or founding.")
    end: FuzzyDate | None = strawberry.field(description="Death or dissolution.")

    @strawberry.field(description="The country or area it belongs to or acts in.")
    def area(self, info: strawberry.Info) -> Place | None:
        from places.projections import PlaceProjection

        return reference(self, "area", PlaceProjection, info)

    @strawberry.field(description="Every public name of the actor.")
    def names(self) -> list[Name]:
        return self.batch.children("names", NameProjection).get(self.id, [])

    @strawberry.field
    def identifiers(self) -> list[Identifier]:
        return self.batch.children("identifiers", IdentifierProjection).get(self.id, [])

    @strawberry.field(
        description="Ties where this actor is the subject (it leads, is a member of ...)."
    )
    def affiliations_as_subject(
        self,
        info: strawberry.Info,
        valid_at: str | None = None,
        types: list[str] | None = None,
    ) -> list[Affiliation]:
        return _affiliations(self, info, "subject", valid_at, types)

    @strawberry.field(
        description="Ties where this actor is the object (it is led by, has as member ...)."
    )
    def affiliations_as_object(
        self,
        info: strawberry.Info,
        valid_at: str | None = None,
        types: list[str] | None = None,
    ) -> list[Affiliation]:
        return _affiliations(self, info, "object", valid_at, types)

    @strawberry.field(description="The events it took part in, by date (roles: `participations`).")
    def events(self, info: strawberry.Info, valid_at: str | None = None) -> list[Event]:
        from events.models import Event as EventModel
        from events.models import Participation as ParticipationModel
        from events.projections import EventProjection
        from sahel.core import selectors

        bounds = parse_valid_at(valid_at)

        def load(batch):
            pairs = set(
                selectors.public(ParticipationModel, as_of=batch.as_of)
                .filter(actor_id__in=batch.ids)
                .values_list("actor_id", "event_id")
            )
            events = selectors.public(EventModel, as_of=batch.as_of).filter(
                id__in={event for _, event in pairs}
            )
            if bounds is not None:
                events = selectors.valid_during(events, EventModel, bounds.lower, bounds.upper)
            loaded = Batch.read(
                EventProjection,
                events.order_by("date_lower", "id"),
                as_of=batch.as_of,
                budget=batch.budget,
                fields=fields,
            )
            actors_of = defaultdict(list)
            for actor, event in pairs:
                actors_of[event].append(actor)
            grouped = defaultdict(list)
            for record in loaded.records:  # in date order
                for actor in actors_of[record.id]:
                    grouped[actor].append(record)
            return grouped

        fields = wanted(info)
        return self.batch.once(("events", valid_at, fields), load).get(self.id, [])

    @strawberry.field(
        description="Its parts in events (perpetrator, target, subject ...), by date."
    )
    def participations(
        self, info: strawberry.Info, valid_at: str | None = None
    ) -> list[Participation]:
        from events.models import Event
        from events.projections import ParticipationProjection
        from sahel.core import selectors

        bounds = parse_valid_at(valid_at)
        batch = self.batch

        def narrow(queryset):
            if bounds is None:
                return queryset
            events = selectors.valid_during(
                selectors.public(Event, as_of=batch.as_of), Event, bounds.lower, bounds.upper
            )
            return queryset.filter(event_id__in=events.values("id"))

        key = ("participations", valid_at)
        return batch.related(
            key, ParticipationProjection, "actor", narrow, keep=("event_id",), fields=wanted(info)
        ).get(self.id, [])


def _affiliations(record, info, side: str, valid_at, types):
    from affiliations.graphql.types import narrow_ties
    from affiliations.projections import AffiliationProjection

    bounds = parse_valid_at(valid_at)
    batch = record.batch

    def narrow(queryset):
        return narrow_ties(queryset, bounds=bounds, types=types, as_of=batch.as_of)

    key = (side, valid_at, tuple(sorted(types)) if types is not None else None)
    ordering = ("start_lower", "id")
    return batch.related(
        key, AffiliationProjection, side, narrow, ordering=ordering, fields=wanted(info)
    ).get(record.id, [])
