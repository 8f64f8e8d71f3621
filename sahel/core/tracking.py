"""What every tracked model is built from, below the change-set machinery of
`sahel.core.history`: the context a write must run in (the current change set), the errors
that refuse untracked and stale writes, the query set that refuses bulk writes, and the
extra columns of every history table. Nothing here reads or writes a model.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models


class UntrackedWriteError(RuntimeError):
    """A write that would bypass the revision history."""


class MissingReasonError(ValueError):
    """Every change must say why it was made."""


class StaleEditError(Exception):
    """Someone else saved the object after the editor read it. The editor's attempted
    values travel with the error (`attempted`) so that nothing they typed is lost."""

    def __init__(self, obj, *, expected_version: int | None, attempted: dict):
        self.model = type(obj)
        self.pk = obj.pk
        self.expected_version = expected_version
        self.attempted = attempted
        latest = (
            self.model.history.filter(id=obj.pk).order_by("-history_date", "-history_id").first()
        )
        self.current_version = latest.version if latest else None
        self.last_change = latest
        detail = ""
        if latest is not None:
            who = latest.history_user or "a system process"
            detail = (
                f" It was changed by {who} at {latest.history_date:%Y-%m-%d %H:%M:%S} UTC"
                f" ({latest.history_change_reason!r})."
            )
        super().__init__(
            f"{self.model.__name__} {obj.pk} has changed since you read it: you edited version "
            f"{expected_version}, it is now at version {self.current_version}.{detail} "
            f"Your changes were not saved; reload and apply them again."
        )


@dataclass
class ChangeSet:
    user: object | None  # a User, or None for an anonymous system process
    reason: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    history_models: set = field(default_factory=set)


_current: ContextVar[ChangeSet | None] = ContextVar("sahel_change_set", default=None)
_bulk_write_allowed: ContextVar[bool] = ContextVar("sahel_bulk_write_allowed", default=False)


def current_change_set() -> ChangeSet | None:
    return _current.get()


def require_change_set(action: str, model: type[models.Model]) -> ChangeSet:
    current = _current.get()
    if current is None:
        raise UntrackedWriteError(
            f"{model.__name__}.{action}() outside a change set would not record who changed "
            f"what and why. Use the functions in sahel.core.services (create, update, publish, "
            f"withdraw, delete, restore)."
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
    history_end = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When this state was superseded: the history_date of the object's next row "
        "(null while it is the latest). A row is the object's state at T when "
        "history_date <= T < history_end.",
    )

    class Meta:
        abstract = True


class TrackedQuerySet(models.QuerySet):
    """Refuses the QuerySet writes that django-simple-history does not record."""

    def _refuse(self, action: str) -> None:
        if not _bulk_write_allowed.get():
            raise UntrackedWriteError(
                f"{self.model.__name__}.objects.{action}() writes no revision history. "
                f"Use sahel.core.services.update() for one object, or "
                f"sahel.core.services.bulk_create() / bulk_update() for many."
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
