"""`changes(since)`: the REST change feed, as GraphQL."""

import strawberry
from strawberry.scalars import JSON

from sahel.graphql.arguments import bad_argument, page_size
from sahel.read import changes
from sahel.read.resources import projections


@strawberry.type(description="One public object created, updated or removed by a change set.")
class Change:
    cursor: str = strawberry.field(
        description="Resume right after this entry with `since` (inside its change set too)."
    )
    resource: str = strawberry.field(description="actors, affiliations, events, places, sources")
    id: strawberry.ID
    action: str = strawberry.field(description="created, updated or removed")
    time: str
    reason: str | None = strawberry.field(description="Why (not given on removals).")
    changes: JSON | None = strawberry.field(description="Changed fields, on updates.")
    data: JSON | None = strawberry.field(description="The object after the change.")


@strawberry.type(description="Changes in commit order, and where to resume.")
class ChangePage:
    cursor: str = strawberry.field(description="Pass as `since` to get the changes after these.")
    has_more: bool
    entries: list[Change]


@strawberry.type
class Query:
    @strawberry.field(
        description="Every change to public data in commit order, up to `limit` entries after "
        "`since` (a cursor from an earlier answer or entry; from the beginning without one). "
        "A page can end inside a change set; its `cursor` resumes right there."
    )
    def changes(self, since: str | None = None, limit: int | None = None) -> ChangePage:
        size = page_size(limit, "limit")
        cursor = None
        if since is not None:
            try:
                cursor = changes.decode_cursor(since)
            except ValueError as exc:
                raise bad_argument("since", str(exc)) from None
        entries, next_cursor, exhausted = changes.feed_page(cursor, size, projections())
        return ChangePage(
            cursor=changes.encode_cursor(next_cursor),
            has_more=not exhausted,
            entries=[
                Change(
                    cursor=entry["cursor"],
                    resource=entry["resource"],
                    id=entry["id"],
                    action=entry["action"],
                    time=entry["time"],
                    reason=entry.get("reason"),
                    changes=entry.get("changes"),
                    data=entry.get("data"),
                )
                for entry in entries
            ],
        )
