"""Reading a JSON Lines export as a client should: every line an object, the last one the
closing line, whose count says no line is missing."""

import json


class Truncated(ValueError):
    """The body is not a whole export."""


def read_export(body: bytes) -> tuple[list[dict], dict]:
    """The records of an export body and its closing line; Truncated when the closing line
    is missing, is not last, or counts other lines than came before it."""
    lines = [json.loads(line) for line in body.splitlines()]
    if not lines or lines[-1].get("resource") != "end":
        raise Truncated("no closing line: the export was cut short")
    *records, end = lines
    if end["records"] != len(records):
        raise Truncated(f"{len(records)} records before a closing line counting {end['records']}")
    if any(record.get("resource") == "end" for record in records):
        raise Truncated("a closing line before the last line")
    return records, end


def records_of(response) -> list[dict]:
    return read_export(b"".join(response.streaming_content))[0]
