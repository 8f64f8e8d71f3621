"""Conditional GET for the public API: ETag and Last-Modified, and 304 when unchanged.

The ETag is built from a data version, not a timestamp: the sum of the highest history row
id of every tracked table. Every write adds history rows, so the version grows with each
committed change, even two changes within the same clock tick. Last-Modified (one-second
resolution) is the latest history timestamp, for clients that only speak dates.
"""

import hashlib

from django.db import connection
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from sahel.models import tracked_models


def data_version() -> tuple[int, float | None]:
    tables = [model.history.model._meta.db_table for model in tracked_models()]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT MAX(history_id), MAX(history_date) FROM {quote(table)}" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    version = sum(row[0] or 0 for row in rows)
    dates = [row[1] for row in rows if row[1] is not None]
    if dates and isinstance(dates[0], str):  # SQLite hands back text
        from django.utils.dateparse import parse_datetime

        dates = [parse_datetime(d) for d in dates]
    latest = max(dates).timestamp() if dates else None
    return version, latest


class ConditionalGetMixin:
    """For API views: answer 304 before doing any work when the client's copy is current."""

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        version, modified = data_version()
        key = "|".join([str(version), request.get_full_path(), request.headers.get("Accept", "")])
        etag = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=int(modified) if modified else None
        )
        if not_modified is not None:
            patch_vary_headers(not_modified, ["Accept"])
            return not_modified
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:
            response["ETag"] = etag
            if modified:
                response["Last-Modified"] = http_date(modified)
            patch_vary_headers(response, ["Accept"])
        return response
