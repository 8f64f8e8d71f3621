from django.contrib import admin
from django.db.models import Value
from django.db.models.functions import Concat

from affiliations.models import Affiliation, AffiliationType
from sahel.admin.claims import ClaimAdmin
from sahel.admin.filters import fuzzy_date_filter
from sahel.admin.tracked import TrackedAdmin


@admin.register(AffiliationType)
class AffiliationTypeAdmin(TrackedAdmin):
    list_display = ("label", "inverse_label", "symmetric", "slug")
    list_filter = ("symmetric",)
    search_fields = ("label", "inverse_label", "slug")
    prepopulated_fields = {"slug": ("label",)}


@admin.register(Affiliation)
class AffiliationAdmin(ClaimAdmin):
    list_display = (
        *("subject", "type", "object", "role_title"),
        *("start", "end", "certainty", "status"),
    )
    list_select_related = ("subject", "type", "object")
    list_filter = (
        "status",
        "type",
        "certainty",
        fuzzy_date_filter("start", "start (decade)"),
        fuzzy_date_filter("end", "end (decade)"),
    )
    search_fields = ("slug", "role_title")
    search_help_text = "An actor's name in any spelling, a role title or a slug."
    actor_search_paths = ("subject", "object")
    autocomplete_fields = ("subject", "type", "object")
    review_label = Concat(
        "subject__name", Value(" — "), "type__label", Value(" — "), "object__name"
    )
