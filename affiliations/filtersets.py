from actors.models import Actor
from affiliations.models import Affiliation, AffiliationType
from sahel.read.filters import PublicObjectFilter, ValidTimeFilterSet


class AffiliationFilterSet(ValidTimeFilterSet):
    actor = PublicObjectFilter(
        Actor,
        lookups=("subject_id", "object_id"),
        help_text="Actor id or slug, as subject or as object.",
    )
    subject = PublicObjectFilter(Actor, lookups=("subject_id",), help_text="Actor id or slug.")
    object = PublicObjectFilter(Actor, lookups=("object_id",), help_text="Actor id or slug.")
    type = PublicObjectFilter(
        AffiliationType,
        lookups=("type_id",),
        many=True,
        help_text="Affiliation type slug(s).",
    )

    class Meta:
        model = Affiliation
        fields = []
