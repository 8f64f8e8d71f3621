"""Parameters every public surface parses the same way (REST `as_of`, GraphQL `asOf`).

Errors are Django `ValidationError`s keyed by the REST parameter name; each surface words
them its own way (REST: a 400 naming the parameter; GraphQL: an error naming the argument).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def parse_instant(raw: str, param: str = "as_of") -> datetime.datetime:
    """An `as_of` value: an ISO 8601 instant (2025-03-01T12:00:00Z) or a date (its start,
    UTC), in the past, in UTC."""
    try:
        instant = parse_datetime(raw)
        if instant is None and (day := parse_date(raw)) is not None:
            instant = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        instant = None
    if instant is None:
        raise ValidationError(
            {
                param: [
                    f"{raw!r} is not an ISO 8601 date or date-time (e.g. 2025-03-01 or "
                    "2025-03-01T12:00:00Z)."
                ]
            }
        )
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=datetime.UTC)
    try:
        instant = instant.astimezone(datetime.UTC)
    except OverflowError:
        # An instant at an end of the calendar whose UTC time is past it (0001-01-01T00:00
        # +05:00): before anything was recorded, the first instant there is says the same;
        # at the far end it is in the future, refused below.
        instant = datetime.datetime.min if instant.year == 1 else datetime.datetime.max
        instant = instant.replace(tzinfo=datetime.UTC)
    if instant > timezone.now():
        # The future is not reproducible: the answer would change as edits land.
        raise ValidationError({param: [f"{raw!r} is in the future."]})
    return instant
