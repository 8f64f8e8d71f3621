"""Timeline items drawn exactly as precise as their EDTF dates (sahel/explorer/timeline.py):
ranges as ranges over their bounds, open and unknown ends to the picture's edge, marked,
approximate dates over their fuzzy bounds, never a precise day the source does not give."""

import pytest

from sahel.core.fuzzy_dates import parse_bounds
from sahel.explorer.timeline import describe, timeline

ACTOR = {"id": 1, "slug": "abu-example", "name": "Abu Example", "kind": "person"}
GROUP = {"id": 2, "slug": "sahel-brigade", "name": "Sahel Brigade", "kind": "organization"}
LEADER_OF = {"id": 9, "slug": "leader-of", "label": "leader of", "inverse_label": "led by"}


def fuzzy(edtf: str) -> dict | None:
    """A date as the APIs give it."""
    if not edtf:
        return None
    bounds = parse_bounds(edtf)
    return {
        "edtf": edtf,
        "lower": bounds.lower and bounds.lower.isoformat(),
        "upper": bounds.upper and bounds.upper.isoformat(),
    }


def tie(pk, start="", end="", certainty="confirmed", subject=ACTOR, obj=GROUP):
    return {
        "id": pk,
        "subject": subject,
        "type": LEADER_OF,
        "object": obj,
        "role_title": "",
        "start": fuzzy(start),
        "end": fuzzy(end),
        "certainty": certainty,
    }


def event(pk, date, title="An attack", certainty="confirmed"):
    return {"id": pk, "title": title, "date": fuzzy(date), "certainty": certainty}


def parts(item) -> tuple[float, float]:
    style = {
        name.strip(): float(value.strip().rstrip("%"))
        for name, value in (rule.split(":") for rule in item["style"].split(";"))
    }
    return style["--start-part"], style["--end-part"]


def drawn(ties=(), events=(), actor_id=ACTOR["id"]):
    found = timeline(list(ties), list(events), actor_id=actor_id)
    return found, {item["id"]: item for item in found["items"]}


def test_a_tie_with_both_ends_is_solid_between_its_fuzzy_ends():
    _found, items = drawn([tie(1, "2012-09", "2015")])
    item = items["tie-1"]
    assert (item["type"], item["start"], item["end"]) == ("range", "2012-09-01", "2016-01-01")
    start_part, end_part = parts(item)
    # September 2012 of about 3 years and 4 months; all of 2015 at the end.
    assert 2 < start_part < 3
    assert 29 < end_part < 31
    classes = item["className"].split()
    assert {"tie", "certainty-confirmed", "fuzzy-start", "fuzzy-end"} <= set(classes)
    assert "open-end" not in classes
    assert item["content"] == "leader of Sahel Brigade · 2012-09 → 2015"


def test_an_unknown_end_runs_to_the_edge_faded_and_says_so():
    found, items = drawn([tie(1, "2017"), tie(2, "2012-09-14", "2013-02")])
    item = items["tie-1"]
    assert item["end"] == found["window"]["max"]  # the picture's right edge
    assert "open-end" in item["className"].split()
    assert item["content"].endswith("2017 → end not given")
    start_part, end_part = parts(item)
    assert start_part + end_part == pytest.approx(100, abs=0.01)  # nothing known to hold
    # A day is precise: no hatched start, the end month is.
    precise = items["tie-2"]["className"].split()
    assert "fuzzy-start" not in precise
    assert "fuzzy-end" in precise


def test_an_open_start_is_drawn_from_the_edge():
    found, items = drawn([tie(1, "../2012", "2013-02"), tie(2, "", "2018-09")])
    for key in ("tie-1", "tie-2"):
        assert items[key]["start"] == found["window"]["min"]
        assert "open-start" in items[key]["className"].split()
    assert items["tie-2"]["content"].startswith("leader of Sahel Brigade · start not given")


def test_an_approximate_date_spans_its_fuzzy_bounds_and_is_marked_uncertain():
    _found, items = drawn([tie(1, "2015~", "2017")], [event(5, "2000~")])
    assert items["tie-1"]["start"] == fuzzy("2015~")["lower"] < "2015-01-01"
    assert "fuzzy-start" in items["tie-1"]["className"].split()
    item = items["event-5"]
    assert item["type"] == "range"  # not a point on 1 January 2000
    assert item["start"] == fuzzy("2000~")["lower"] < "2000-01-01"
    assert item["end"] > "2001-01-01"
    assert {"fuzzy-start", "fuzzy-end"} <= set(item["className"].split())
    assert describe(fuzzy("2000~")).startswith("2000~, approximate, between")


def test_events_are_points_only_when_dated_to_a_day():
    _, items = drawn(events=[event(1, "2018-03-02"), event(2, "2015-10/2015-12"), event(3, "201X")])
    assert (items["event-1"]["type"], items["event-1"]["start"]) == ("point", "2018-03-02")
    assert (items["event-2"]["start"], items["event-2"]["end"]) == ("2015-10-01", "2016-01-01")
    assert (items["event-3"]["start"], items["event-3"]["end"]) == ("2010-01-01", "2020-01-01")
    assert items["event-2"]["type"] == items["event-3"]["type"] == "range"


def test_undated_claims_are_listed_not_drawn():
    found, items = drawn([tie(1), tie(2, "2013")], [event(3, "")])
    assert set(items) == {"tie-2"}
    assert [entry["key"] for entry in found["undated"]] == ["tie-1", "event-3"]
    assert [group["id"] for group in found["groups"]] == ["ties"]


def test_a_tie_reads_from_the_actor_either_way():
    _, items = drawn([tie(1, "2013", subject=GROUP, obj=ACTOR)])
    assert items["tie-1"]["content"].startswith("led by Sahel Brigade")
    _, items = drawn([tie(1, "2013")], actor_id=None)
    assert items["tie-1"]["content"].startswith("Abu Example leader of Sahel Brigade")


def test_certainty_is_a_class_of_the_item():
    _, items = drawn(
        [tie(1, "2013", certainty="disputed")], [event(2, "2014", certainty="possible")]
    )
    assert "certainty-disputed" in items["tie-1"]["className"].split()
    assert "certainty-possible" in items["event-2"]["className"].split()


def test_nothing_dated_draws_no_window():
    found, _ = drawn([tie(1)])
    assert found["items"] == []
    assert found["window"] is None


def test_describe_says_what_a_date_can_mean():
    assert describe(None) == "not given"
    assert describe(fuzzy("2012-09-14")) == "2012-09-14, the day 2012-09-14"
    assert describe(fuzzy("../2012")) == "../2012, by 2012-12-31 at the latest (open start)"
    assert describe(fuzzy("1994?")).startswith("1994?, uncertain, between")
    assert describe(fuzzy("201X")) == "201X, unspecified digits, between 2010-01-01 and 2019-12-31"
