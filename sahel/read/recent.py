"""The latest change sets that changed public data, newest first (the explorer's home
page): the change feed (`sahel.read.changes.feed_page`) read backwards, in spans of the
change-set log growing fourfold until enough are found."""

import datetime

from sahel.core.models import ChangeSetLog
from sahel.read import changes


def recent_change_sets(limit: int, resources: dict, *, until=None) -> list[dict]:
    """The last `limit` change sets (committed by `until`, when given) that changed public
    data, newest first: each with its `time`, `cursor` and feed `entries`."""
    log = ChangeSetLog.objects.order_by("-seq")
    if until is not None:
        log = log.filter(time__lte=until)
    rows = log.values_list("time", "change_set")
    found: dict[str, dict] = {}
    offset, span = 0, max(limit, 1)
    while limit:
        before = list(rows[offset + span : offset + span + 1])  # the last one left out
        cursor = before[0] if before else None  # None: from the start of the feed
        entries, _, _ = changes.feed_page(cursor, span, resources)
        for entry in entries:
            if until is not None and datetime.datetime.fromisoformat(entry["time"]) > until:
                continue  # past the span, committed after `until`
            group = found.setdefault(
                entry["cursor"], {"time": entry["time"], "cursor": entry["cursor"], "entries": []}
            )
            group["entries"].append(entry)
        if len(found) >= limit or not before:
            break
        offset, span = offset + span, span * 4
    newest = sorted(
        found.values(),
        key=lambda group: datetime.datetime.fromisoformat(group["time"]),
        reverse=True,
    )
    return newest[:limit]
