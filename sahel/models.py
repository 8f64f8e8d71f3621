"""The claim machinery every app builds on.

- `TrackedModel`: revision history (django-simple-history, one historical table per model,
  stamped by `sahel.history.change_set`), a version number for stale-save protection, and
  derived fields (fuzzy-date bounds) kept in step on every write.
- `CitableModel`: can be cited by `sources.Citation` (one citation model for every claim).
- `ClaimModel`: a sourced assertion: certainty, publication status, editorial note.

Each concrete model declares what the shared selectors need to know about it:
- `visibility_requires`: foreign keys whose targets must be public for the row to be public
  (a published affiliation to a draft actor is not public);
- `valid_time_fields`: the (start, end) EDTF fields that say when the claim held in the world.
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from simple_history.models import HistoricalRecords

from sahel.fuzzy_dates import EDTFField, parse_bounds
from sahel.history import HistoricalChange, TrackedQuerySet, require_change_set


class Certainty(models.TextChoices):
    """How sure the sources are, mirroring their own hedging."""

    CONFIRMED = "confirmed", "confirmed"  # stated plainly
    PROBABLE = "probable", "probable"  # "likely"
    POSSIBLE = "possible", "possible"  # "may have", "some accounts say", "widely rumored"
    DOUBTFUL = "doubtful", "doubtful"
    DISPUTED = "disputed", "disputed"  # asserted by some, denied or contested by others


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"
    WITHDRAWN = "withdrawn", "withdrawn"


class TrackedModel(models.Model):
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Incremented on every change; a save based on an older version is refused.",
    )

    objects = TrackedQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, bases=[HistoricalChange])

    visibility_requires: tuple[str, ...] = ()
    valid_time_fields: tuple[str, str] | None = None
    extra_derived_fields: tuple[str, ...] = ()  # derived non-EDTF fields (search keys ...)

    class Meta:
        abstract = True

    # -- writes ---------------------------------------------------------------------------
    def save(self, *args, **kwargs):
        require_change_set("save", type(self))
        self.sync_derived_fields()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        require_change_set("delete", type(self))
        return super().delete(*args, **kwargs)

    # -- derived fields -------------------------------------------------------------------
    @classmethod
    def edtf_fields(cls) -> list[EDTFField]:
        return [f for f in cls._meta.concrete_fields if isinstance(f, EDTFField)]

    @classmethod
    def derived_field_names(cls) -> list[str]:
        names = []
        for f in cls.edtf_fields():
            names += [f"{f.name}_lower", f"{f.name}_upper"]
        return names + list(cls.extra_derived_fields)

    def sync_derived_fields(self) -> None:
        """Recompute fields derived from others (fuzzy-date bounds, search keys)."""
        for f in self.edtf_fields():
            bounds = parse_bounds(getattr(self, f.attname))
            setattr(self, f"{f.name}_lower", bounds.lower)
            setattr(self, f"{f.name}_upper", bounds.upper)


class CitableModel(models.Model):
    citations = GenericRelation(
        "sources.Citation", content_type_field="content_type", object_id_field="object_id"
    )

    class Meta:
        abstract = True


class ClaimModel(TrackedModel, CitableModel):
    certainty = models.CharField(
        max_length=16, choices=Certainty.choices, default=Certainty.CONFIRMED, db_index=True
    )
    status = models.CharField(
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
        help_text="Only published claims are visible to the public.",
    )
    editorial_note = models.TextField(
        blank=True, help_text="Internal note for editors. Never shown publicly."
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED
