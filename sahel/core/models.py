"""The claim machinery every app builds on.

- `TrackedModel`: revision history (django-simple-history, one historical table per model,
  stamped by `sahel.core.history.change_set`), a version number for stale-save protection, and
  derived fields (fuzzy-date bounds) kept in step on every write.
- `CitableModel`: can be cited by `sources.Citation` (one citation model for every claim).
- `ClaimModel`: a sourced assertion: certainty, publication status, editorial note.

Each concrete model declares what the shared selectors need to know about it:
- `visibility_requires`: foreign keys whose targets must be public for the row to be public
  (a published affiliation to a draft actor is not public);
- `valid_time_fields`: the (start, end) EDTF fields that say when the claim held in the world.
"""

from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from sahel.core.fuzzy_dates import EDTFField, parse_bounds
from sahel.core.tracking import HistoricalChange, StaleEditError, TrackedQuerySet


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
    # Change sets are enforced by signals in sahel.core.history, which also catch the paths that
    # never call save() or delete(). Here: every UPDATE is conditional on the version the
    # object was read at, so no save path can overwrite someone else's change.
    def save(self, *args, update_fields=None, force_insert=False, **kwargs):
        self.sync_derived_fields()
        self._saving_from_version = None
        if not self._state.adding and not force_insert:
            self._saving_from_version = self.version
            self.version += 1
        if update_fields is not None:
            update_fields = {*update_fields, "version", *self.derived_field_names()}
        try:
            super().save(*args, update_fields=update_fields, force_insert=force_insert, **kwargs)
        except BaseException:
            if self._saving_from_version is not None:
                self.version = self._saving_from_version
            raise
        type(self).after_write([self])

    @classmethod
    def after_write(cls, objs: list) -> None:
        """Called in the writing transaction after `objs` were saved, one by one or in bulk
        (sahel.core.history): what is derived from them outside their own rows (a name's
        matching keys, actors.models.NameKey) is written here."""

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_saving_from_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, True
        )
        if not updated:
            if base_qs.filter(pk=pk_val).exists():
                raise StaleEditError(self, expected_version=expected, attempted={})
            raise type(self).DoesNotExist(
                f"{type(self).__name__} {pk_val} was deleted; restore it before editing."
            )
        return updated

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


@receiver(class_prepared)
def _guard_base_manager(sender, **kwargs):
    # Django reaches related objects (reverse add/set/clear, cascades) through the base
    # manager; make it the guarded one so those writes are refused too. (Connected here,
    # before any concrete model is defined.)
    if issubclass(sender, TrackedModel) and not sender._meta.abstract:
        sender._meta.base_manager_name = "objects"


def tracked_models() -> list[type[TrackedModel]]:
    return [m for m in apps.get_models() if issubclass(m, TrackedModel)]


def citable_models() -> list[type["CitableModel"]]:
    return [m for m in apps.get_models() if issubclass(m, CitableModel)]


def validate_bounds_order(obj: models.Model, start: str, end: str) -> None:
    """Refuse an end that is certainly before the start (an invalid value is reported by
    its own field's validation)."""
    try:
        start_lower = parse_bounds(getattr(obj, start)).lower
        end_upper = parse_bounds(getattr(obj, end)).upper
    except ValidationError:
        return
    if start_lower and end_upper and end_upper < start_lower:
        raise ValidationError({end: f"{getattr(obj, end)!r} is before {getattr(obj, start)!r}."})


def validate_no_cycle(obj: models.Model, parent_field: str, message: str) -> None:
    """Refuse a parent chain (place in place, event in event) that leads back to `obj`."""
    ancestor, seen = getattr(obj, parent_field), set()
    while ancestor is not None:
        if (obj.pk is not None and ancestor.pk == obj.pk) or ancestor.pk in seen:
            raise ValidationError({parent_field: message})
        seen.add(ancestor.pk)
        ancestor = getattr(ancestor, parent_field)


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


class ChangeSetLog(models.Model):
    """One row per committed change set, numbered in commit order: the change feed reads
    by `seq`. Numbers are handed out under a lock held until the change set commits
    (`sahel.core.history`), so a change set with a higher number committed later."""

    seq = models.BigIntegerField(unique=True)
    change_set = models.UUIDField(unique=True)
    time = models.DateTimeField(help_text="The change set's instant (its history_date).")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.change_set}"


class CommitOrderLock(models.Model):
    """A single row, locked (SELECT ... FOR UPDATE) from the moment a change set takes its
    number and stamp to the moment it commits."""

    def __str__(self) -> str:
        return "commit order lock"
