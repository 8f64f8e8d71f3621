"""What the public API answers from a database, as digests: the whole export's sha256, a
walk of the change feed, an `as_of` answer. Run as a script by test_backup.py, with
DATABASE_URL naming the first database and the names of others as arguments (same server,
or SQLite files): one JSON line of digests per database."""

import hashlib
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahel.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _records(body: bytes) -> bytes:
    """The export's records: its closing line names the instant it was read (live: now),
    which differs between two reads of the same data; its count is checked here."""
    *lines, end = body.splitlines(keepends=True)
    closing = json.loads(end)
    if closing.get("resource") != "end" or closing["records"] != len(lines):
        raise SystemExit(f"the export was cut short: {closing}")
    return b"".join(lines)


def digest() -> dict:
    client = Client()
    export = _records(b"".join(client.get("/api/v1/export/").streaming_content))
    entries, pages, since = [], 0, None
    while True:
        query = "limit=200" + (f"&since={since}" if since else "")
        page = client.get(f"/api/v1/changes/?{query}").json()
        entries += page["results"]
        pages += 1
        since = page["cursor"]
        if page["next"] is None:
            break
    instant = entries[len(entries) // 2]["time"]  # an instant inside the history
    as_of = client.get(
        "/api/v1/affiliations/", {"actor": "jnim", "valid_at": "2018", "as_of": instant}
    ).json()
    as_of_export = b"".join(client.get("/api/v1/export/", {"as_of": instant}).streaming_content)
    return {
        "export_sha256": sha256(export),
        "export_lines": export.count(b"\n"),
        "feed_sha256": sha256(json.dumps(entries, sort_keys=True).encode()),
        "feed_entries": len(entries),
        "feed_pages": pages,
        "feed_cursor": since,
        "as_of": instant,
        "as_of_count": as_of["count"],
        "as_of_sha256": sha256(json.dumps(as_of, sort_keys=True).encode()),
        "as_of_export_sha256": sha256(as_of_export),
    }


if __name__ == "__main__":
    for name in [None, *sys.argv[1:]]:
        if name is not None:
            connection.close()
            connection.settings_dict["NAME"] = name
        print(json.dumps(digest()), flush=True)
