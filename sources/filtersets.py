import django_filters

from sahel.read.filters import ChoiceListFilter, ResourceFilterSet
from sources.models import Reliability, Source, SourceKind


class SourceFilterSet(ResourceFilterSet):
    search = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=200, help_text="Part of the title."
    )
    kind = ChoiceListFilter(choices=SourceKind.choices)
    reliability = ChoiceListFilter(choices=Reliability.choices)

    class Meta:
        model = Source
        fields = []
