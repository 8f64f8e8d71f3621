from django.db import models

from sahel.core.models import CitableModel, TrackedModel, validate_no_cycle


class PlaceKind(models.TextChoices):
    COUNTRY = "country", "country"
    REGION = "region", "region"
    CITY = "city", "city"
    TOWN = "town", "town"
    AREA = "area", "area"  # a broad area without borders: "northern Mali", "the Sahara"


class GeoPrecision(models.IntegerChoices):
    """ACLED-style geographic precision of the coordinates."""

    EXACT = 1, "1 — the place itself"
    NEAR = 2, "2 — near the place or part of a region"
    REGION = 3, "3 — only the region or a wider area"


class Place(TrackedModel, CitableModel):
    """A country, region, town or area. Places are reference data: always public."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    precision = models.PositiveSmallIntegerField(
        choices=GeoPrecision.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(latitude__isnull=False, longitude__isnull=False)
                ),
                name="place_coordinates_both_or_neither",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_no_cycle(self, "parent", "A place cannot be inside itself.")
