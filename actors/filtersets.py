import django_filters

from actors.models import Actor, ActorKind, ActorSubkind
from places.models import Place
from sahel import selectors
from sahel.api.filters import ValidTimeFilterSet, resolve_public


class ActorFilterSet(ValidTimeFilterSet):
    search = django_filters.CharFilter(
        method="filter_search", help_text="Any name or spelling of the actor, ranked."
    )
    kind = django_filters.MultipleChoiceFilter(choices=ActorKind.choices)
    subkind = django_filters.MultipleChoiceFilter(choices=ActorSubkind.choices)
    place = django_filters.CharFilter(
        method="filter_place", help_text="Place id or slug (its sub-places included)."
    )

    class Meta:
        model = Actor
        fields = []

    def filter_search(self, queryset, name, value):
        return selectors.search_actors(queryset, value, as_of=self.as_of)

    def filter_place(self, queryset, name, value):
        place = resolve_public(Place, value, "place", as_of=self.as_of)
        return queryset.filter(
            area_id__in=selectors.place_with_descendants(place, as_of=self.as_of)
        )
