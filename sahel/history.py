"""Change sets: the one way anything is written.

Every write runs inside `change_set(user, reason)`: a database transaction plus a context
that stamps each history row written in it with the acting user, the reason and a shared
change-set id. Cascaded deletes, bulk writes and signal-driven history rows all pick the
context up, so no history row is ever written without its who and why, and everything one
operation did can be found (and undone) together.

Writes that django-simple-history cannot see are refused: `QuerySet.update()`,
`bulk_create()` and `bulk_update()` on a tracked model raise `UntrackedWriteError` unless
called through `bulk_create_with_history` / `bulk_update_with_history` below.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models, transaction
from django.dispatch import receiver
from simple_history import utils as simple_history_utils
from simple_history.signals import pre_create_historical_record


class UntrackedWriteError(RuntimeError):
    """A write that would bypass the revision history."""


class MissingReasonError(ValueError):
    """Every change must say why it was made."""


@dataclass(frozen=True)
class ChangeSet:
    user: object | None  # a User, or None for an anonymous system process
    reason: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)


_current: ContextVar[ChangeSet | None] = ContextVar("sahel_change_set", default=None)
_bulk_write_allowed: ContextVar[bool] = ContextVar("sahel_bulk_write_allowed", default=False)


def current_change_set() -> ChangeSet | None:
    return _current.get()


@contextmanager
def change_set(user, reason: str) -> Iterator[ChangeSet]:
    """Open a transaction in which tracked models may be written.

    Nested calls join the outer change set (one operation, one reason), so a service
    function can call another without splitting the history of one edit.
    """
    outer = _current.get()
    if outer is not None:
        with transaction.atomic():
            yield outer
        return
    reason = (reason or "").strip()
    if not reason:
        raise MissingReasonError("A change reason is required: say why you are making this change.")
    if user is not None and not getattr(user, "pk", None):
        raise ValueError("The acting user must be a saved user (or None for a system process).")
    current = ChangeSet(user=user, reason=reason)
    token = _current.set(current)
    try:
        with transaction.atomic():
            yield current
    finally:
        _current.reset(token)


def require_change_set(action: str, model: type[models.Model]) -> ChangeSet:
    current = _current.get()
    if current is None:
        raise UntrackedWriteError(
            f"{model.__name__}.{action}() outside a change set would not record who changed "
            f"what and why. Use the functions in sahel.services (create, update, publish, "
            f"withdraw, delete, restore), or wrap the write in sahel.history.change_set(user, "
            f"reason)."
        )
    return current


class HistoricalChange(models.Model):
    """Extra columns of every historical table."""

    change_set = models.UUIDField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Groups the history rows written by one operation.",
    )

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def _stamp_history_row(sender, history_instance, **kwargs):
    current = _current.get()
    if current is None:
        return
    history_instance.change_set = current.id
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = current.reason
    if history_instance.history_user_id is None and current.user is not None:
        history_instance.history_user = current.user


class TrackedQuerySet(models.QuerySet):
    """Refuses the QuerySet writes that django-simple-history does not record."""

    def _refuse(self, action: str) -> None:
        if not _bulk_write_allowed.get():
            raise UntrackedWriteError(
                f"{self.model.__name__}.objects.{action}() writes no revision history. "
                f"Use sahel.services.update() for one object or "
                f"sahel.history.bulk_{'create' if action == 'bulk_create' else 'update'}"
                f"_with_history() for many."
            )

    def update(self, **kwargs):
        self._refuse("update")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("bulk_update")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        self._refuse("bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):
        require_change_set("objects.delete", self.model)
        return super().delete()


@contextmanager
def _allow_bulk_writes() -> Iterator[None]:
    token = _bulk_write_allowed.set(True)
    try:
        yield
    finally:
        _bulk_write_allowed.reset(token)


def bulk_create_with_history(model, objs, *, batch_size: int = 1000):
    """Insert many objects with one history row each, inside the current change set."""
    current = require_change_set("bulk_create", model)
    objs = list(objs)
    for obj in objs:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.sync_derived_fields()
    with _allow_bulk_writes():
        return simple_history_utils.bulk_create_with_history(
            objs,
            model,
            batch_size=batch_size,
            default_user=current.user,
            default_change_reason=current.reason,
            custom_historical_attrs={"change_set": current.id},
        )


def bulk_update_with_history(model, objs, fields: list[str], *, batch_size: int = 1000) -> int:
    """Update many objects, each getting a new version and one history row.

    The versions the caller read are checked under a row lock, as for a single update.
    """
    from sahel.services import StaleEditError

    current = require_change_set("bulk_update", model)
    objs = list(objs)
    locked = dict(
        model.objects.select_for_update()
        .filter(pk__in=[obj.pk for obj in objs])
        .values_list("pk", "version")
    )
    for obj in objs:
        if obj.pk not in locked:
            raise model.DoesNotExist(f"{model.__name__} {obj.pk} no longer exists.")
        if locked[obj.pk] != obj.version:
            raise StaleEditError(obj, expected_version=obj.version, attempted={})
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.sync_derived_fields()
        obj.version += 1
    fields = sorted({*fields, "version", *model.derived_field_names()})
    with _allow_bulk_writes():
        simple_history_utils.bulk_update_with_history(
            objs,
            model,
            fields,
            batch_size=batch_size,
            default_user=current.user,
            default_change_reason=current.reason,
            custom_historical_attrs={"change_set": current.id},
        )
    return len(objs)
