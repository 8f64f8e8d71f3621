"""Ties and events as timeline items (vis-timeline's shape), drawn exactly as precise as
their EDTF dates: never a precise day that the source does not give.

A fuzzy date is `{"edtf", "lower", "upper"}` (the APIs' shape): the earliest and latest
day it can mean, None on an open side. An item is drawn from the earliest day it can
start to the latest day it can end, in three parts:

- the start part, from its earliest to its latest possible start: hatched (`fuzzy-start`)
  when the start is not a precise day, faded from the picture's left edge when the start
  is open or not given (`open-start`);
- the middle, where the tie is known to hold: solid;
- the end part, likewise (`fuzzy-end`, `open-end`), faded to the right edge.

The parts are percentages of the item (`--start-part`, `--end-part`), the same at every
zoom. An event dated to one day is a point; one dated "2012" or "2015-10/2015-12"
happened some time within that range, all of it hatched. An item with no known date at
all is not drawn: it is listed as undated.
"""

import datetime

ONE_DAY = datetime.timedelta(days=1)
MIN_PAD = datetime.timedelta(days=365)
GROUPS = [
    {"id": "ties", "content": "Ties", "order": 1},
    {"id": "events", "content": "Events", "order": 2},
]


def day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def qualifiers(edtf: str) -> list[str]:
    """How the source hedges a date, in words, from its EDTF qualifiers."""
    words = []
    if "%" in edtf or ("~" in edtf and "?" in edtf):
        words.append("approximate and uncertain")
    elif "~" in edtf:
        words.append("approximate")
    elif "?" in edtf:
        words.append("uncertain")
    if "X" in edtf:
        words.append("unspecified digits")
    return words


def describe(date: dict | None) -> str:
    """A fuzzy date in words: its EDTF, how it is hedged, the days it can mean."""
    if not date:
        return "not given"
    lower, upper = date["lower"], date["upper"]
    if lower and upper:
        span = f"the day {lower}" if lower == upper else f"between {lower} and {upper}"
    elif upper:
        span = f"by {upper} at the latest (open start)"
    else:
        span = f"from {lower} on (open end)"
    return ", ".join([date["edtf"], *qualifiers(date["edtf"]), span])


def is_precise(date: dict | None) -> bool:
    return bool(date and date["lower"] and date["lower"] == date["upper"])


class Span:
    """What an item's dates allow: `first`/`last` the earliest start and the latest end
    (None: open), `known_from`/`known_until` the bounds of the solid middle."""

    def __init__(self, start: dict | None, end: dict | None):
        self.start, self.end = start, end
        self.first = day(start and start["lower"])
        self.last = day(end and end["upper"])
        self.known_from = day(start and start["upper"])
        self.known_until = day(end and end["lower"])

    @property
    def dated(self) -> bool:
        return any((self.first, self.last, self.known_from, self.known_until))

    def known_days(self) -> list[datetime.date]:
        return [d for d in (self.first, self.last, self.known_from, self.known_until) if d]


def picture_edges(spans: list[Span]) -> tuple[datetime.date, datetime.date] | None:
    """The left and right edges of the picture: every known day, padded (a year at
    least); open sides are drawn to them."""
    days = [d for span in spans for d in span.known_days()]
    if not days:
        return None
    low, high = min(days), max(days)
    pad = max(MIN_PAD, (high - low) / 20)
    return low - pad, high + pad


