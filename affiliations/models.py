from django.core.exceptions import ValidationError
from django.db import models

from sahel.core.fuzzy_dates import EDTFField, fuzzy_date_bounds
from sahel.core.models import ClaimModel, TrackedModel, validate_bounds_order


class AffiliationType(TrackedModel):
    """Editable vocabulary of ties: 'leader of' / 'led by', 'allied with' (symmetric)."""

    slug = models.SlugField(max_length=80, unique=True)
    label = models.CharField(max_length=120, help_text="Read as: subject <label> object.")
    inverse_label = models.CharField(
        max_length=120, help_text="Read as: object <inverse label> subject."
    )
    symmetric = models.BooleanField(
        default=False, help_text="True when the tie reads the same both ways (allied with)."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.symmetric and self.inverse_label and self.inverse_label != self.label:
            raise ValidationError(
                {"inverse_label": "A symmetric type reads the same both ways: use its label."}
            )


class Affiliation(ClaimModel):
    """A typed, directed, dated tie: subject <type> object."""

    slug = models.SlugField(
        max_length=200, unique=True, help_text="Natural key, e.g. iyad-ag-ghali--leader-of--jnim."
    )
    subject = models.ForeignKey(
        "actors.Actor", on_delete=models.CASCADE, related_name="affiliations_as_subject"
    )
    type = models.ForeignKey(AffiliationType, on_delete=models.PROTECT, related_name="affiliations")
    object = models.ForeignKey(
        "actors.Actor", on_delete=models.CASCADE, related_name="affiliations_as_object"
    )
    role_title = models.CharField(
        max_length=200, blank=True, help_text="As the source words it: 'Saharan emir'."
    )
    start = EDTFField()
    start_lower, start_upper = fuzzy_date_bounds("start")
    end = EDTFField()
    end_lower, end_upper = fuzzy_date_bounds("end")

    visibility_requires = ("subject", "object")
    valid_time_fields = ("start", "end")

    class Meta:
        ordering = ["start_lower", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject=models.F("object")),
                name="affiliation_not_reflexive",
                violation_error_message="An actor cannot be affiliated with itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {self.type} — {self.object}"

    def clean(self) -> None:
        validate_bounds_order(self, "start", "end")
