from django.contrib import admin
from django.db.models import F, Value
from django.db.models.functions import Concat

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation
from sahel.admin.claims import ClaimAdmin
from sahel.admin.filters import fuzzy_date_filter
from sahel.admin.inlines import ClaimInline, TrackedInline
from sahel.admin.search import ordered_by_name_match
from sahel.admin.tracked import TrackedAdmin


class NameInline(ClaimInline):
    model = Name
    fields = ("name", "kind", "language", "script", "certainty", "status")


class IdentifierInline(TrackedInline):
    model = Identifier
    fields = ("scheme", "value", "confidence", "note")


class AffiliationInline(ClaimInline):
    model = Affiliation
    fields = ("subject", "type", "object", "role_title", "start", "end", "certainty", "status")
    autocomplete_fields = ("subject", "type", "object")
    select_related = ("subject", "type", "object")
    prepopulated_fields = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"start", "end"} and formfield is not None:
            formfield.widget.attrs["size"] = 12
        return formfield


class AffiliationAsSubjectInline(AffiliationInline):
    fk_name = "subject"
    fields = ("slug", "type", "object", "role_title", "start", "end", "certainty", "status")
    verbose_name = "tie of this actor to another (this actor is the subject)"
    verbose_name_plural = "ties as subject (this actor → other)"


class AffiliationAsObjectInline(AffiliationInline):
    fk_name = "object"
    fields = ("slug", "subject", "type", "role_title", "start", "end", "certainty", "status")
    verbose_name = "tie of another actor to this one (this actor is the object)"
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

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return ordered_by_name_match(queryset, search_term), False


@admin.register(Name)
class NameAdmin(ClaimAdmin):
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
