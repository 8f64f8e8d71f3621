"""Fuzzy dates: EDTF strings with derived calendar bounds.

A fuzzy date is stored as the EDTF text the editor typed (`2012`, `2012-09`, `2000~`,
`201X`, `2015-10/2015-12`, `../2015`) plus two derived columns, `<name>_lower` and
`<name>_upper`: the earliest and latest calendar day the value can mean. Approximate (`~`)
and uncertain (`?`) values use the `edtf` package's widened ("fuzzy") bounds, so filtering
never excludes a day the source's hedging allows. An open or unknown end is NULL.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException

from sahel.core.date_advice import GENERIC, advice

EDTF_HELP = (
    "Extended Date/Time Format (EDTF). Examples: 2012 · 2012-09 · 2012-09-14 · "
    "2000~ (approximately 2000) · 2012? (uncertain) · 201X (some year in the 2010s) · "
    "2015-10/2015-12 (between October and December 2015) · 2012/2015 (a span) · "
    "../2015 (up to 2015, open start) · 2015/.. (from 2015, still open) · "
    "/2015 (start unknown). Leave empty when the source gives no date."
)

# Interval ends that the edtf package does not turn into bounds itself: `..` is an open
# end ("and ever since"), an empty side is an unknown end. `..2015` / `2015..` are accepted
# as shorthand for `../2015` / `2015/..`.
_SHORTHAND_OPEN_START = re.compile(r"^\.\.(?!/)(.+)$")
_SHORTHAND_OPEN_END = re.compile(r"^(.+?)(?<!/)\.\.$")
MAX_LENGTH = 64  # the column's size; longer input is refused before the parser sees it


@dataclass(frozen=True)
class Bounds:
    lower: datetime.date | None
    upper: datetime.date | None


def _single_bounds(text: str) -> Bounds:
    try:
        parsed = parse_edtf(text)
    except EDTFParseException:
        raise ValidationError(
            "%(value)s is not a valid EDTF date: %(reason)s.",
            code="invalid_edtf",
            params={"value": repr(text), "reason": advice(text, _is_valid) or GENERIC},
        ) from None
    except Exception:
        raise ValidationError(
            "%(value)s is not a valid EDTF date.",
            code="invalid_edtf",
            params={"value": repr(text)},
        ) from None
    try:
        lower = struct_time_to_date(parsed.lower_fuzzy())
        upper = struct_time_to_date(parsed.upper_fuzzy())
    except Exception:
        raise ValidationError(
            "%(value)s has no calendar bounds this database can use.",
            code="invalid_edtf",
            params={"value": repr(text)},
        ) from None
    if lower > upper:
        raise ValidationError(
            "%(value)s ends before it starts.", code="invalid_edtf", params={"value": repr(text)}
        )
    return Bounds(lower, upper)


def parse_bounds(text: str) -> Bounds:
    """Return the calendar bounds of an EDTF string; raise ValidationError naming the value."""
    text = (text or "").strip()
    if not text:
        return Bounds(None, None)
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            "%(value)s is too long for a date (at most %(max)d characters).",
            code="invalid_edtf",
            params={"value": repr(text[:20] + "…"), "max": MAX_LENGTH},
        )
    try:
        return _parse_bounds(text)
    except ValidationError:
        # The parser's words ("Error at position 4") replaced by what is wrong and what
        # to write instead, when the value is recognisable ("late 2015", "2015-13").
        hint = advice(text, _is_valid)
        if hint is None:
            raise
        raise ValidationError(
            "%(value)s is not a valid EDTF date: %(reason)s.",
            code="invalid_edtf",
            params={"value": repr(text), "reason": hint},
        ) from None


def _is_valid(text: str) -> bool:
    try:
        _parse_bounds(text)
    except ValidationError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _parse_bounds(text: str) -> Bounds:
    # Pure and slow (pyparsing: ~25 ms a value), so cached; errors are not cached.
    # Messages name the value as typed, not as rewritten here.
    typed = repr(text)
    if match := _SHORTHAND_OPEN_START.match(text):
        text = f"../{match.group(1)}"
    elif match := _SHORTHAND_OPEN_END.match(text):
        text = f"{match.group(1)}/.."
    if "/" in text:
        start, _, end = text.partition("/")
        if "/" in end:
            raise ValidationError(
                "%(value)s has more than one '/'.",
                code="invalid_edtf",
                params={"value": typed},
            )
        lower = None if start in {"", ".."} else _single_bounds(start).lower
        upper = None if end in {"", ".."} else _single_bounds(end).upper
        if lower is None and upper is None:
            raise ValidationError(
                "%(value)s is open at both ends.", code="invalid_edtf", params={"value": typed}
            )
        if lower is not None and upper is not None and lower > upper:
            raise ValidationError(
                "%(value)s ends before it starts.",
                code="invalid_edtf",
                params={"value": typed},
            )
        return Bounds(lower, upper)
    return _single_bounds(text)


def validate_edtf(value: str) -> None:
    parse_bounds(value)


class EDTFField(models.CharField):
    """EDTF text. The model declares `<name>_lower` / `<name>_upper` DateFields beside it;
    `sahel.core.models.TrackedModel` keeps them in step on every save and bulk write."""

    default_validators = [validate_edtf]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("help_text", EDTF_HELP)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs


def fuzzy_date_bounds(name: str) -> tuple[models.DateField, models.DateField]:
    """The two derived bound columns of the EDTF field `name` (declared by the model)."""
    return (
        models.DateField(
            null=True,
            blank=True,
            editable=False,
            db_index=True,
            help_text=f"Earliest day `{name}` can mean (derived).",
        ),
        models.DateField(
            null=True,
            blank=True,
            editable=False,
            db_index=True,
            help_text=f"Latest day `{name}` can mean (derived).",
        ),
    )


def iso_prefix(lower: datetime.date | None, upper: datetime.date | None) -> str | None:
    """The most precise ISO 8601 date prefix (`2012-09-14`, `2012-09`, `2012`) that is still
    true of a fuzzy date with these bounds — every day it can mean lies in it — or None when
    none is (an open end, a span across years, `2000~` whose hedging reaches 1999 and 2001).
    What formats that know only ISO dates (Popolo, FollowTheMoney) can say without lying."""
    if lower is None or upper is None:
        return None
    if lower == upper:
        return lower.isoformat()
    if (lower.year, lower.month) == (upper.year, upper.month):
        return f"{lower.year:04d}-{lower.month:02d}"
    if lower.year == upper.year:
        return f"{lower.year:04d}"
    return None
