from django.db import models

from sahel.core.fuzzy_dates import EDTFField, fuzzy_date_bounds
from sahel.core.models import ClaimModel, TrackedModel, validate_no_cycle


class ACLEDEventType(models.TextChoices):
    BATTLES = "Battles", "Battles"
    EXPLOSIONS = "Explosions/Remote violence", "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians", "Violence against civilians"
    PROTESTS = "Protests", "Protests"
    RIOTS = "Riots", "Riots"
    STRATEGIC_DEVELOPMENTS = "Strategic developments", "Strategic developments"


class EventType(TrackedModel):
    """Editable vocabulary of events, each mapped to the nearest ACLED type where one exists."""

    slug = models.SlugField(max_length=80, unique=True)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    acled_event_type = models.CharField(max_length=40, choices=ACLEDEventType.choices, blank=True)
    acled_sub_event_type = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class ParticipationRole(TrackedModel):
    """Editable vocabulary of roles in an event: perpetrator, target, speaker ..."""

    slug = models.SlugField(max_length=80, unique=True)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Event(ClaimModel):
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    date = EDTFField(help_text="EDTF; may be a range, e.g. 2015-10/2015-12.")
    date_lower, date_upper = fuzzy_date_bounds("date")
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_events",
        help_text="The operation or larger event this one is part of.",
    )
    fatalities = models.PositiveIntegerField(
        null=True, blank=True, help_text="Only where a source states a number."
    )

    valid_time_fields = ("date", "date")

    class Meta:
        ordering = ["date_lower", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        validate_no_cycle(self, "parent", "An event cannot be part of itself.")


class Participation(ClaimModel):
    """Actor × event × role."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(
        "actors.Actor", on_delete=models.CASCADE, related_name="participations"
    )
    role = models.ForeignKey(
        ParticipationRole, on_delete=models.PROTECT, related_name="participations"
    )
    note = models.TextField(blank=True, help_text="Public note, e.g. how the source words it.")

    visibility_requires = ("event", "actor")

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"], name="participation_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} — {self.role} — {self.event}"
