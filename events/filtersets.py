import django_filters

from actors.models import Actor
from events.models import Event, EventType, Participation
from places.models import Place
from sahel import selectors
from sahel.api.filters import ValidTimeFilterSet, resolve_public


class EventFilterSet(ValidTimeFilterSet):
    actor = django_filters.CharFilter(
        method="filter_actor", help_text="Actor id or slug: events it took part in."
    )
    type = django_filters.CharFilter(
        method="filter_type", help_text="Event type slug(s), comma-separated."
    )
    place = django_filters.CharFilter(
        method="filter_place", help_text="Place id or slug (its sub-places included)."
    )
    parent = django_filters.CharFilter(
        method="filter_parent", help_text="Event id or slug: its sub-events."
    )

    class Meta:
        model = Event
        fields = []

    def filter_actor(self, queryset, name, value):
        actor = resolve_public(Actor, value, "actor", as_of=self.as_of)
        taking_part = selectors.public(Participation, as_of=self.as_of).filter(actor_id=actor)
        return queryset.filter(id__in=taking_part.values("event_id"))

    def filter_type(self, queryset, name, value):
        types = [
            resolve_public(EventType, slug.strip(), "type", as_of=self.as_of)
            for slug in value.split(",")
            if slug.strip()
        ]
        return queryset.filter(type_id__in=types)

    def filter_place(self, queryset, name, value):
        place = resolve_public(Place, value, "place", as_of=self.as_of)
        return queryset.filter(
            place_id__in=selectors.place_with_descendants(place, as_of=self.as_of)
        )

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent_id=resolve_public(Event, value, "parent", as_of=self.as_of))
