"""The latest change sets that changed public data, newest first (the explorer's home
page): the change-set log read backwards, each change set's first entries read as the feed
reads them (`sahel.read.feed.change_set_entries`), so a change set of 5,000 objects
costs what a page of a few entries costs."""

from sahel.core.models import ChangeSetLog
from sahel.read import changes, feed

# At most this many change sets that may have changed public data are read back: past
# them, fewer are shown.
MAX_SCANNED = 200


def recent_change_sets(limit: int, resources: dict, *, entries: int, until=None) -> list[dict]:
    """The last `limit` change sets (committed by `until`, when given) that changed public
    data, newest first: each with its `time`, `reason` (None when it only removed things:
    the feed gives no reason then), its first `entries` feed entries and `more` (whether
    it has more: the feed has them all, from the cursor of the last one shown)."""
    log = ChangeSetLog.objects.filter(changes.maybe_public()).order_by("-seq")
    if until is not None:
        log = log.filter(time__lte=until)
    rows = log.values_list("seq", "change_set", "time", "reason")
    found, scanned, chunk = [], 0, 2 * max(limit, 1)  # twice: some change nothing public
    while len(found) < limit and scanned < MAX_SCANNED:
        stretch = list(rows[scanned : min(scanned + chunk, MAX_SCANNED)])
        if not stretch:
            break
        scanned += len(stretch)
        found += _shown(stretch, limit - len(found), resources, entries)
    return found


def _shown(stretch: list, limit: int, resources: dict, entries: int) -> list[dict]:
    found = []
    for seq, change_set, time, reason in stretch:
        if len(found) >= limit:
            break
        change = changes.ChangeSetInfo(change_set, time, reason, seq)
        shown = feed.change_set_entries(change, entries + 1, resources)
        if not shown:
            continue
        found.append(
            {
                "time": change.time,
                "reason": change.reason if any("reason" in e for e in shown) else None,
                "entries": shown[:entries],
                "more": len(shown) > entries,
            }
        )
    return found
