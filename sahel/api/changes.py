"""Public history and the change feed, computed from the public representation itself.

A change set changes a resource object (an actor, an affiliation ...) when it writes any
row its representation is built from: the object's own row, the rows it refers to (an
affiliation's actors), its children (an actor's names, an event's participants) and the
citations of all of these. For each such change set the object is projected publicly just
before and at the change set's instant (`as_of`, through the shared selectors), and the
two are compared:

- not public → public: "created"; public → public and different: "updated" with the
  changed fields; public → not public (unpublished, withdrawn, deleted, or hidden with a
  related object): "removed", without content.
- Changes that leave the public representation as it was (edits of drafts, of editorial
  notes) do not appear at all, so the history and the feed cannot leak hidden content.
"""

import base64
import binascii
import datetime
import uuid
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from sahel import selectors
from sahel.api.projection import Projection
from sahel.models import ChangeSetLog, tracked_models

BEFORE = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class ChangeSetInfo:
    id: uuid.UUID
    time: datetime.datetime
    reason: str
    seq: int = 0  # its place in commit order (sahel.models.ChangeSetLog)


def snapshots(projection: type[Projection], ids, instant) -> dict:
    """id -> public representation at `instant`, for those of `ids` public then."""
    rows = list(
        selectors.public(projection.model, as_of=instant)
        .filter(id__in=list(ids))
        .values(*projection.columns())
    )
    return {item["id"]: item for item in projection.build_rows(rows, as_of=instant)}


def diff(before: dict, after: dict) -> dict:
    """Field -> {old, new}; lists of items with ids -> added / removed / changed."""
    changes = {}
    for name in after:
        old, new = before.get(name), after[name]
        if old == new:
            continue
        if isinstance(new, list) and isinstance(old, list) and _has_ids(old + new):
            old_items = {item["id"]: item for item in old}
            new_items = {item["id"]: item for item in new}
            changes[name] = {
                "added": [new_items[i] for i in new_items if i not in old_items],
                "removed": [old_items[i] for i in old_items if i not in new_items],
                "changed": [
                    {"id": i, "changes": diff(old_items[i], new_items[i])}
                    for i in new_items
                    if i in old_items and old_items[i] != new_items[i]
                ],
            }
        else:
            changes[name] = {"old": old, "new": new}
    return changes


def _has_ids(items) -> bool:
    return all(isinstance(item, dict) and "id" in item for item in items)


def compare(projection, ids, change: ChangeSetInfo) -> list[dict]:
    """What the change set did to the public representation of each of `ids`."""
    before = snapshots(projection, ids, change.time - BEFORE)
    after = snapshots(projection, ids, change.time)
    # Claims withdrawn since are hidden from past snapshots; that they were public just
    # before (and so were removed) is still told, without their content.
    was_public = _public_ids(projection, ids, change.time - BEFORE)
    is_public = _public_ids(projection, ids, change.time)
    entries = []
    for pk in sorted(ids):
        old, new = before.get(pk), after.get(pk)
        entry = {"time": change.time.isoformat(), "reason": change.reason, "id": pk}
        if new is None and pk in was_public and pk not in is_public:
            # No reason: it usually speaks of what is now hidden.
            entries.append({"time": entry["time"], "id": pk, "action": "removed"})
            continue
        if old == new:
            continue
        if new is None:
            entries.append({"time": entry["time"], "id": pk, "action": "removed"})
        elif old is None:
            entries.append({**entry, "action": "created", "data": new})
        else:
            entries.append({**entry, "action": "updated", "changes": diff(old, new), "data": new})
    return entries


def _public_ids(projection, ids, instant) -> set:
    return set(
        selectors.public(projection.model, as_of=instant, ignore_later_withdrawals=True)
        .filter(id__in=list(ids))
        .values_list("id", flat=True)
    )


# -- which change sets touch an object (for its history) -------------------------------------


def _history_rows(model, condition: Q):
    """History rows selected by `condition` that may have changed what the public sees:
    rows of hidden work (drafts, their citations ...) are left out in SQL, so neither the
    history nor the feed spends anything on them."""
    return selectors.history_rows_maybe_public(model).filter(condition)


def change_sets_touching(projection: type[Projection], pk) -> list[ChangeSetInfo]:
    change_set_ids = set()
    _collect(projection, Q(id=pk), change_set_ids)
    return _change_set_info(change_set_ids)


def _collect(projection, rows: Q, found: set) -> None:
    """Change sets of the rows selected by `rows` and of everything their projection
    shows: referenced rows, children, citations."""
    own = _history_rows(projection.model, rows)
    found.update(own.values_list("change_set", flat=True))
    ids = set(own.values_list("id", flat=True))
    for name, ref in projection.refs.items():
        ref_ids = set(own.values_list(f"{name}_id", flat=True)) - {None}
        found.update(
            _history_rows(ref.model, Q(id__in=ref_ids)).values_list("change_set", flat=True)
        )
    for child in projection.children.values():
        _collect(child.projection, Q(**{f"{child.fk}_id__in": ids}), found)
    if projection.cited:
        from sources.models import Citation, Source

        content_type = ContentType.objects.get_for_model(projection.model)
        cites = _history_rows(Citation, Q(content_type_id=content_type.pk, object_id__in=ids))
        found.update(cites.values_list("change_set", flat=True))
        # The cited sources' own changes show in the citations' source summaries.
        source_ids = set(cites.values_list("source_id", flat=True))
        found.update(
            _history_rows(Source, Q(id__in=source_ids)).values_list("change_set", flat=True)
        )


