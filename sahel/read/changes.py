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

A feed page is at most `limit` entries: a position in the feed is (change set, resource,
id), and a cursor can point inside a change set. A batch reads the next `limit` +
FEED_LOOKAHEAD objects the following change sets touch, in feed order, with one bounded
query per resource (`sahel.read.owners`), then compares them all at once in a number of
queries that does not grow with them: the snapshots before and at every change set are one
UNION ALL of per-instant querysets per projection level (`Projection.build_groups`). What a
page holds in memory is bounded by its `limit`, not by the size of its change sets. A page
whose objects change nothing the public sees takes another batch (see FEED_LOOKAHEAD).
An object's history reads its change sets the same way (all of them: one object's). The
owners of a change set are the rows that existed by its instant: nothing written later
can have read what it wrote.
"""

import base64
import binascii
import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from sahel.core import selectors
from sahel.core.models import ChangeSetLog, tracked_models
from sahel.read import owners
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
    `public`: `_public_ids` of them, when known already."""
    groups = _instants(touched)
    shown = snapshots(projection, groups)
    # Claims withdrawn since are hidden from past snapshots; that they were public just
    # before (and so were removed) is still told, without their content.
    if public is None:
        public = _public_ids(projection, groups)
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


def _instants(touched: dict) -> dict:
    """ChangeSetInfo -> ids to (change set, "before" or "after") -> (instant, ids)."""
    groups = {}
    for change, ids in touched.items():
        groups[change, "before"] = (change.time - BEFORE, ids)
        groups[change, "after"] = (change.time, ids)
    return groups


def _public_ids(projection, groups: dict) -> dict:
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


def _maybe_public() -> Q:
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
    rows = log_rows.filter(_maybe_public()).order_by("seq")[:limit]
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


# -- the feed: positions inside change sets ----------------------------------------------------


@dataclass(frozen=True)
class Position:
    """A place in the feed, in its order: change set (commit order), resource (in the order
    of the resources), object id. `resource` None: after the whole change set."""

    seq: int
    time: datetime.datetime | None
    resource: str | None = None
    id: int = 0


FEED_BEGINNING = Position(0, None)


def _resume_after(cursor, resources: dict) -> Position:
    """The position a cursor ((time, change set) or (time, change set, resource, id))
    resumes after. A cursor of a change set the log does not know (the start of the feed, a
    cursor of an older feed) resumes after what was stamped by its time."""
    if cursor is None:
        return FEED_BEGINNING
    time, change_set, *inside = cursor
    found = ChangeSetLog.objects.filter(change_set=change_set).values_list("seq", "time").first()
    if found is None:
        older = ChangeSetLog.objects.filter(time__lte=time).order_by("-seq")
        found = older.values_list("seq", "time").first() or (0, None)
        inside = []
    seq, time = found
    if inside and inside[0] in resources:
        return Position(seq, time, inside[0], inside[1])
    return Position(seq, time)


# The cursor of a feed with no public change set yet: it names none.
FEED_START = (datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC), uuid.UUID(int=0))


def feed_page(cursor, limit: int, resources: dict) -> tuple[list[dict], tuple, bool]:
    """Up to `limit` entries of the feed after `cursor`: each one public object created,
    updated or removed, in commit order, then resource by resource (in the order of
    `resources`), then by id. A page can end, and a cursor point, inside a change set.

    Changes without public effect (draft edits) are passed over, and no cursor ever names
    one: a page's cursor is its last entry's (when the feed is exhausted and the page has
    none: the cursor it was asked from, or the start of the feed).
    Returns (entries, next cursor, exhausted).
    """
    entries, position = [], _resume_after(cursor, resources)
    while len(entries) < limit:
        batch = _feed_batch(position, limit - len(entries), resources)
        if batch is None:
            # Stable while nothing public happens, so the last page can answer 304.
            last = entries[-1]["position"] if entries else (cursor or FEED_START)
            return [_public(entry) for entry in entries], last, True
        found, position = batch
        entries += found
    return [_public(entry) for entry in entries], entries[-1]["position"], False


def _public(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "position"}


# A batch reads this many objects more than the page still wants, and as many change sets:
# objects with no public state just before or at their change set (a vocabulary term
# written before anything used it ...) are passed over there, without snapshots and without
# another batch. Only as many of the others as wanted are compared; when one of them
# changes nothing the public sees (an edit of a public object the public does not see, a
# tie to a claim withdrawn since) the page takes another batch: the queries of the plan
# again.
FEED_LOOKAHEAD = 5


def _feed_batch(position: Position, wanted: int, resources: dict, *, window=None):
    """The first `wanted` entries after `position`, or fewer, each with its `position`, and
    the position up to which the feed was decided; None when nothing follows `position`.
    At most `wanted` + FEED_LOOKAHEAD objects are read, whatever the size of the change
    sets (`sahel.read.owners`). `window`: the change sets to read (by default the next
    ones of the log)."""
    budget = wanted + FEED_LOOKAHEAD
    if window is None:
        window = _next_change_sets(position, budget)
    if not window:
        return None
    candidates = _candidates(window, position, budget, resources)
    if len(candidates) < budget:  # every object the window touches
        end = Position(window[-1].seq, window[-1].time)
    else:
        end = _position(candidates[-1])
    touched = defaultdict(lambda: defaultdict(list))  # resource -> change set -> ids
    for change, name, pk in candidates:
        touched[name][change].append(pk)
    public = {name: _public_ids(resources[name], _instants(touched[name])) for name in touched}
    # None of its states public just before or at its change set: it changed nothing public.
    viable = [
        (change, name, pk)
        for change, name, pk in candidates
        if any(pk in public[name][change, moment] for moment in MOMENTS)
    ]
    chosen = viable[:wanted]
    if len(viable) > wanted:
        end = _position(chosen[-1])
    compared = {}
    for name in resources:
        ids = defaultdict(list)
        for change, resource, pk in chosen:
            if resource == name:
                ids[change].append(pk)
        if not ids:
            continue
        for change, entries in compare(resources[name], ids, public=public[name]).items():
            for entry in entries:
                compared[change, name, entry["id"]] = entry
    found = []
    for change, name, pk in chosen:
        if (change, name, pk) in compared:
            at = (change.time, change.id, name, pk)
            entry = compared[change, name, pk]
            found.append({"cursor": encode_cursor(at), "resource": name, **entry, "position": at})
    return found, end


