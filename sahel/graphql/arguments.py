"""What GraphQL clients are told about bad input, and the arguments every field parses the
same way as REST: `asOf` (one parser for both APIs), `validAt`, `first`/`limit`."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from graphql import GraphQLError
from rest_framework import exceptions as drf_exceptions

from sahel.core.fuzzy_dates import parse_bounds
from sahel.read.params import parse_instant

MAX_PAGE_SIZE = 1000  # `first` on every connection, as `page_size` in REST


DEFAULT_PAGE_SIZE = 100


class PublicError(GraphQLError):
    """An error meant for the client (bad input, a limit): shown as is, never masked."""

    def __init__(self, message: str, *, argument: str | None = None, code="BAD_USER_INPUT"):
        extensions = {"code": code}
        if argument:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)


def bad_argument(argument: str, problem: str) -> PublicError:
    return PublicError(f"Bad argument `{argument}`: {problem}", argument=argument)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def input_errors(exc: Exception, *, prefix: str = "", names: dict | None = None) -> PublicError:
    """A DRF or Django validation error (keyed by REST parameter names) as one GraphQL
    error naming the GraphQL argument."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    else:
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
    names = names or {}
    problems, first = [], None
    for param, messages in detail.items():
        argument = names.get(param, prefix + camel(param)) if param else prefix.rstrip(".")
        first = first or argument
        text = " ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
        problems.append(f"`{argument}`: {text}")
    return PublicError("Bad argument " + "; ".join(problems), argument=first)


VALIDATION_ERRORS = (DjangoValidationError, drf_exceptions.ValidationError)


def parse_as_of(raw: str | None) -> datetime.datetime | None:
    """`asOf`: the same syntax and rules as REST's `as_of` (one parser for both)."""
    if raw is None:
        return None
    try:
        return parse_instant(raw)
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc, names={"as_of": "asOf"}) from None


def parse_valid_at(raw: str | None, argument: str = "validAt"):
    """An EDTF date or period, as (lower, upper) bounds."""
    if raw is None:
        return None
    try:
        bounds = parse_bounds(raw)
    except DjangoValidationError as exc:
        raise bad_argument(argument, " ".join(exc.messages)) from None
    if bounds.lower is None and bounds.upper is None:
        raise bad_argument(argument, f"{raw!r} has no known bounds.")
    return bounds


def page_size(first: int | None, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise bad_argument(argument, f"{first}: give a whole number from 1 to {MAX_PAGE_SIZE}.")
    return first
