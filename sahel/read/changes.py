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

The feed (sahel/read/feed.py) compares the objects a stretch of change sets touches at
once, in a number of queries that does not grow with them: the snapshots before and at
every change set are one UNION ALL of per-instant querysets per projection level
(`Projection.build_groups`). An object's history reads its change sets the same way (all
of them: one object's). The
owners of a change set are the rows that existed by its instant: nothing written later
can have read what it wrote.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from sahel.core import selectors
from sahel.core.models import ChangeSetLog, tracked_models
from sahel.read.projection import Projection, read_groups

BEFORE = datetime.timedelta(microseconds=1)


@dataclass(frozen=True)
class ChangeSetInfo:
    id: uuid.UUID
    time: datetime.datetime
    reason: str
    seq: int = 0  # its place in commit order (sahel.core.models.ChangeSetLog)


def snapshots(projection: type[Projection], groups: dict) -> dict:
    """key -> (instant, ids) to key -> {id: public representation at the instant}, for
    those of the ids public then (one query per projection level for all groups)."""
    querysets = {
        key: selectors.public(projection.model, as_of=instant).filter(id__in_ids=list(ids))
        for key, (instant, ids) in groups.items()
    }
    rows = read_groups(querysets, projection.columns())
    items = projection.build_groups(
        {key: (instant, rows[key]) for key, (instant, _) in groups.items()}
    )
    return {key: {item["id"]: item for item in items[key]} for key in groups}


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


def compare(projection, touched: dict, *, public=None) -> dict:
    """ChangeSetInfo -> ids to ChangeSetInfo -> entries: what each change set did to the
    public representation of its ids (a fixed number of queries for all of them).
    `public`: `public_ids` of them, when known already."""
    groups = instants(touched)
    shown = snapshots(projection, groups)
    # Claims withdrawn since are hidden from past snapshots; that they were public just
    # before (and so were removed) is still told, without their content.
    if public is None:
        public = public_ids(projection, groups)
    return {
        change: _entries(
            change,
            ids,
            shown[change, "before"],
            shown[change, "after"],
            public[change, "before"],
            public[change, "after"],
        )
        for change, ids in touched.items()
    }


def _entries(change: ChangeSetInfo, ids, before, after, was_public, is_public) -> list[dict]:
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


MOMENTS = ("before", "after")


def instants(touched: dict) -> dict:
    """ChangeSetInfo -> ids to (change set, "before" or "after") -> (instant, ids)."""
    groups = {}
    for change, ids in touched.items():
        groups[change, "before"] = (change.time - BEFORE, ids)
        groups[change, "after"] = (change.time, ids)
    return groups


def public_ids(projection, groups: dict) -> dict:
    """key -> (instant, ids) to key -> those of the ids that were public at the instant,
    counting claims withdrawn since."""
    querysets = {
        key: selectors.public(
            projection.model, as_of=instant, ignore_later_withdrawals=True
        ).filter(id__in_ids=list(ids))
        for key, (instant, ids) in groups.items()
    }
    rows = read_groups(querysets, ["id"])
    return {key: {row["id"] for row in rows[key]} for key in groups}


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


def maybe_public() -> Q:
    """Log rows of change sets that wrote a row that may have been public."""
    maybe_public = Q(pk__in=[])
    for model in tracked_models():
        maybe_public |= Q(
            Exists(
                selectors.history_rows_maybe_public(model).filter(change_set=OuterRef("change_set"))
            )
        )
    return maybe_public


def _infos(log_rows, limit: int | None = None) -> list[ChangeSetInfo]:
    """Log rows of change sets that wrote a row that may have been public (one query;
    the first `limit` of them)."""
    rows = log_rows.filter(maybe_public()).order_by("seq")[:limit]
    return [
        ChangeSetInfo(change_set, time, reason, seq)
        for seq, change_set, time, reason in rows.values_list("seq", "change_set", "time", "reason")
    ]


def object_history(projection: type[Projection], pk) -> list[dict]:
    touching = change_sets_touching(projection, pk)
    found = compare(projection, {change: [pk] for change in touching})
    return [entry for change in touching for entry in found[change]]


# -- which objects a change set touches (for the feed) ---------------------------------------


