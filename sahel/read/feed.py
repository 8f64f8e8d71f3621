"""The change feed: pages of at most `limit` entries in commit order, and their cursors.

A position in the feed is (change set, resource, id), so a cursor can point inside a
change set. A batch reads the next `limit` + FEED_LOOKAHEAD objects the following change
sets touch, in feed order, with one bounded query per resource (`sahel.read.owners`), then
compares them all at once (`sahel.read.changes.compare`): what a page holds in memory is
bounded by its `limit`, not by the size of its change sets. A page whose objects change
nothing the public sees takes another batch (see FEED_LOOKAHEAD).
"""

import base64
import binascii
import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from sahel.core.models import ChangeSetLog
from sahel.read import changes, owners
from sahel.read.changes import (
    ChangeSetInfo,
    compare,
    objects_touched,
)

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
        batch = _feed_batch(position, limit - len(entries), resources, reading=limit)
        if batch is None:
            # Stable while nothing public happens, so the last page can answer 304.
            last = entries[-1]["position"] if entries else (cursor or FEED_START)
            return [_public(entry) for entry in entries], last, True
        found, position = batch
        entries += found
    return [_public(entry) for entry in entries], entries[-1]["position"], False


def _public(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "position"}


# A batch reads this many objects more than the page still wants (than the page's `limit`,
# for the batches of a page), and as many change sets: objects with no public state just
# before or at their change set (a vocabulary term written before anything used it ...) are
# passed over there, without snapshots and without another batch. The others read are all
# compared and the entries cut at what is wanted; when too many of them change nothing the
# public sees (an edit of a public object the public does not see, a tie to a claim
# withdrawn since) the page takes another batch: the queries of the plan again. A batch of
# a page reads a whole page's worth, not just what is still wanted: its cost is mostly the
# same fixed queries whatever it reads (a revision of 5,000 ties of which a fifth change
# nothing public took four batches for a page of 100 at `medium`; two now).
FEED_LOOKAHEAD = 5


def _feed_batch(position: Position, wanted: int, resources: dict, *, window=None, reading=0):
    """The first `wanted` entries after `position`, or fewer, each with its `position`, and
    the position up to which the feed was decided; None when nothing follows `position`.
    At most max(`wanted`, `reading`) + FEED_LOOKAHEAD objects are read, whatever the size
    of the change sets (`sahel.read.owners`). `window`: the change sets to read (by default
    the next ones of the log)."""
    budget = max(wanted, reading) + FEED_LOOKAHEAD
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
    public = {
        name: changes.public_ids(resources[name], changes.instants(touched[name]))
        for name in touched
    }
    # None of its states public just before or at its change set: it changed nothing public.
    viable = [
        (change, name, pk)
        for change, name, pk in candidates
        if any(pk in public[name][change, moment] for moment in changes.MOMENTS)
    ]
    compared = {}
    for name in resources:
        ids = defaultdict(list)
        for change, resource, pk in viable:
            if resource == name:
                ids[change].append(pk)
        if not ids:
            continue
        for change, entries in compare(resources[name], ids, public=public[name]).items():
            for entry in entries:
                compared[change, name, entry["id"]] = entry
    kept = [candidate for candidate in viable if candidate in compared]
    if len(kept) > wanted:  # decided up to the last entry kept
        kept = kept[:wanted]
        end = _position(kept[-1])
    found = []
    for change, name, pk in kept:
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
    log = ChangeSetLog.objects.filter(changes.maybe_public())
    if until is not None:
        log = log.filter(time__lte=until)
    return log.order_by("-seq").values_list("change_set", flat=True).first()
