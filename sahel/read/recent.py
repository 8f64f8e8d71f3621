"""The latest change sets that changed public data, newest first (the explorer's home
page): the change feed's comparisons (`sahel.read.changes`) over the change-set log read
backwards, in stretches growing fourfold until enough are found."""

from sahel.core.models import ChangeSetLog
from sahel.read import changes

# At most this many change sets of the log are read back: past them, fewer are shown.
MAX_SCANNED = 2000


def recent_change_sets(limit: int, resources: dict, *, until=None) -> list[dict]:
    """The last `limit` change sets (committed by `until`, when given) that changed public
    data, newest first: each with its `time`, `reason` (None when it only removed things:
    the feed gives no reason then) and feed `entries`."""
    log = ChangeSetLog.objects.order_by("-seq")
    if until is not None:
        log = log.filter(time__lte=until)
    seqs = log.values_list("seq", flat=True)
    upper = seqs.first()
    found, offset, span = [], 0, 2 * max(limit, 1)  # twice: a few are drafts' work
    while upper is not None and len(found) < limit and offset < MAX_SCANNED:
        before = list(seqs[offset + span : offset + span + 1])  # the first one left out
        lower = before[0] if before else 0
        found = changes.public_change_sets_between(lower, upper, resources) + found
        upper = lower or None
        offset, span = offset + span, span * 4
    return [
        {
            "time": change.time,
            "reason": change.reason if any("reason" in e for e in entries) else None,
            "entries": entries,
        }
        for change, entries in reversed(found[-limit:] if limit else [])
    ]
