from django.contrib import admin

from places.models import Place
from sahel.admin.claims import CitedAdmin


@admin.register(Place)
class PlaceAdmin(CitedAdmin):
    list_display = ("name", "kind", "parent", "latitude", "longitude", "precision")
    list_select_related = ("parent",)
    list_filter = ("kind", "precision")
    search_fields = ("name", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
