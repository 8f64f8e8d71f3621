import django_filters

from actors.models import Actor
from events.models import Event, EventType, Participation
from places.models import Place
from sahel.core import selectors
from sahel.read.filters import PublicObjectFilter, ValidTimeFilterSet, resolve_public


class EventFilterSet(ValidTimeFilterSet):
    actor = django_filters.CharFilter(
        method="filter_actor", help_text="Actor id or slug: events it took part in."
    )
    type = PublicObjectFilter(
        EventType,
        lookups=("type_id",),
        many=True,
        help_text="Event type slug(s).",
    )
    place = PublicObjectFilter(
        Place,
        lookups=("place_id",),
        inside=True,
        help_text="Place id or slug (its sub-places included).",
    )
    parent = PublicObjectFilter(
        Event, lookups=("parent_id",), help_text="Event id or slug: its sub-events."
    )

    class Meta:
        model = Event
        fields = []

    def filter_actor(self, queryset, name, value):
        actor = resolve_public(Actor, value, "actor", as_of=self.as_of)
        taking_part = selectors.public(Participation, as_of=self.as_of).filter(actor_id=actor)
        return queryset.filter(id__in=taking_part.values("event_id"))
