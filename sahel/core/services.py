"""The named write operations. Views, admin, GraphQL mutations and import commands call
these; nothing else writes.

Each takes the acting user (None only for a system process) and a reason, runs in one
transaction (a `sahel.core.history.change_set`), validates with `full_clean()`, and writes exactly
one history row per object it changes. Edits carry the version the editor read; a stale
version is refused under a row lock, and the refused values travel with the error
(`StaleEditError.attempted`) so the caller can give them back to the editor.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.deletion import ProtectedError, RestrictedError

from sahel.core import history
from sahel.core.history import StaleEditError, change_set
from sahel.core.models import ClaimModel, PublicationStatus, TrackedModel, tracked_models

T = TypeVar("T", bound=TrackedModel)


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
    """Create one object (claims start as drafts unless `status` says otherwise)."""
    with change_set(user, reason):
        obj = model(**fields)
        obj.full_clean()
        obj.save(force_insert=True)
        return obj


def update(obj: T, *, user, reason: str, expected_version: int | None, **changes) -> T:
    """Apply `changes` to the stored row if it is still at `expected_version`.

    `expected_version=None` skips the check: only for system processes that read the row
    themselves just before (importers). Returns the stored object; when nothing changes,
    nothing is written.
    """
    model = type(obj)
    for name in changes:
        field = model._meta.get_field(name)
        if not field.editable or field.primary_key:
            raise ValueError(f"{model.__name__}.{name} is not editable (it is kept by the system).")
    with change_set(user, reason):
        current = _lock(obj)
        _check_version(current, expected_version, changes)
        changed = False
        for name, value in changes.items():
            field = model._meta.get_field(name)
            if field.is_relation and isinstance(value, models.Model):
                if getattr(current, field.attname) != value.pk:
                    setattr(current, field.name, value)
                    changed = True
                continue
            try:
                value = field.to_python(value)
            except ValidationError as exc:
                raise ValidationError({name: exc.messages}) from None
            if getattr(current, field.attname) != value:
                setattr(current, field.attname, value)
                changed = True
        if not changed:
            return current
        current.full_clean()
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

    Every deleted row gets a '-' history row in one change set; `restore()` brings them
    back. Returns the number of rows deleted.
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
    """Bring back a deleted object and what its deletion removed with it: the rows deleted
    in the same change set that depended on it, directly or through one another."""
    with change_set(user, reason):
        last = (
            model.history.select_for_update()
            .filter(id=pk)
            .order_by("-history_date", "-history_id")
            .first()
        )
        if last is None:
            raise model.DoesNotExist(f"{model.__name__} {pk} never existed.")
        if last.history_type != "-":
            raise NotDeletedError(f"{model.__name__} {pk} is not deleted.")
        pending = _deleted_with(model, last)
        restored = {}
        while pending:  # parents before children, whatever the models
            ready = [r for r in pending if _references_resolved(r.instance, pending)]
            if not ready:
                _check_restorable(pending[0].instance)  # names what is missing
                raise RestoreError("The deleted rows refer to one another in a cycle.")
            for record in ready:
                instance = record.instance
                _check_restorable(instance)
                instance.version += 1
                instance.save(force_insert=True)
                restored[type(instance), instance.pk] = instance
                pending.remove(record)
        return restored[model, pk]


def _deleted_with(model, deletion) -> list:
    """The deletion record of (model, pk) plus the records of rows deleted in the same
    change set that referred to it, transitively."""
    found = [deletion]
    keys = {(model, deletion.id)}
    candidates = [
        (m, record)
        for m in tracked_models()
        for record in m.history.filter(history_type="-", change_set=deletion.change_set)
        if (m, record.id) not in keys
    ]
    grew = True
    while grew:
        grew = False
        for m, record in list(candidates):
            if any(target in keys for target in _targets(record.instance)):
                found.append(record)
                keys.add((m, record.id))
                candidates.remove((m, record))
                grew = True
    return found


def _targets(instance) -> list[tuple[type, int]]:
    """(model, pk) of everything `instance` refers to."""
    targets = []
    for field in instance._meta.get_fields():
        if isinstance(field, GenericForeignKey):
            content_type_id = getattr(instance, field.ct_field + "_id")
            if content_type_id:
                from django.contrib.contenttypes.models import ContentType

                target_model = ContentType.objects.get_for_id(content_type_id).model_class()
                targets.append((target_model, getattr(instance, field.fk_field)))
        elif field.concrete and field.many_to_one:
            value = getattr(instance, field.attname)
            if value is not None:
                targets.append((field.related_model, value))
    return targets


def _references_resolved(instance, pending) -> bool:
    waiting = {(type(r.instance), r.id) for r in pending}
    return not any(target in waiting for target in _targets(instance))


def _check_restorable(instance: TrackedModel) -> None:
    for target_model, target_id in _targets(instance):
        if target_model is None or not target_model._base_manager.filter(pk=target_id).exists():
            name = target_model.__name__ if target_model else "object"
            raise RestoreError(
                f"Cannot restore {type(instance).__name__} {instance.pk}: it refers to "
                f"{name} {target_id}, which no longer exists. Restore that first."
            )
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except ValidationError as exc:
        raise RestoreError(
            f"Cannot restore {type(instance).__name__} {instance.pk}: {'; '.join(exc.messages)}"
        ) from None


def revert(
    model: type[T],
    pk: int,
    history_id: int,
    *,
    user,
    reason: str,
    expected_version: int | None,
    parts: Iterable[tuple[type[TrackedModel], str]] = (),
) -> T:
    """Bring object `pk` back to the content of one of its revisions (`history_id`),
    citations included, and the rows of each of `parts` ((model, foreign key to `model`):
    an actor's names and identifiers) as they stood then: rows added since are deleted,
    those deleted since are restored, those edited since get their old values back. All in
    one change set.

    The publication status is not reverted (the object's, its parts'): publishing and
    withdrawing stay reviewers' decisions (`publish`, `withdraw`).
    """
    from sahel.core.models import CitableModel

    with change_set(user, reason):
        record = model.history.get(id=pk, history_id=history_id)
        if record.history_type == "-":
            raise RestoreError(f"That revision is the deletion of {model.__name__} {pk}.")
        live = model.objects.filter(pk=pk).first()
        if live is None:
            raise model.DoesNotExist(f"{model.__name__} {pk} is deleted: restore it first.")
        obj = update(
            live,
            user=user,
            reason=reason,
            expected_version=expected_version,
            **_revision_values(record, skip={"status"}),
        )
        if issubclass(model, CitableModel):
            _revert_citations(model, pk, record.history_date, user=user, reason=reason)
        for part_model, fk in parts:
            revert_rows(
                part_model, {fk: pk}, record.history_date, user=user, reason=reason, apply=True
            )
        return obj


def _revision_values(record, *, skip=frozenset()) -> dict:
    model = record.instance_type
    return {
        f.name: getattr(record, f.attname)
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in skip
    }


def revert_rows(model, condition: dict, instant, *, user=None, reason="", apply=False) -> dict:
    """The rows of `model` selected by `condition` (e.g. {"actor": 12}) as they stood at
    `instant`, against now: {"deleted": live rows added since, "restored": historical rows
    of rows deleted since, "changed": [(live row, historical row)] edited since}. With
    `apply`, makes it so (inside the caller's change set): deletes, restores, and gives
    back the old values (the publication status excepted)."""
    from sahel.core.selectors import rows_as_of

    then = {row.id: row for row in rows_as_of(model, instant).filter(**condition)}
    now = {obj.pk: obj for obj in model.objects.filter(**condition)}
    skip = {"status"}
    plan = {
        "deleted": [obj for pk, obj in now.items() if pk not in then],
        "restored": [row for pk, row in then.items() if pk not in now],
        "changed": [
            (now[pk], row) for pk, row in then.items() if pk in now and _differs(now[pk], row, skip)
        ],
    }
    if not apply:
        return plan
    for obj in plan["deleted"]:
        delete(obj, user=user, reason=reason, expected_version=obj.version)
    for row in plan["restored"]:
        restored = restore(model, row.id, user=user, reason=reason)
        update(
            restored,
            user=user,
            reason=reason,
            expected_version=restored.version,
            **_revision_values(row, skip=skip),
        )
    for obj, row in plan["changed"]:
        update(
            obj,
            user=user,
            reason=reason,
            expected_version=obj.version,
            **_revision_values(row, skip=skip),
        )
    return plan


def _differs(obj, row, skip) -> bool:
    return any(
        getattr(obj, f.attname) != getattr(row, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in skip
    )


def _revert_citations(model, pk, instant, *, user, reason) -> None:
    from django.contrib.contenttypes.models import ContentType

    from sources.models import Citation

    content_type = ContentType.objects.get_for_model(model)
    revert_rows(
        Citation,
        {"content_type": content_type, "object_id": pk},
        instant,
        user=user,
        reason=reason,
        apply=True,
    )


def bulk_create(model: type[T], objs: Iterable[T], *, user, reason: str) -> list[T]:
    with change_set(user, reason):
        return history.bulk_create_with_history(model, objs)


def bulk_update(model: type[T], objs: Iterable[T], fields: list[str], *, user, reason: str) -> int:
    with change_set(user, reason):
        return history.bulk_update_with_history(model, objs, fields)


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
    "revert",
    "revert_rows",
    "update",
    "withdraw",
]
