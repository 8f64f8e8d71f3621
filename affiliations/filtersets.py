import django_filters
from django.db.models import Q

from actors.models import Actor
from affiliations.models import Affiliation, AffiliationType
from sahel.api.filters import ValidTimeFilterSet, resolve_public


class AffiliationFilterSet(ValidTimeFilterSet):
    actor = django_filters.CharFilter(
        method="filter_actor", help_text="Actor id or slug, as subject or as object."
    )
    subject = django_filters.CharFilter(method="filter_subject", help_text="Actor id or slug.")
    object = django_filters.CharFilter(method="filter_object", help_text="Actor id or slug.")
    type = django_filters.CharFilter(
        method="filter_type", help_text="Affiliation type slug(s), comma-separated."
    )

    class Meta:
        model = Affiliation
        fields = []

    def filter_actor(self, queryset, name, value):
        actor = resolve_public(Actor, value, "actor", as_of=self.as_of)
        return queryset.filter(Q(subject_id=actor) | Q(object_id=actor))

    def filter_subject(self, queryset, name, value):
        return queryset.filter(subject_id=resolve_public(Actor, value, "subject", as_of=self.as_of))

    def filter_object(self, queryset, name, value):
        return queryset.filter(object_id=resolve_public(Actor, value, "object", as_of=self.as_of))

    def filter_type(self, queryset, name, value):
        types = [
            resolve_public(AffiliationType, slug.strip(), "type", as_of=self.as_of)
            for slug in value.split(",")
            if slug.strip()
        ]
        return queryset.filter(type_id__in=types)
