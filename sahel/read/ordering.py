"""`ordering`: the public sort keys of a resource, the same in REST and GraphQL."""

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F
from django.db.models.functions import Collate, Lower


def order_by_param(queryset, model, orderings: dict, raw: str | None, *, default: str):
    """Order by `raw` ("name,-begin": public names of `orderings`, - to reverse), or by
    `default`, or best search match first when searching."""
    if raw == "":
        raise ValidationError(
            {"ordering": [f"Empty: order by one of {', '.join(sorted(orderings))}."]}
        )
    if raw is None:
        if "search_rank" in queryset.query.annotations:
            return queryset  # best match first
        raw = default
    columns = []
    for term in raw.split(","):
        descending = term.startswith("-")
        name = term.removeprefix("-")
        if name not in orderings:
            raise ValidationError(
                {
                    "ordering": [
                        f"{term!r}: order by one of "
                        f"{', '.join(sorted(orderings))} (prefix - to reverse)."
                    ]
                }
            )
        for column in orderings[name]:
            value = _sort_value(model, column)
            columns.append(
                value.desc(nulls_last=True) if descending else value.asc(nulls_last=True)
            )
    # Unknown dates last on every database (SQLite and PostgreSQL disagree otherwise).
    return queryset.order_by(*columns, "id")


def _sort_value(model, column: str):
    """Text sorts by its lowercase in code-point order, the same on every database
    (SQLite compares case-sensitively, PostgreSQL by its locale otherwise)."""
    if isinstance(model._meta.get_field(column), models.CharField | models.TextField):
        collation = "C" if connection.vendor == "postgresql" else "BINARY"
        return Collate(Lower(column), collation)
    return F(column)
