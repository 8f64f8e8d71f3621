import datetime

import pytest
from django.core.exceptions import ValidationError

from sahel.core.fuzzy_dates import parse_bounds

D = datetime.date


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("", None, None),
        ("2012", D(2012, 1, 1), D(2012, 12, 31)),
        ("2012-09", D(2012, 9, 1), D(2012, 9, 30)),
        ("2013-02-14", D(2013, 2, 14), D(2013, 2, 14)),
        ("2000~", D(1999, 1, 1), D(2001, 12, 31)),  # approximate: widened by a year each side
        ("2012?", D(2011, 1, 1), D(2013, 12, 31)),
        ("201X", D(2010, 1, 1), D(2019, 12, 31)),
        ("200X", D(2000, 1, 1), D(2009, 12, 31)),
        ("2015-10/2015-12", D(2015, 10, 1), D(2015, 12, 31)),
        ("2012/2015", D(2012, 1, 1), D(2015, 12, 31)),
        ("../2015", None, D(2015, 12, 31)),
        ("..2015", None, D(2015, 12, 31)),  # shorthand accepted
        ("2015/..", D(2015, 1, 1), None),
        ("2015..", D(2015, 1, 1), None),
        ("/2015", None, D(2015, 12, 31)),  # unknown start
        ("2015/", D(2015, 1, 1), None),  # unknown end
        ("2000~/2004~", D(1999, 1, 1), D(2005, 12, 31)),
    ],
)
def test_bounds(text, lower, upper):
    bounds = parse_bounds(text)
    assert (bounds.lower, bounds.upper) == (lower, upper)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2012-13", "'2012-13' is not a valid EDTF date"),
        ("early 2000s", "'early 2000s' is not a valid EDTF date"),
        ("2015/2012", "'2015/2012' ends before it starts"),
        ("../..", "'../..' is open at both ends"),
        ("2012/2013/2014", "has more than one '/'"),
        ("2012-02-30", "'2012-02-30' is not a valid EDTF date"),
        ("2012-1X", "'2012-1X' is not a valid EDTF date"),  # the parser crashes inside
        ("{2012," * 500, "is too long for a date"),  # refused before the slow parser runs
        ("..2015/2016", "'..2015/2016'"),  # named as typed
        ("[..1994]", "'[..1994]' has no calendar bounds"),
    ],
)
def test_invalid_values_name_the_value(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_bounds(text)
    assert message in " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("text", "plain_words"),
    [
        ("2015-13", "month 13 does not exist (months are 01 to 12)"),
        ("2012-00", "month 00 does not exist"),
        ("2012-09-31", "day 31 does not exist: September 2012 has 30 days"),
        ("2013-02-29", "2013 is not a leap year: February 2013 has 28 days"),
        ("2012-3", "two digits: 2012-03"),
        ("late 2015", "use 2015-10/2015-12 for 'late 2015'"),
        ("early 2015", "use 2015-01/2015-03 for 'early 2015'"),
        ("the 1990s", "use 199X for 'the 1990s'"),
        ("early 2000s", "use 2000/2003 for 'early 2000s'"),
        ("2015-2016", "use 2015/2016 for a span from 2015 to 2016"),
        ("c. 2000", "use 2000~ for 'c. 2000'"),
        ("circa 2000", "use 2000~"),
        ("before 2015", "use ../2014"),
        ("since 2015", "use 2015/.."),
        ("14 March 2012", "2012-03-14"),
        ("mars 2012", "2012-03"),
        ("12/03/2012", "year first: 2012-03-12 or 2012-12-03"),
        ("2012-13/2014", "'2012-13' is not a valid EDTF date: month 13 does not exist"),
        ("abc", "write a year (2012), a month (2012-09)"),
    ],
)
def test_invalid_values_are_explained_in_plain_words(text, plain_words):
    with pytest.raises(ValidationError) as caught:
        parse_bounds(text)
    message = " ".join(caught.value.messages)
    assert plain_words in message
    assert "position" not in message  # not the parser's words


def test_every_suggestion_is_itself_valid():
    import re

    for text in ("late 2015", "the 1990s", "mid 1990s", "2015 - 2016", "c. 2000", "until 2015"):
        with pytest.raises(ValidationError) as caught:
            parse_bounds(text)
        suggested = re.search(r"use (\S+) for", caught.value.messages[0]).group(1)
        assert parse_bounds(suggested).lower is not None or suggested.startswith("..")


@pytest.mark.parametrize(
    ("edtf", "prefix"),
    [
        ("2012", "2012"),
        ("2012-09", "2012-09"),
        ("2012-09-14", "2012-09-14"),
        ("2012-09-14/2012-09-20", "2012-09"),
        ("2015-10/2015-12", "2015"),
        ("2012-21", "2012"),  # spring 2012
        ("2012/2015", None),
        ("2000~", None),  # approximately: 1999 to 2001
        ("2012?", None),
        ("201X", None),
        ("../2015", None),
        ("2015/..", None),
        ("", None),
    ],
)
def test_iso_prefix_is_the_most_precise_prefix_still_true(edtf, prefix):
    from sahel.core.fuzzy_dates import iso_prefix, parse_bounds

    bounds = parse_bounds(edtf)
    assert iso_prefix(bounds.lower, bounds.upper) == prefix
