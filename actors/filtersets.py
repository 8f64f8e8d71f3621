import django_filters

from actors.models import Actor, ActorKind, ActorSubkind
from places.models import Place
from sahel.read.filters import ChoiceListFilter, PublicObjectFilter, ValidTimeFilterSet
from sahel.read.search import search_actors


class ActorFilterSet(ValidTimeFilterSet):
    search = django_filters.CharFilter(
        max_length=200,
        method="filter_search",
        help_text="Any name or spelling of the actor, ranked.",
    )
    kind = ChoiceListFilter(choices=ActorKind.choices)
    subkind = ChoiceListFilter(choices=ActorSubkind.choices)
    place = PublicObjectFilter(
        Place,
        lookups=("area_id",),
        inside=True,
        help_text="Place id or slug (its sub-places included).",
    )

    class Meta:
        model = Actor
        fields = []

    def filter_search(self, queryset, name, value):
        return search_actors(queryset, value, as_of=self.as_of)
