"""Plain words for a date that is not EDTF: what is wrong with it, and what to write
instead. The EDTF parser says only where it stopped ("Error at position 4"); editors type
what the source says ("late 2015", "March 2012", "the 1990s", "2015-2016", "c. 2000"), or
a date that does not exist ("2015-13", "2013-02-29"). `advice()` recognises those and
answers with the EDTF value to use, checked to be valid itself; `fuzzy_dates` puts it in
its validation message.

Written here rather than taken from a library: the edtf package parses EDTF but has no
error reporting beyond pyparsing's position, and no natural-language reader fits what is
needed (suggest an *equivalent EDTF value*, never invent precision: "late 2015" is a range
of months, not a day).
"""

import calendar
import re
from collections.abc import Callable

MONTHS = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
    # French: many of the sources are French
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
# Parts of a year, as months (a quarter at each end, the middle months between).
PARTS_OF_YEAR = {"early": (1, 3), "mid": (5, 8), "late": (10, 12)}
# Parts of a decade, as years.
PARTS_OF_DECADE = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}
APPROXIMATELY = r"(?:c\.|ca\.?|circa|around|about|approximately|approx\.?|vers|environ)"
UP_TO = r"(?:until|till|up to|by|no later than|jusqu'en|jusqu’en)"
FROM = r"(?:since|from|as of|depuis)"


def advice(text: str, is_valid: Callable[[str], bool]) -> str | None:
    """What is wrong with `text` (not valid EDTF) in plain words, with the value to use,
    or None when nothing specific is known. `is_valid` checks a suggestion."""
    typed = text.strip()
    for rule in RULES:
        found = rule(typed, typed.lower())
        if found is None:
            continue
        message, suggestion = found
        if suggestion is None or is_valid(suggestion):
            return message
    return None


def _impossible_date(typed: str, low: str):
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", typed)
    if not match:
        return None
    year, month_text, day_text = match.groups()
    month = int(month_text)
    if len(month_text) == 1 or (day_text is not None and len(day_text) == 1):
        fixed = f"{year}-{month:02d}" + (f"-{int(day_text):02d}" if day_text else "")
        return f"write the month and the day with two digits: {fixed}", fixed
    if not 1 <= month <= 12:
        return f"month {month_text} does not exist (months are 01 to 12)", None
    if day_text is None:
        return None
    day, days = int(day_text), calendar.monthrange(int(year), month)[1]
    month_name = f"{calendar.month_name[month]} {year}"
    if month == 2 and day == 29 and days == 28:
        return f"{year} is not a leap year: {month_name} has 28 days", None
    if not 1 <= day <= days:
        return f"day {day_text} does not exist: {month_name} has {days} days", None
    return None


def _span(typed: str, low: str):
    match = re.fullmatch(
        r"(?:between\s+|from\s+)?(\d{4}(?:-\d{2}){0,2})\s*(?:[-–—]|to|and|until|à)\s*"
        r"(\d{4}(?:-\d{2}){0,2})",
        low,
    )
    if not match:
        return None
    start, end = match.groups()
    return f"use {start}/{end} for a span from {start} to {end} ('/', not '-')", f"{start}/{end}"


def _part_of_year(typed: str, low: str):
    match = re.fullmatch(r"(early|mid|late)[\s-]+(\d{4})", low)
    if not match:
        return None
    part, year = match.groups()
    first, last = PARTS_OF_YEAR[part]
    value = f"{year}-{first:02d}/{year}-{last:02d}"
    return f"use {value} for {typed!r} (a range of months, as precise as the source)", value


def _decade(typed: str, low: str):
    match = re.fullmatch(r"(?:the\s+)?(?:(early|mid|late)[\s-]+)?(\d{3})0['’]?s", low)
    if not match:
        return None
    part, stem = match.groups()
    if part is None:
        value = f"{stem}X"
        return f"use {value} for {typed!r} (some year of the decade)", value
    first, last = PARTS_OF_DECADE[part]
    value = f"{stem}{first}/{stem}{last}"
    return f"use {value} for {typed!r} (a range of years)", value


def _approximately(typed: str, low: str):
    match = re.fullmatch(rf"{APPROXIMATELY}\s*(\d{{4}}(?:-\d{{2}}){{0,2}})", low)
    if not match:
        return None
    value = f"{match.group(1)}~"
    return f"use {value} for {typed!r} ('~' after the date means approximately)", value


def _open_ranges(typed: str, low: str):
    date = r"(\d{4}(?:-\d{2}){0,2})"
    if match := re.fullmatch(r"before\s+(\d{4})", low):
        value = f"../{int(match.group(1)) - 1}"
        return f"use {value} for {typed!r} (an open start, up to the year before)", value
    if match := re.fullmatch(rf"{UP_TO}\s+{date}", low):
        value = f"../{match.group(1)}"
        return f"use {value} for {typed!r} (an open start)", value
    if match := re.fullmatch(rf"{FROM}\s+{date}", low):
        value = f"{match.group(1)}/.."
        return f"use {value} for {typed!r} (from then on, still open)", value
    if match := re.fullmatch(r"after\s+(\d{4})", low):
        value = f"{int(match.group(1)) + 1}/.."
        return f"use {value} for {typed!r} (from the year after, still open)", value
    return None


def _month_names(typed: str, low: str):
    words = re.sub(r"[,.]", " ", low).split()
    months = [w for w in words if w in MONTHS]
    years = [w for w in words if re.fullmatch(r"\d{4}", w)]
    days = [w for w in words if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th|er)?", w)]
    if len(months) != 1 or len(years) != 1 or len(days) > 1:
        return None
    if len(months) + len(years) + len(days) != len(words):
        return None
    value = f"{years[0]}-{MONTHS[months[0]]:02d}"
    if days:
        day = int(re.match(r"\d+", days[0]).group())
        value += f"-{day:02d}"
    return f"write dates year first, in numbers: {value} for {typed!r}", value


def _day_first(typed: str, low: str):
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", typed)
    if not match:
        return None
    first, second, year = match.groups()
    options = []
    for day, month in ((first, second), (second, first)):
        if 1 <= int(month) <= 12 and 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
            value = f"{year}-{int(month):02d}-{int(day):02d}"
            if value not in options:
                options.append(value)
    if not options:
        return None
    return f"write dates year first: {' or '.join(options)}", None


def _spaces(typed: str, low: str):
    squeezed = re.sub(r"\s+", "", typed)
    if squeezed == typed or not squeezed:
        return None
    return f"remove the spaces: {squeezed}", squeezed


def _long_year(typed: str, low: str):
    match = re.fullmatch(r"(\d{5,})", typed)
    if not match:
        return None
    return "a year has four digits (2015); a month is 2015-10, a day 2015-10-14", None


RULES = (
    _impossible_date,
    _span,
    _part_of_year,
    _decade,
    _approximately,
    _open_ranges,
    _month_names,
    _day_first,
    _spaces,
    _long_year,
)

GENERIC = (
    "it is not a form this field knows: write a year (2012), a month (2012-09), a day "
    "(2012-09-14), approximately (2000~), some year of a decade (201X) or a range "
    "(2015-10/2015-12)"
)