def _next_change_sets(position: Position, budget: int) -> list[ChangeSetInfo]:
    """The change sets (after `position`, or from it on when it is inside one) of the next
    `budget` rows written that may have been public: enough for `budget` objects unless
    they touch fewer, and no more than the rows they wrote (a change set of 5,000 objects
    alone, or the next few hundred small ones)."""
    ids, _ = owners.first_written(position.time, position.resource is None, budget)
    rows = ChangeSetLog.objects.filter(change_set__in=ids).order_by("seq")
    return [
        ChangeSetInfo(change_set, time, reason, seq)
        for seq, change_set, time, reason in rows.values_list("seq", "change_set", "time", "reason")
    ]


def _position(candidate) -> Position:
    change, name, pk = candidate
    return Position(change.seq, change.time, name, pk)


def _candidates(window: list[ChangeSetInfo], position: Position, limit: int, resources: dict):
    """The first `limit` (change set, resource, id) the window's change sets touch after
    `position`, in feed order."""
    names = list(resources)
    first = window[0]
    inside = position.resource is not None and position.seq == first.seq
    found = []
    with owners.joins_as_written():
        for index, name in enumerate(names):
            after = None
            if inside:
                mine = names.index(position.resource)
                if index < mine:
                    after = (first.time, owners.LAST_ID)
                elif index == mine:
                    after = (first.time, position.id)
            rows = _owners_of(resources[name], window, after, limit)
            found += [(change, index, pk) for change, pk in rows]
    found.sort(key=lambda row: (row[0].seq, row[1], row[2]))
    return [(change, names[index], pk) for change, index, pk in found[:limit]]


def _owners_of(projection, window, after, limit: int) -> list[tuple]:
    """Up to `limit` (change set, id) of `projection` touched by the window's change sets
    after `after` ((instant of the first, id)), in feed order."""
    infos = {change.id: change for change in window}
    if settings.SAHEL_FEED_OWNERS_SQL:
        rows = owners.owners_after(projection, window[0].time, window[-1].time, after, limit)
        found = [(infos[cs], pk) for cs, pk in rows if cs in infos]
    else:
        # Every object each change set touches, then cut: exact, but it holds whole change
        # sets (the parity reference of `sahel.read.owners`).
        touched = objects_touched(window, {"it": projection})
        found = [(infos[cs], pk) for cs, names in touched.items() for pk in names.get("it", ())]
        if after is not None:
            found = [
                (change, pk) for change, pk in found if change.seq != window[0].seq or pk > after[1]
            ]
    found.sort(key=lambda row: (row[0].seq, row[1]))
    return found[:limit]


def change_set_entries(change: ChangeSetInfo, limit: int, resources: dict) -> list[dict]:
    """The first `limit` feed entries of one change set (fewer when it has fewer), read as
    the feed reads them: at most `limit` + FEED_LOOKAHEAD objects a batch."""
    entries = []
    position = Position(change.seq, change.time, next(iter(resources)), 0)
    while len(entries) < limit and position.resource is not None:
        found, position = _feed_batch(position, limit - len(entries), resources, window=[change])
        entries += found
    return [_public(entry) for entry in entries]


def encode_cursor(change) -> str:
    """`change`: a ChangeSetInfo, a (time, change set id) pair (after that change set) or a
    (time, change set id, resource, object id) position (after that object's entry)."""
    if isinstance(change, ChangeSetInfo):
        change = (change.time, change.id)
    time, change_set, *inside = change
    raw = "|".join([time.isoformat(), str(change_set), *map(str, inside)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple:
    """Raise ValueError with a reason when `text` is not a cursor this feed gave out."""
    problem = ValueError(f"{text!r} is not a cursor given out by this feed.")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        time_text, id_text, *inside = raw.split("|")
        time = datetime.datetime.fromisoformat(time_text)
        change_set = uuid.UUID(id_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise problem from exc
    if time.tzinfo is None:
        raise problem
    if not inside:
        return time, change_set
    if len(inside) != 2:
        raise problem
    from sahel.read.resources import resources

    resource, pk = inside
    if resource not in resources() or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        raise problem
    return time, change_set, resource, int(pk)


def last_public_change_set(until=None):
    """The id of the last change set (committed by `until`) that may have changed public
    data, None before any: public answers change only when it does, and hidden work
    (drafts) does not move it. A key to cache them by."""
    log = ChangeSetLog.objects.filter(_maybe_public())
    if until is not None:
        log = log.filter(time__lte=until)
    return log.order_by("-seq").values_list("change_set", flat=True).first()
