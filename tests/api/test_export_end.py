"""The export's closing line: a body cut short anywhere is told from a whole one."""

import pytest

from tests.api.exported import Truncated, read_export


def test_a_truncated_export_is_detectable(api):
    body = b"".join(api.get("/api/v1/export/", {"resource": "actors,places"}).streaming_content)
    records, end = read_export(body)
    assert end == {"resource": "end", "records": len(records), "as_of": end["as_of"]}
    assert len(records) == api.get("/api/v1/actors/").json()["count"] + len(
        [r for r in records if r["resource"] == "places"]
    )
    lines = body.splitlines(keepends=True)
    # Cut after any whole line (what a worker killed mid-stream leaves): no closing line.
    for cut in (0, 1, len(lines) // 2, len(lines) - 1):
        with pytest.raises(Truncated):
            read_export(b"".join(lines[:cut]))
    # A line lost in the middle (a proxy's retry, a bad splice): the count disagrees.
    with pytest.raises(Truncated):
        read_export(b"".join(lines[:3] + lines[4:]))


def test_the_closing_line_names_the_instant_asked(api):
    body = b"".join(
        api.get("/api/v1/export/", {"resource": "events", "as_of": "2000-01-01"}).streaming_content
    )
    assert read_export(body) == (
        [],
        {"resource": "end", "records": 0, "as_of": "2000-01-01T00:00:00Z"},
    )
