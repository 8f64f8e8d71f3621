from django.contrib import admin
from django.db.models import F, Value
from django.db.models.functions import Concat

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation
from sahel.admin.claims import ClaimAdmin
from sahel.admin.filters import fuzzy_date_filter
from sahel.admin.forms import NoDefaultChoiceMixin, ReasonForm, TrackedForm
from sahel.admin.inlines import ClaimInline, ClaimStackedInline, FoldedWhenLong, TrackedInline
from sahel.admin.search import ordered_by_name_match
from sahel.admin.tracked import TrackedAdmin


class NameForm(NoDefaultChoiceMixin, TrackedForm):
    no_default = ("kind",)


class NameAdminForm(NoDefaultChoiceMixin, ReasonForm):
    no_default = ("kind",)


class NameInline(FoldedWhenLong, ClaimInline):
    model = Name
    form = NameForm
    fields = ("name", "kind", "language", "script", "certainty", "status")
    fold_after = 12


class IdentifierInline(TrackedInline):
    model = Identifier
    fields = ("scheme", "value", "confidence", "note")


class AffiliationInline(FoldedWhenLong, ClaimStackedInline):
    """Ties, stacked (eight fields do not fit a table row at 1,366 px): the tie on one
    line, its title, dates and certainty on the next; folded when there are many."""

    model = Affiliation
    autocomplete_fields = ("subject", "type", "object")
    select_related = ("subject", "type", "object")
    prepopulated_fields = {}
    when = ("role_title", "start", "end", "certainty", "status")


class AffiliationAsSubjectInline(AffiliationInline):
    fk_name = "subject"
    fieldsets = ((None, {"fields": (("type", "object", "slug"), AffiliationInline.when)}),)
    verbose_name = "tie (this actor → other)"
    verbose_name_plural = "ties as subject (this actor → other)"


class AffiliationAsObjectInline(AffiliationInline):
    fk_name = "object"
    fieldsets = ((None, {"fields": (("subject", "type", "slug"), AffiliationInline.when)}),)
    verbose_name = "tie (other → this actor)"
    verbose_name_plural = "ties as object (other → this actor)"


@admin.register(Actor)
class ActorAdmin(ClaimAdmin):
    list_display = ("name", "kind", "subkind", "begin", "end", "area", "certainty", "status")
    list_select_related = ("area",)
    list_filter = (
        "status",
        "kind",
        "subkind",
        "certainty",
        fuzzy_date_filter("begin", "begin (decade)"),
        fuzzy_date_filter("end", "end (decade)"),
    )
    search_fields = ("name", "slug")
    search_help_text = "Any name or spelling: Abou al-Hammam, Droukdal, ag ghaly …"
    autocomplete_fields = ("area",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (NameInline, IdentifierInline, AffiliationAsSubjectInline, AffiliationAsObjectInline)
    review_label = F("name")
    explorer_page = "actor"
    explorer_sections = (
        ("Network", "network-title"),
        ("Timeline", "timeline-title"),
        ("Map", "map-title"),
    )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return ordered_by_name_match(queryset, search_term), False


@admin.register(Name)
class NameAdmin(ClaimAdmin):
    form = NameAdminForm
    list_display = ("name", "actor", "kind", "language", "script", "certainty", "status")
    list_select_related = ("actor",)
    list_filter = ("status", "kind", "certainty", "script")
    search_fields = ("name",)
    actor_search_paths = ("actor",)
    autocomplete_fields = ("actor",)
    review_label = Concat("name", Value(" (a name of "), "actor__name", Value(")"))


@admin.register(Identifier)
class IdentifierAdmin(TrackedAdmin):
    list_display = ("actor", "scheme", "value", "confidence")
    list_select_related = ("actor",)
    list_filter = ("scheme", "confidence")
    search_fields = ("value",)
    actor_search_paths = ("actor",)
    autocomplete_fields = ("actor",)
