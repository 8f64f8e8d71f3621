"""Change sets: the one way anything is written.

Every write runs inside `change_set(user, reason)`: a database transaction plus a context
that stamps each history row written in it with the acting user, the reason and a shared
change-set id. Cascaded deletes, bulk writes and signal-driven history rows all pick the
context up. When the change set closes (the end of its transaction, or of the enclosing
`one_transaction()`), every history row of it gets one timestamp taken then, so `as_of`
sees a change set whole or not at all, and the change set gets the next number of the
change-set log (`sahel.core.models.ChangeSetLog`) under a lock held until it commits: numbers
follow commit order, which the change feed reads by.

Writes that would escape the history are refused with `UntrackedWriteError`:
`save()`/`delete()` outside a change set (signals catch the paths that skip `save()`:
related managers, `loaddata`), raw saves, saves that skip their history row, and
`QuerySet.update()` / `bulk_create()` / `bulk_update()` on tracked models, including
through the base manager Django uses for related objects. Bulk writes go through
`bulk_create_with_history` / `bulk_update_with_history` below.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history import utils as simple_history_utils
from simple_history.signals import pre_create_historical_record

from sahel.core.models import ChangeSetLog, CommitOrderLock, TrackedModel, tracked_models
from sahel.core.tracking import (
    ChangeSet,
    MissingReasonError,
    StaleEditError,
    UntrackedWriteError,
    _allow_bulk_writes,
    _current,
    current_change_set,
    require_change_set,
)

__all__ = [  # the change-set API, with the errors it raises
    "MissingReasonError",
    "StaleEditError",
    "UntrackedWriteError",
    "change_set",
    "current_change_set",
    "one_transaction",
]

_unstamped: ContextVar[list | None] = ContextVar("sahel_unstamped_change_sets", default=None)


@contextmanager
def change_set(user, reason: str) -> Iterator[ChangeSet]:
    """Open a transaction in which tracked models may be written.

    A nested call joins the outer change set (one operation, one reason), so a service
    function can call another without splitting one edit's history; it may not act as
    another user.
    """
    outer = _current.get()
    if outer is not None:
        if user is not None and outer.user is not None and user.pk != outer.user.pk:
            raise ValueError(f"A change set by {outer.user} cannot contain changes by {user}.")
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
            if (pending := _unstamped.get()) is not None:
                pending.append(current)  # stamped when the shared transaction ends
            elif not transaction.get_rollback():
                _number_and_stamp([current])
    finally:
        _current.reset(token)


@contextmanager
def one_transaction() -> Iterator[None]:
    """Several change sets (each with its own reason) committed together, as the dataset
    loader does: they are stamped at the end, in the order they were opened, so that no
    stamp is older than the commit by more than a moment."""
    if _unstamped.get() is not None:
        raise RuntimeError("one_transaction() cannot be nested.")
    pending: list[ChangeSet] = []
    token = _unstamped.set(pending)
    try:
        with transaction.atomic():
            yield
            if transaction.get_rollback():
                return  # nothing will be committed, so nothing to stamp
            _number_and_stamp(pending)
    finally:
        _unstamped.reset(token)


def _number_and_stamp(change_sets: list[ChangeSet]) -> None:
    """Number the change sets in commit order and give every history row of each one
    timestamp, as late as possible.

    The numbers and stamps are taken under a lock (one row, SELECT ... FOR UPDATE) that is
    held until the transaction commits, so a change set that takes a higher number commits
    after every lower one: the change feed, which reads by number, never passes over a
    slow committer. (SQLite serialises writers anyway.)"""
    written = [current for current in change_sets if current.history_models]
    if not written:
        return
    CommitOrderLock.objects.bulk_create([CommitOrderLock(pk=1)], ignore_conflicts=True)
    CommitOrderLock.objects.select_for_update().get(pk=1)
    latest = ChangeSetLog.objects.order_by("-seq").values_list("seq", "time").first()
    last, last_time = latest or (0, None)
    base = timezone.now()
    if last_time is not None and base <= last_time:
        # The wall clock stepped back (NTP), or this host's lags another's: stamps must still
        # follow commit order, or a row would be stamped before the row it supersedes and
        # its range overlap that row's ([history_date, history_end): two states at once).
        base = last_time + datetime.timedelta(microseconds=1)
    touched: dict = {}
    for order, current in enumerate(written, start=1):
        instant = base + datetime.timedelta(microseconds=order - 1)
        for history_model in current.history_models:
            history_model._default_manager.filter(change_set=current.id).update(
                history_date=instant
            )
            touched.setdefault(history_model, []).append(current.id)
        ChangeSetLog.objects.create(
            seq=last + order, change_set=current.id, time=instant, reason=current.reason
        )
    for history_model, change_set_ids in touched.items():
        close_superseded_rows(history_model, change_set_ids)


def later_rows(history_model) -> QuerySet:
    """Rows of the same object after the outer row, in (history_date, history_id) order:
    the order in which `as_of` reads them (rows of one change set share a timestamp)."""
    return history_model._default_manager.filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")),
        id=OuterRef("id"),
    )


def close_superseded_rows(history_model, change_set_ids: list | None = None) -> int:
    """Set `history_end` of the rows the given change sets superseded (every row, when
    None): the date of the object's next row, which is the earliest of the later rows.
    Called when change sets are stamped, so `history_end` is right once they commit; the
    latest row of each object stays open (null)."""
    rows = history_model._default_manager
    later = later_rows(history_model)
    first_later = (
        later.order_by().values("id").annotate(first=Min("history_date")).values("first")[:1]
    )
    superseded = rows.filter(history_end__isnull=True).filter(Exists(later))
    if change_set_ids is not None:
        superseded = superseded.filter(
            id__in=rows.filter(change_set__in=change_set_ids).values("id")
        )
    return superseded.update(history_end=Subquery(first_later))


@receiver(pre_create_historical_record)
def _stamp_history_row(sender, history_instance, **kwargs):
    current = _current.get()
    if current is None:
        return
    current.history_models.add(sender)
    history_instance.change_set = current.id
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = current.reason
    if current.user is not None:
        # The change set's user wins over the request middleware's guess.
        history_instance.history_user = current.user


def is_tracked(model) -> bool:
    return isinstance(model, type) and issubclass(model, TrackedModel)


@receiver(pre_save)
def _guard_save(sender, instance, raw=False, **kwargs):
    if not is_tracked(sender):
        return
    if raw:
        raise UntrackedWriteError(
            f"Raw saves of {sender.__name__} (loaddata) write no history: use "
            f"`manage.py load_dataset`."
        )
    require_change_set("save", sender)
    if getattr(instance, "skip_history_when_saving", False):
        raise UntrackedWriteError(f"{sender.__name__} cannot be saved without its history row.")


@receiver(pre_delete)
def _guard_delete(sender, instance, **kwargs):
    if is_tracked(sender):
        require_change_set("delete", sender)
        _read_again_locked(sender, instance)


def _read_again_locked(model, instance) -> None:
    """The deletion's history row is written from `instance` (django-simple-history's
    post_delete). A cascade collects its rows before it locks them, so a row edited and
    committed meanwhile (a name withdrawn while its actor is deleted) would be recorded as
    it was read: published, and `as_of` would show the withdrawn claim again. Read it again
    under a row lock, as it is deleted."""
    columns = [field.attname for field in model._meta.concrete_fields]
    current = (
        model._base_manager.select_for_update().filter(pk=instance.pk).values(*columns).first()
    )
    for name, value in (current or {}).items():
        setattr(instance, name, value)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def _keep_authors(sender, instance, **kwargs):
    """History rows name their author; deleting the account would erase that."""
    for model in tracked_models():
        if model.history.filter(history_user_id=instance.pk).exists():
            raise UntrackedWriteError(
                f"User {instance} wrote {model.__name__} history and cannot be deleted: "
                f"deactivate the account instead."
            )


def bulk_create_with_history(model, objs, *, batch_size: int = 1000, validate: bool = True):
    """Insert many objects with one history row each, inside the current change set.
    `validate=False` skips `full_clean()` (and nothing else): for generated data only, whose
    values are valid by construction (it is most of the cost of a large insert)."""
    current = require_change_set("bulk_create", model)
    objs = list(objs)
    for obj in objs:
        if validate:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.sync_derived_fields()
    current.history_models.add(model.history.model)
    with _allow_bulk_writes():
        created = simple_history_utils.bulk_create_with_history(
            objs,
            model,
            batch_size=batch_size,
            default_user=current.user,
            default_change_reason=current.reason,
            custom_historical_attrs={"change_set": current.id},
        )
    model.after_write(objs)
    return created


def bulk_update_with_history(model, objs, fields: list[str], *, batch_size: int = 1000) -> int:
    """Update `fields` of many objects, each getting a new version and one history row.

    The versions the caller read are checked under a row lock, as for a single update, and
    the history rows are written from the rows as stored, not from the objects in memory.
    """
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
            raise StaleEditError(
                obj,
                expected_version=obj.version,
                attempted={name: getattr(obj, name) for name in fields},
            )
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.sync_derived_fields()
        obj.version += 1
    fields = sorted({*fields, "version", *model.derived_field_names()})
    with _allow_bulk_writes():
        model.objects.bulk_update(objs, fields, batch_size=batch_size)
    model.after_write(objs)
    stored = list(model.objects.filter(pk__in=[obj.pk for obj in objs]))
    current.history_models.add(model.history.model)
    model.history.bulk_history_create(
        stored,
        batch_size=batch_size,
        update=True,
        default_user=current.user,
        default_change_reason=current.reason,
        custom_historical_attrs={"change_set": current.id},
    )
    return len(objs)


def history_end_backfill(app_label: str, *history_model_names: str):
    """A migration operation filling `history_end` of the rows written before the column
    existed (the same rule as when change sets are stamped)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        for name in history_model_names:
            close_superseded_rows(apps.get_model(app_label, name))

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
