from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from sahel.admin.filters import fuzzy_date_filter
from sahel.admin.tracked import TrackedAdmin
from sahel.core.models import citable_models
from sources.models import Citation, Source


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ("title", "kind", "publisher", "publication_date", "reliability", "language")
    list_filter = ("kind", "reliability", "language", fuzzy_date_filter("publication_date"))
    search_fields = ("title", "slug", "publisher", "url")
    prepopulated_fields = {"slug": ("title",)}


class CitedSourceFilter(admin.SimpleListFilter):
    """The sources cited at all, by title (their ids and titles only: not their texts)."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        cited = Source.objects.filter(Exists(Citation.objects.filter(source=OuterRef("pk"))))
        return list(cited.order_by("title").values_list("pk", "title"))

    def queryset(self, request, queryset):
        if self.value() is None:
            return None
        return (
            queryset.filter(source_id=self.value()) if self.value().isdigit() else queryset.none()
        )


class ClaimTypeFilter(admin.SimpleListFilter):
    """The kind of claim cited: the citable models only (not their historical tables)."""

    title = "claim type"
    parameter_name = "claim_type"

    def lookups(self, request, model_admin):
        return [(m._meta.model_name, m._meta.verbose_name) for m in citable_models()]

    def queryset(self, request, queryset):
        for model in citable_models():
            if self.value() == model._meta.model_name:
                return queryset.filter(content_type=ContentType.objects.get_for_model(model))
        return None


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    """Citations are mostly edited on their claim's page (the citations inline); this
    list finds them across claims, by source, stance, claim type or quote."""

    list_display = ("claim", "short_quote", "source", "locator", "stance", "credibility")
    list_display_links = ("short_quote",)
    list_select_related = ("source", "content_type")
    list_filter = (
        CitedSourceFilter,
        "stance",
        ClaimTypeFilter,
        "credibility",
    )
    search_fields = ("quote", "locator", "source__title", "source__slug")
    autocomplete_fields = ("source",)

    def get_queryset(self, request):
        # The cited claims, a query per kind on the page, with what their names read.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                GenericPrefetch(
                    "target",
                    [m._default_manager.select_related() for m in citable_models()],
                )
            )
        )

    @admin.display(description="claim")
    def claim(self, citation):
        target = citation.target
        if target is None:
            return f"(deleted {citation.content_type.model} {citation.object_id})"
        opts = target._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        return format_html(
            '<a href="{}">{}</a> <small>({})</small>', url, target, opts.verbose_name
        )

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, citation):
        return Truncator(citation.quote).chars(140) if citation.quote else "(no quote)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(m).pk for m in citable_models()]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
