"""Feed pages bounded by entries (issue 17): a cursor can point inside a change set, so a
page holds at most `limit` entries however large its change sets; the entries do not
depend on the paging, a cursor names only public entries, and a bad cursor is a 400."""

import base64

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from sahel.core import services
from sahel.core.history import change_set
from sahel.read import changes, feed

pytestmark = pytest.mark.django_db


def get(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def walk(client, limit: int, since=None) -> tuple[list[dict], list[dict]]:
    entries, pages = [], []
    while True:
        page = get(client, limit=limit, **({"since": since} if since else {}))
        pages.append(page)
        entries += page["results"]
        if page["next"] is None:
            return entries, pages
        since = page["cursor"]


def position(cursor: str) -> list[str]:
    """What a cursor holds (the tests look inside; clients need not)."""
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")


@pytest.fixture
def big(make, editor):
    """One change set creating 9 published actors, 2 drafts among them, and a tie; then
    one that renames its place (every actor there updated) and an edit of one actor."""
    place = make.place(name="Kidal")
    with change_set(editor, "bulk load"):
        actors = [
            make.actor(name=f"Bulk {n}", status="draft" if n in (2, 6) else "published", area=place)
            for n in range(9)
        ]
        tie = make.affiliation(actors[0], actors[1], status="published")
    services.update(
        place, user=editor, reason="renamed", expected_version=place.version, name="Kidal town"
    )
    third = actors[3]
    services.update(
        third, user=editor, reason="described", expected_version=third.version, description="x"
    )
    return {"actors": actors, "tie": tie, "drafts": {actors[2].pk, actors[6].pk}}


def test_a_page_holds_at_most_limit_entries_inside_a_change_set(big):
    client = APIClient()
    whole = get(client, limit=1000)["results"]
    start = whole.index(next(e for e in whole if e.get("reason") == "bulk load"))
    bulk = [e for e in whole if e.get("reason") == "bulk load"]
    # The public actors, then the tie (resources in order, each by id); no draft.
    assert [(e["resource"], e["id"]) for e in bulk] == [
        ("actors", a.pk) for a in big["actors"] if a.pk not in big["drafts"]
    ] + [("affiliations", big["tie"].pk)]
    rest = whole[start:]
    for limit in (2, 5):
        entries, pages = walk(client, limit, since=whole[start - 1]["cursor"])
        assert entries == rest, limit
        assert all(len(page["results"]) == limit for page in pages[:-1])
        assert len(pages[-1]["results"]) <= limit
    # An entry's cursor resumes right after it, inside its change set too.
    middle = start + 3
    assert walk(client, 1000, since=whole[middle]["cursor"])[0] == whole[middle + 1 :]


def test_cursors_name_only_public_entries(big):
    """A page's cursor is its last entry's: the resource and id it holds are that entry's,
    so it cannot point at (or count) a draft passed over in the same change set."""
    client = APIClient()
    entries, pages = walk(client, 3)
    shown = {(e["resource"], str(e["id"])) for e in entries}
    for page in pages:
        held = position(page["cursor"])
        if len(held) == 4:
            assert (held[2], held[3]) in shown
            assert int(held[3]) not in big["drafts"] or held[2] != "actors"
    for entry in entries:
        assert position(entry["cursor"])[2:] == [entry["resource"], str(entry["id"])]
    # The end of the feed: the cursor of the last entry, stable until something public.
    end = pages[-1]["cursor"]
    assert end == entries[-1]["cursor"]
    assert get(client, since=end) == {"cursor": end, "next": None, "results": []}


def test_a_page_reads_a_bounded_number_of_objects(big, monkeypatch):
    """However large the change set, a page compares at most `limit` objects and reads
    at most `limit` + FEED_LOOKAHEAD candidates a batch."""
    seen = []
    original = changes.public_ids

    def counting(projection, groups):
        seen.append(sum(len(ids) for _, ids in groups.values()) // 2)
        return original(projection, groups)

    since = _cursor_before(big)
    monkeypatch.setattr(feed, "FEED_LOOKAHEAD", 1)
    monkeypatch.setattr(changes, "public_ids", counting)
    page = get(APIClient(), limit=2, since=since)
    assert [e["reason"] for e in page["results"]] == ["bulk load", "bulk load"]
    assert sum(seen) <= 3, seen


def _cursor_before(big):
    """The cursor just before the bulk change set: after the place's creation."""
    everything = get(APIClient(), limit=1000)["results"]
    first = next(i for i, e in enumerate(everything) if e.get("reason") == "bulk load")
    return everything[first - 1]["cursor"]


def test_the_sql_owners_are_the_history_owners(big, make, editor):
    """`sahel.read.owners` (SQL joins around the ORM's SQL) against the owners the history
    finds (`objects_touched`, whole change sets): the same feed, paged small."""
    source = make.source(title="Report")
    make.citation(big["actors"][0], source, locator="p. 1")
    make.name(big["actors"][4], "Alias", status="published")
    services.update(
        source, user=editor, reason="retitled", expected_version=source.version, title="R2"
    )
    client = APIClient()
    fast, _ = walk(client, 4)
    with override_settings(SAHEL_FEED_OWNERS_SQL=False):
        slow, _ = walk(client, 4)
    assert fast == slow
    assert {(e["resource"], e["id"]) for e in fast if e.get("reason") == "retitled"} >= {
        ("actors", big["actors"][0].pk),
        ("sources", source.pk),
    }


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000|actors",
        "2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000|nothing|1",
        "2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000|actors|x",
        "2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000|actors|-1",
        "2026-01-01T00:00:00+00:00|00000000-0000-0000-0000-000000000000|actors|1|2",
    ],
)
def test_a_malformed_cursor_is_a_400_naming_since(raw):
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    response = APIClient().get("/api/v1/changes/", {"since": cursor})
    assert response.status_code == 400
    assert "is not a cursor given out by this feed" in response.json()["since"][0]