def objects_touched(changes: list[ChangeSetInfo], resources: dict[str, type[Projection]]) -> dict:
    """change set id -> resource name -> ids of the objects whose representation reads a
    row written in the change set (resources with none left out), for all `changes` with
    one query per model and relation that has something to look up.

    Only rows that existed by the change set's instant can have read what it wrote: a
    citation written a year after its source was created is not an owner of that
    creation. (Without this, the change set that created the sources "touched" every
    object ever cited: the first page of the feed at `medium` compared 500k objects.)"""
    written = {change.id: {} for change in changes}  # change set -> model -> ids
    until = {change.id: change.time for change in changes}
    for model in tracked_models():
        rows = _history_rows(model, Q(change_set__in=list(written))).values_list("change_set", "id")
        for change_set, pk in rows:
            written[change_set].setdefault(model, set()).add(pk)
    touched = {change_set: {} for change_set in written}
    for name, projection in resources.items():
        for change_set, found in _owners(projection, written, until).items():
            if found:
                touched[change_set][name] = found
    return touched


def _owners(projection, written: dict, until: dict) -> dict:
    """change set -> ids of `projection.model` rows whose representation reads any row
    the change set wrote (`written`: change set -> model -> ids; `until`: change set ->
    its instant, after which rows are not counted)."""
    model = projection.model
    owners = {change_set: set(rows.get(model, ())) for change_set, rows in written.items()}
    latest = max(until.values(), default=None)

    def attribute(found: dict, model_of_keys) -> None:
        """Add `found` (key -> [(owner id, row time)]) to the change sets that wrote a key,
        counting the rows that existed by the change set's instant."""
        for change_set, rows in written.items():
            for key in rows.get(model_of_keys, ()):
                owners[change_set] |= {
                    pk for pk, time in found.get(key, ()) if time <= until[change_set]
                }

    for name, ref in projection.refs.items():
        # Rows of `model` that referred to a written row of `ref.model` by then.
        attribute(_by(model, f"{name}_id", "id", _union(written, ref.model), latest), ref.model)
    for child in projection.children.values():
        child_ids = _owners(child.projection, written, until)
        parents = _by(
            child.projection.model, "id", f"{child.fk}_id", set().union(*child_ids.values())
        )
        for change_set, ids in child_ids.items():
            for pk in ids:
                owners[change_set] |= {parent for parent, _ in parents.get(pk, ())}
    if projection.cited:
        from sources.models import Citation, Source

        content_type = ContentType.objects.get_for_model(model)
        citation_ids, source_ids = _union(written, Citation), _union(written, Source)
        if citation_ids or source_ids:
            # One query for both: citations written, and citations of the sources written.
            rows = _history_rows(
                Citation,
                Q(content_type_id=content_type.pk, history_date__lte=latest)
                & (Q(id__in_ids=list(citation_ids)) | Q(source_id__in_ids=list(source_ids))),
            )
            by_citation, by_source = defaultdict(list), defaultdict(list)
            for pk, source_id, object_id, time in rows.values_list(
                "id", "source_id", "object_id", "history_date"
            ):
                by_citation[pk].append((object_id, time))
                by_source[source_id].append((object_id, time))
            attribute(by_citation, Citation)
            attribute(by_source, Source)
    return owners


def _union(written: dict, model) -> set:
    """Ids of `model` written by any of the change sets."""
    return set().union(*(rows.get(model, ()) for rows in written.values()))


def _by(model, key: str, value: str, keys: set, until=None) -> dict:
    """`key` -> [(`value`, time)] over the history rows of `model` (those that may have
    been public, written by `until` when given) whose `key` is among `keys` (one query;
    none when `keys` is empty)."""
    found = defaultdict(list)
    if not keys:
        return found
    rows = _history_rows(model, Q(**{f"{key}__in_ids": list(keys)}))
    if until is not None:
        rows = rows.filter(history_date__lte=until)
    for k, v, time in rows.values_list(key, value, "history_date"):
        found[k].append((v, time))
    return found


def change_sets_after(after: int, limit: int, *, including: bool = False) -> list[ChangeSetInfo]:
    """Up to `limit` committed change sets numbered after `after` (from it on, `including`),
    in commit order, leaving out (in SQL) those that wrote nothing that may have been public."""
    seq = {"seq__gte" if including else "seq__gt": after}
    return _infos(ChangeSetLog.objects.filter(**seq), limit)
