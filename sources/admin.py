from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

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


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    """Citations are mostly edited on their claim's page (the citations inline); this
    list finds them across claims, by source, stance or quote."""

    list_display = ("source", "content_type", "object_id", "locator", "stance", "credibility")
    list_select_related = ("source", "content_type")
    list_filter = ("stance", "credibility", "content_type")
    search_fields = ("quote", "locator", "source__title", "source__slug")
    autocomplete_fields = ("source",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(m).pk for m in citable_models()]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
