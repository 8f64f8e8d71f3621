import django_filters

from places.models import Place, PlaceKind
from sahel.read.filters import ChoiceListFilter, PublicObjectFilter, ResourceFilterSet


class PlaceFilterSet(ResourceFilterSet):
    search = django_filters.CharFilter(
        max_length=200, method="filter_search", help_text="Part of the name."
    )
    kind = ChoiceListFilter(choices=PlaceKind.choices)
    parent = PublicObjectFilter(Place, lookups=("parent_id",), help_text="Place id or slug.")

    class Meta:
        model = Place
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip())
