"""The named write operations. Views, admin, GraphQL mutations and import commands call
these; nothing else writes.

Each takes the acting user (None only for a system process) and a reason, runs in one
transaction (a `sahel.history.change_set`), validates with `full_clean()`, and writes exactly
one history row per object it changes. Edits carry the version the editor read; a stale
version is refused under a row lock, and the refused values travel with the error so the
caller can give them back to the editor.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.apps import apps
from django.db import models
from django.db.models.deletion import ProtectedError, RestrictedError

from sahel.history import change_set
from sahel.models import ClaimModel, PublicationStatus, TrackedModel

T = TypeVar("T", bound=TrackedModel)


class StaleEditError(Exception):
    """Someone else saved the object after the editor read it."""

    def __init__(self, obj: TrackedModel, *, expected_version: int, attempted: dict):
        self.model = type(obj)
        self.pk = obj.pk
        self.expected_version = expected_version
        self.attempted = attempted  # what the editor tried to save: never lost
        latest = obj.history.filter(id=obj.pk).order_by("-history_date", "-history_id").first()
        self.current_version = latest.version if latest else None
        self.last_change = latest
        who = getattr(latest, "history_user", None) if latest else None
        detail = ""
        if latest is not None:
            detail = (
                f" It was changed by {who or 'a system process'} at "
                f"{latest.history_date:%Y-%m-%d %H:%M:%S} UTC"
                f" ({latest.history_change_reason!r})."
            )
        super().__init__(
            f"{self.model.__name__} {obj.pk} has changed since you read it: you edited version "
            f"{expected_version}, it is now at version {self.current_version}.{detail} "
            f"Your changes were not saved; reload and apply them again."
        )


class NotDeletedError(Exception):
    pass


class RestoreError(Exception):
    pass


class DeleteProtectedError(Exception):
    pass


def _lock(obj: T) -> T:
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _check_version(current: TrackedModel, expected_version: int | None, attempted: dict) -> None:
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(current, expected_version=expected_version, attempted=attempted)


def create(model: type[T], *, user, reason: str, **fields) -> T:
    """Create one object (status defaults to draft for claims)."""
    with change_set(user, reason):
        obj = model(**fields)
        obj.full_clean()
        obj.save(force_insert=True)
        return obj


def update(obj: T, *, user, reason: str, expected_version: int | None, **changes) -> T:
    """Apply `changes` to the current row if it is still at `expected_version`.

    `expected_version=None` skips the check: only for system processes that just read
    the row themselves inside the same transaction (importers). Returns the saved object;
    when nothing changed, nothing is written.
    """
    with change_set(user, reason):
        current = _lock(obj)
        _check_version(current, expected_version, changes)
        changed = []
        for name, value in changes.items():
            field = current._meta.get_field(name)
            if field.is_relation and isinstance(value, models.Model):
                if getattr(current, field.attname) != value.pk:
                    setattr(current, field.name, value)
                    changed.append(name)
            elif getattr(current, field.attname) != value:
                setattr(current, field.attname, value)
                changed.append(name)
        if not changed:
            return current
        current.full_clean()
        current.version += 1
        current.save()
        return current


def publish(obj: ClaimModel, *, user, reason: str, expected_version: int | None) -> ClaimModel:
    return _set_status(obj, PublicationStatus.PUBLISHED, user, reason, expected_version)


def withdraw(obj: ClaimModel, *, user, reason: str, expected_version: int | None) -> ClaimModel:
    return _set_status(obj, PublicationStatus.WITHDRAWN, user, reason, expected_version)


def _set_status(obj, status, user, reason, expected_version):
    if not isinstance(obj, ClaimModel):
        raise TypeError(f"{type(obj).__name__} has no publication status.")
    return update(obj, user=user, reason=reason, expected_version=expected_version, status=status)


def delete(obj: TrackedModel, *, user, reason: str, expected_version: int | None) -> int:
    """Delete an object and what depends on it (names, citations, ties ...).

    Every deleted row gets a '-' history row in one change set, so `restore()` can bring
    them all back. Returns the number of rows deleted.
    """
    with change_set(user, reason):
        current = _lock(obj)
        _check_version(current, expected_version, {})
        try:
            count, _ = current.delete()
        except (ProtectedError, RestrictedError) as exc:
            blockers = sorted({f"{type(o).__name__} {o.pk} ({o})" for o in exc.args[1]})
            raise DeleteProtectedError(
                f"{type(obj).__name__} {obj.pk} is still referred to by: {', '.join(blockers)}. "
                f"Delete or re-point those first."
            ) from exc
        return count


def restore(model: type[T], pk: int, *, user, reason: str) -> T:
    """Bring back a deleted object and everything its deletion removed with it."""
    history = model.history.model
    last = history.objects.filter(id=pk).order_by("-history_date", "-history_id").first()
    if last is None:
        raise model.DoesNotExist(f"{model.__name__} {pk} never existed.")
    if last.history_type != "-":
        raise NotDeletedError(f"{model.__name__} {pk} is not deleted.")
    with change_set(user, reason):
        restored_root = None
        for tracked in _restore_order():
            # Deletions happen only inside a change set, so the set names all that went.
            deletions = tracked.history.filter(history_type="-", change_set=last.change_set)
            for record in deletions.order_by("history_id"):
                if tracked.objects.filter(pk=record.id).exists():
                    continue
                instance = record.instance
                _check_restorable(instance)
                instance.version += 1
                instance.save(force_insert=True)
                if tracked is model and record.id == pk:
                    restored_root = instance
        return restored_root


def _check_restorable(instance: TrackedModel) -> None:
    for field in instance._meta.concrete_fields:
        if not field.is_relation or not field.many_to_one:
            continue
        target_id = getattr(instance, field.attname)
        if target_id is None:
            continue
        manager = field.related_model._base_manager
        if not manager.filter(pk=target_id).exists():
            raise RestoreError(
                f"Cannot restore {type(instance).__name__} {instance.pk}: its {field.name} "
                f"({field.related_model.__name__} {target_id}) no longer exists. Restore that "
                f"first."
            )


def tracked_models() -> list[type[TrackedModel]]:
    return [m for m in apps.get_models() if issubclass(m, TrackedModel)]


def _restore_order() -> list[type[TrackedModel]]:
    """Tracked models with every model after those it has foreign keys to; models with a
    generic foreign key (citations) last, after any model they may point to."""
    pending = tracked_models()
    generic = [
        m
        for m in pending
        if any(
            f.is_relation and f.many_to_one and f.related_model is None
            for f in m._meta.get_fields()
        )
    ]
    pending = [m for m in pending if m not in generic]
    ordered: list[type[TrackedModel]] = []
    while pending:
        for model in pending:
            deps = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in pending and f.related_model is not model
            }
            if not deps:
                ordered.append(model)
                pending.remove(model)
                break
        else:  # a cycle between models: keep the remaining order
            ordered += pending
            break
    return ordered + generic


def bulk_create(model: type[T], objs: Iterable[T], *, user, reason: str) -> list[T]:
    from sahel.history import bulk_create_with_history

    with change_set(user, reason):
        return bulk_create_with_history(model, objs)


def bulk_update(model: type[T], objs: Iterable[T], fields: list[str], *, user, reason: str) -> int:
    from sahel.history import bulk_update_with_history

    with change_set(user, reason):
        return bulk_update_with_history(model, objs, fields)


__all__ = [
    "DeleteProtectedError",
    "NotDeletedError",
    "RestoreError",
    "StaleEditError",
    "bulk_create",
    "bulk_update",
    "create",
    "delete",
    "publish",
    "restore",
    "update",
    "withdraw",
]
