"""Relay connections: offset cursors, and one page of a queryset read as a batch."""

import base64

from django.db.models import QuerySet

from sahel.graphql.arguments import bad_argument, page_size
from sahel.graphql.batches import Batch, Record
from sahel.graphql.budget import budget
from sahel.graphql.selection import ref_columns, wanted_in_connection
from sahel.read.search import SEARCH_COLUMNS, search_match


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_offset(cursor: str | None, argument: str = "after") -> int:
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, number = raw.split(":")
        if prefix != "offset" or not number.isdigit() or len(number) > 18:
            raise ValueError
        return int(number) + 1
    except (ValueError, UnicodeDecodeError):
        raise bad_argument(argument, f"{cursor!r} is not a cursor given out here.") from None


class Page:
    """One page of a connection: its records, lazily its total count."""

    def __init__(
        self,
        queryset: QuerySet,
        records: list[Record],
        offset: int,
        has_next: bool,
        matches: list[dict] | None = None,
    ):
        self._queryset, self.records, self.offset, self.has_next = (
            queryset,
            records,
            offset,
            has_next,
        )
        self.matches = matches  # with a search: why each record matched (search_match)

    @property
    def total_count(self) -> int:
        return self._queryset.order_by().count()


def read_page(info, projection, queryset: QuerySet, *, first, after, as_of) -> Page:
    size = page_size(first)
    offset = decode_offset(after)
    columns = dict.fromkeys([*projection.columns(), *ref_columns(projection)])
    searching = SEARCH_COLUMNS[0] in queryset.query.annotations
    if searching:
        columns.update(dict.fromkeys(SEARCH_COLUMNS))
    window = list(queryset.values(*columns)[offset : offset + size + 1])
    has_next = len(window) > size
    batch = Batch.of_rows(
        projection,
        window[:size],
        as_of=as_of,
        budget=budget(info),
        fields=wanted_in_connection(info),
    )
    matches = [search_match(row) for row in window[:size]] if searching else None
    return Page(queryset, batch.records, offset, has_next, matches)