def _change_set_info(ids) -> list[ChangeSetInfo]:
    """The change sets among `ids` that may have changed public data, in commit order."""
    rows = ChangeSetLog.objects.filter(change_set__in=set(ids) - {None})
    return _infos(rows)


def _infos(log_rows) -> list[ChangeSetInfo]:
    """Log rows of change sets that wrote a row that may have been public (one query)."""
    maybe_public = Q(pk__in=[])
    for model in tracked_models():
        maybe_public |= Q(
            Exists(
                selectors.history_rows_maybe_public(model).filter(change_set=OuterRef("change_set"))
            )
        )
    rows = log_rows.filter(maybe_public).order_by("seq")
    return [
        ChangeSetInfo(change_set, time, reason, seq)
        for seq, change_set, time, reason in rows.values_list("seq", "change_set", "time", "reason")
    ]


def object_history(projection: type[Projection], pk) -> list[dict]:
    entries = []
    for change in change_sets_touching(projection, pk):
        entries += compare(projection, [pk], change)
    return entries


# -- which objects a change set touches (for the feed) ---------------------------------------


def objects_touched(change_set_id, resources: dict[str, type[Projection]]) -> dict:
    """resource name -> ids of the objects whose representation reads a row written in
    the change set."""
    written = {}  # model -> ids written
    for model in tracked_models():
        ids = set(_history_rows(model, Q(change_set=change_set_id)).values_list("id", flat=True))
        if ids:
            written[model] = ids
    touched = {}
    for name, projection in resources.items():
        if owners := _owners(projection, written):
            touched[name] = owners
    return touched


def _owners(projection, written: dict) -> set:
    """Ids of `projection.model` rows whose representation reads any written row."""
    model = projection.model
    owners = set(written.get(model, ()))
    for name, ref in projection.refs.items():
        if ref.model in written:
            owners |= _ids_ever(model, Q(**{f"{name}_id__in": written[ref.model]}))
    for child in projection.children.values():
        child_ids = _owners(child.projection, written)
        if child_ids:
            owners |= set(
                _history_rows(child.projection.model, Q(id__in=child_ids)).values_list(
                    f"{child.fk}_id", flat=True
                )
            )
    if projection.cited:
        from sources.models import Citation, Source

        content_type = ContentType.objects.get_for_model(model)
        cite_rows = Q()
        if Citation in written:
            cite_rows |= Q(id__in=written[Citation])
        if Source in written:
            cite_rows |= Q(source_id__in=written[Source])
        if cite_rows:
            owners |= set(
                _history_rows(Citation, cite_rows & Q(content_type_id=content_type.pk)).values_list(
                    "object_id", flat=True
                )
            )
    return owners


def _ids_ever(model, condition: Q) -> set:
    return set(_history_rows(model, condition).values_list("id", flat=True))


def change_sets_after(after: int, limit: int) -> list[ChangeSetInfo]:
    """Up to `limit` committed change sets numbered after `after`, in commit order, leaving
    out (in SQL) those that wrote nothing that may have been public."""
    return _infos(ChangeSetLog.objects.filter(seq__gt=after))[:limit]


def _resume_after(cursor) -> int:
    """The log number a cursor ((time, change set)) resumes after."""
    if cursor is None:
        return 0
    time, change_set = cursor
    seq = ChangeSetLog.objects.filter(change_set=change_set).values_list("seq", flat=True)
    if seq:
        return seq[0]
    # The start of the feed, or a cursor of an older feed: after what was stamped by then.
    older = ChangeSetLog.objects.filter(time__lte=time).order_by("-seq")
    return older.values_list("seq", flat=True).first() or 0


# The cursor of a feed with no public change set yet: it names none.
FEED_START = (datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC), uuid.UUID(int=0))


def feed_page(cursor, limit: int, resources: dict) -> tuple[list[dict], tuple, bool]:
    """Entries of up to `limit` change sets that changed public data, after `cursor`.

    Change sets without public effect (draft edits) are passed over, and no cursor ever
    names one: the page ends on the last public change set (when the feed is exhausted
    and the page has none: the cursor it was asked from, or the start of the feed).
    Returns (entries, next cursor, exhausted).
    """
    entries, public_sets, scanned = [], 0, _resume_after(cursor)
    last_public = None
    while public_sets < limit:
        batch = change_sets_after(scanned, limit)
        if not batch:
            # Stable while nothing public happens, so the last page can answer 304.
            return entries, last_public or cursor or FEED_START, True
        for change in batch:
            scanned = change.seq
            found = [
                {"cursor": encode_cursor(change), "resource": resource, **entry}
                for resource, ids in objects_touched(change.id, resources).items()
                for entry in compare(resources[resource], ids, change)
            ]
            if found:
                entries += found
                public_sets += 1
                last_public = (change.time, change.id)
                if public_sets == limit:
                    break
    return entries, last_public, False


def encode_cursor(change) -> str:
    """`change`: a ChangeSetInfo or a (time, id) pair."""
    time, change_set = (change.time, change.id) if isinstance(change, ChangeSetInfo) else change
    raw = f"{time.isoformat()}|{change_set}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime.datetime, uuid.UUID]:
    """Raise ValueError with a reason when `text` is not a cursor this feed gave out."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        time_text, id_text = raw.split("|")
        time = datetime.datetime.fromisoformat(time_text)
        change_set = uuid.UUID(id_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{text!r} is not a cursor given out by this feed.") from exc
    if time.tzinfo is None:
        raise ValueError(f"{text!r} is not a cursor given out by this feed.")
    return time, change_set
