from django.contrib import admin
from django.db.models import F, Value
from django.db.models.functions import Concat

from events.models import Event, EventType, Participation, ParticipationRole
from sahel.admin.claims import ClaimAdmin
from sahel.admin.filters import fuzzy_date_filter
from sahel.admin.inlines import ClaimInline
from sahel.admin.tracked import TrackedAdmin


@admin.register(EventType)
class EventTypeAdmin(TrackedAdmin):
    list_display = ("label", "acled_event_type", "acled_sub_event_type", "slug")
    list_filter = ("acled_event_type",)
    search_fields = ("label", "slug", "acled_sub_event_type")
    prepopulated_fields = {"slug": ("label",)}


@admin.register(ParticipationRole)
class ParticipationRoleAdmin(TrackedAdmin):
    list_display = ("label", "slug")
    search_fields = ("label", "slug")
    prepopulated_fields = {"slug": ("label",)}


class ParticipationInline(ClaimInline):
    model = Participation
    fields = ("actor", "role", "note", "certainty", "status")
    autocomplete_fields = ("actor", "role")
    select_related = ("actor", "role", "event")


@admin.register(Event)
class EventAdmin(ClaimAdmin):
    list_display = ("title", "type", "date", "place", "fatalities", "certainty", "status")
    list_select_related = ("type", "place")
    list_filter = ("status", "type", "certainty", fuzzy_date_filter("date", "date (decade)"))
    search_fields = ("title", "slug")
    search_help_text = "A title, a slug, or a participant's name in any spelling."
    actor_search_paths = ("participations__actor",)
    autocomplete_fields = ("type", "place", "parent")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (ParticipationInline,)
    review_label = F("title")
    explorer_page = "event"
    explorer_sections = (("Timeline", "timeline-title"), ("Map", "map-title"))


@admin.register(Participation)
class ParticipationAdmin(ClaimAdmin):
    list_display = ("event", "actor", "role", "certainty", "status")
    list_select_related = ("event", "actor", "role")
    list_filter = ("status", "role", "certainty")
    search_fields = ("event__title", "note")
    actor_search_paths = ("actor",)
    autocomplete_fields = ("event", "actor", "role")
    review_label = Concat("actor__name", Value(" — "), "role__label", Value(" — "), "event__title")