def drawn(span: Span, edges: tuple, *, single: bool) -> dict:
    """vis-timeline fields for a dated span: `single` for an event's one date (some time
    within it), otherwise a tie's start and end."""
    left, right = edges
    open_start, open_end = span.first is None, span.last is None
    begin = span.first or left
    finish = (span.last + ONE_DAY) if span.last else right  # the end day is inclusive
    if finish <= begin:
        finish = begin + ONE_DAY
    if single:
        solid_from = solid_until = begin  # some time within: no solid part
    else:
        # Open or unknown start: the start part runs to the first day known to be held,
        # or to where the end part begins; likewise for the end.
        solid_from = (span.known_from + ONE_DAY) if span.known_from else None
        solid_until = span.known_until
        solid_from = solid_from or solid_until or finish
        solid_until = solid_until or solid_from
        solid_from, solid_until = max(begin, solid_from), min(finish, solid_until)
    total = (finish - begin).days
    start_part = 100 * max(0, (solid_from - begin).days) / total
    end_part = 100 * max(0, (finish - solid_until).days) / total
    if single:
        # All of it is "some time within"; an open side fades in over the whole item.
        start_part, end_part = (100, 0) if open_start else (0, 100)
    classes = []
    if open_start:
        classes.append("open-start")
    elif single or span.known_from != span.first:
        classes.append("fuzzy-start")
    if open_end:
        classes.append("open-end")
    elif single or span.known_until != span.last:
        classes.append("fuzzy-end")
    return {
        "type": "range",
        "start": begin.isoformat(),
        "end": finish.isoformat(),
        "style": f"--start-part: {start_part:.2f}%; --end-part: {end_part:.2f}%",
        "className": " ".join(classes),
    }


def tie_label(tie: dict, actor_id: int | None) -> str:
    """The tie read from the actor: 'leader of JNIM', 'led by Iyad ag Ghali'."""
    kind = tie["type"] or {}
    subject, obj = tie["subject"] or {}, tie["object"] or {}
    if actor_id is not None and obj.get("id") == actor_id:
        text = f"{kind.get('inverse_label', '')} {subject.get('name', '')}"
    elif actor_id is not None and subject.get("id") == actor_id:
        text = f"{kind.get('label', '')} {obj.get('name', '')}"
    else:
        text = f"{subject.get('name', '')} {kind.get('label', '')} {obj.get('name', '')}"
    if tie["role_title"]:
        text += f" ({tie['role_title']})"
    return text.strip()


def dates_label(start: dict | None, end: dict | None = None, *, single: bool = False) -> str:
    if single:
        return start["edtf"] if start else "undated"
    first = start["edtf"] if start and start["lower"] else None
    last = end["edtf"] if end and end["upper"] else None
    return f"{first or 'start not given'} → {last or 'end not given'}"


def timeline(ties: list[dict], events: list[dict], *, actor_id: int | None = None) -> dict:
    """The items of the ties and events (API items), their groups and window, and the
    undated ones (listed, not drawn)."""
    entries = []
    for tie in ties:
        span = Span(tie["start"], tie["end"])
        text = tie_label(tie, actor_id)
        when = dates_label(tie["start"], tie["end"])
        entries.append(("ties", f"tie-{tie['id']}", span, False, text, when, tie))
    for event in events:
        span = Span(event["date"], event["date"])
        when = dates_label(event["date"], single=True)
        entries.append(("events", f"event-{event['id']}", span, True, event["title"], when, event))
    edges = picture_edges([entry[2] for entry in entries if entry[2].dated])
    items, undated = [], []
    for group, key, span, single, text, when, claim in entries:
        if not span.dated:
            undated.append({"key": key, "group": group, "label": text})
            continue
        title = f"{text} — {when}"
        item = {"id": key, "group": group, "content": f"{text} · {when}", "title": title}
        if single and is_precise(claim["date"]):
            item.update({"type": "point", "start": claim["date"]["lower"], "className": ""})
        else:
            item.update(drawn(span, edges, single=single))
        item["className"] = " ".join(
            filter(
                None,
                [group.removesuffix("s"), f"certainty-{claim['certainty']}", item["className"]],
            )
        )
        items.append(item)
    window = edges and {"min": edges[0].isoformat(), "max": edges[1].isoformat()}
    used = {item["group"] for item in items}
    return {
        "items": items,
        "groups": [group for group in GROUPS if group["id"] in used],
        "window": window,
        "undated": undated,
    }
