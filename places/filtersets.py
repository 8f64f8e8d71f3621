import django_filters

from places.models import Place, PlaceKind
from sahel.api.filters import ResourceFilterSet, resolve_public


class PlaceFilterSet(ResourceFilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the name.")
    kind = django_filters.MultipleChoiceFilter(choices=PlaceKind.choices)
    parent = django_filters.CharFilter(method="filter_parent", help_text="Place id or slug.")

    class Meta:
        model = Place
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent_id=resolve_public(Place, value, "parent", as_of=self.as_of))
