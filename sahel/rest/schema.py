"""OpenAPI documentation derived from the same declarations the API runs on: response
schemas from projections, parameters from FilterSets and orderings, so the schema cannot
drift from what the endpoints return.

Every object shape is a named model (sahel/rest/components.py), referenced by the list,
the detail, the history, the change feed and the export alike.

Parameters state their real constraints: list values are non-empty and come from their
vocabulary, EDTF values match `edtf_pattern()` (a syntax every string of which the server
accepts), instants are date-times. What JSON Schema cannot say (an interval's start not
after its end, `date_from` not after `date_to`, `as_of` not in the future, a slug naming a
public object, a cursor given out by the feed) is said in the parameter's description.
"""

import django_filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from sahel.read import tables
from sahel.read.filters import FuzzyDateFilter, PublicObjectFilter
from sahel.rest.components import (
    ERROR,
    by_resource,
    component,
    geojson_schema,
    history_entry_schema,
    model_name,
    nullable,
    object_schema,
    page_schema,
    projection_schema,
)


class ProjectionSchema(AutoSchema):
    """Our response schemas describe whole pages already: no wrapping in an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "list":
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


NOT_HIDDEN = "A hidden or absent object is the same 400, naming the parameter."
SLUG_OR_ID = {
    "type": "string",
    "pattern": r"^[-a-zA-Z0-9_]*$",
    "maxLength": 200,
}  # empty: no filter
SLUG_OR_ID_ITEM = {**SLUG_OR_ID, "description": "An id or a slug."}


def _edtf_single(qualified_years: str) -> str:
    month = "(0[1-9]|1[0-2])"
    month_day = (
        "((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
    )
    leap_year = "([1-9][0-9](0[48]|[2468][048]|[13579][26])|([13579][26]|[2468][048])00)"
    year = "[1-9][0-9]{3}"
    return (
        f"({year}(-{month_day}|-{month})?|{leap_year}-02-29|[1-9][0-9]{{2}}X|[1-9][0-9]XX"
        f"|{qualified_years}(-{month})?[~?%])"
    )


# A year with a qualifier (~ ? %) is widened by the parser: kept below 9900 to stay in the
# calendar.
EDTF_SINGLE = _edtf_single("([1-8][0-9]{3}|9[0-8][0-9]{2})")


def edtf_pattern(*, open_start: bool = True, open_end: bool = True) -> str:
    """The EDTF syntax a filter accepts: a date (2018, 2018-09, 2018-09-14, 201X, 2018~)
    or an interval of two (2015-10/2015-12), open (../2015, 2015/..) or with an unknown
    end (/2015, 2015/) where the parameter can use one. Every match parses; an interval
    whose start is after its end (2016/2015) matches, and is refused (a 400)."""
    single = EDTF_SINGLE
    # Each form once (the pattern is compiled by every client and fuzzer that reads it).
    end = rf"(/({single}|\.\.)?|\.\.)?" if open_end else f"(/{single})?"
    forms = [f"{single}{end}"]
    if open_start:
        forms += [rf"(\.\.)?/{single}", rf"\.\.{single}"]
    return "^(" + "|".join(forms) + ")?$"  # empty: no filter


EDTF_DESCRIPTION = (
    " EDTF (2018, 2018-09, 2018-09-14, 201X, 2018~, 2015-10/2015-12); an interval's start is "
    "not after its end."
)
EDTF_PARAMETERS = {
    # name: (pattern arguments, what it adds to the description)
    "date_from": (
        {"open_start": False},
        " Not open at the start (../2015), and not after date_to.",
    ),
    "date_to": ({"open_end": False}, " Not open at the end (2015/..)."),
    "valid_at": ({}, " Not open at both ends."),
}


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    parameters = []
    for name, spec in filterset_class.base_filters.items():
        description = spec.extra.get("help_text") or ""
        many = isinstance(spec, django_filters.MultipleChoiceFilter) or getattr(spec, "many", False)
        if many:
            if "choices" in spec.extra:
                items = {"type": "string", "enum": [choice for choice, _ in spec.extra["choices"]]}
            else:
                items = SLUG_OR_ID_ITEM
                description += " " + NOT_HIDDEN
            parameters.append(
                OpenApiParameter(
                    name,
                    {"type": "array", "items": items, "minItems": 1},
                    description=(description or "One or more values.")
                    + " Repeat the parameter or separate values by commas.",
                    explode=True,
                )
            )
        elif isinstance(spec, FuzzyDateFilter):
            arguments, more = EDTF_PARAMETERS[name]
            schema = {"type": "string", "pattern": edtf_pattern(**arguments)}  # 21 chars at most
            parameters.append(
                OpenApiParameter(name, schema, description=description + EDTF_DESCRIPTION + more)
            )
        elif isinstance(spec, PublicObjectFilter) or spec.method == "filter_actor":
            parameters.append(
                OpenApiParameter(name, SLUG_OR_ID, description=f"{description} {NOT_HIDDEN}")
            )
        else:
            limit = spec.extra.get("max_length")
            schema = {"type": "string", "pattern": "^[^\\u0000]*$"}  # no NUL character
            if limit:
                schema["maxLength"] = limit
            parameters.append(OpenApiParameter(name, schema, description=description))
    return parameters


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="Read the database as it stood at this instant (ISO 8601; a date, "
    "2025-03-01, means its start, UTC). Not in the future: its answer could still change.",
)
OBJECT = OpenApiParameter(
    "id",
    {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"},
    OpenApiParameter.PATH,
    description="The object's id (12) or its slug (jnim).",
)
PAGE = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},  # 18 digits: within a bigint
    description="Page number, from 1 (a page past the end is a 404).",
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": 1000},
    description="Items per page, 1–1000 (default 100).",
)


def _ordering(resource) -> OpenApiParameter:
    names = sorted(resource.orderings)
    return OpenApiParameter(
        "ordering",
        {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]},
        description=f"Sort key (default {resource.default_ordering}); prefix - to reverse.",
    )


def document(viewset):
    """Attach the OpenAPI description of a ResourceViewSet's operations."""
    resource = viewset.resource
    name = model_name(resource.projection)
    item = projection_schema(resource.projection)
    detail = projection_schema(resource.detail)
    list_responses = {
        (200, "application/json"): page_schema(name, item),
        (200, "text/csv"): {"type": "string"},
        400: ERROR,
        404: ERROR,
    }
    detail_responses = {
        (200, "application/json"): detail,
        (200, "text/csv"): {"type": "string"},
        400: ERROR,
        404: ERROR,
    }
    if resource.geo:
        list_responses[(200, "application/geo+json")] = geojson_schema(name, item, many=True)
        detail_responses[(200, "application/geo+json")] = geojson_schema(
            model_name(resource.detail), detail, many=False
        )
    label = resource.model._meta.verbose_name
    history = component(
        f"{name}History",
        object_schema(
            {
                "id": {"type": "integer"},
                "revisions": {"type": "array", "items": history_entry_schema(name, item)},
            },
            f"The public revisions of one {label}, oldest first.",
        ),
    )
    return extend_schema_view(
        list=extend_schema(
            summary=f"List public {label} records",
            parameters=[
                *filter_parameters(resource.filterset),
                _ordering(resource),
                AS_OF,
                PAGE,
                PAGE_SIZE,
            ],
            responses=list_responses,
        ),
        retrieve=extend_schema(
            summary=f"One public {label}",
            parameters=[AS_OF, OBJECT],
            responses=detail_responses,
        ),
        history=extend_schema(
            summary=f"Public revisions of one {label}",
            parameters=[OBJECT],
            responses={200: history, 400: ERROR, 404: ERROR},
        ),
    )(viewset)


def change_feed_schema(resources: dict) -> dict:
    """`resources`: name -> Resource (`sahel.read.resources.resources()`)."""
    resources = {name: resource.projection for name, resource in resources.items()}

    def entry(projection):
        name = model_name(projection)
        return {
            "allOf": [
                history_entry_schema(name, projection_schema(projection)),
                object_schema({"cursor": {"type": "string"}}),
            ]
        }

    feed_entry = component(
        "ChangeFeedEntry",
        by_resource(resources, lambda projection: f"{model_name(projection)}Change", entry),
    )
    return {
        "summary": "Every change to public data, in commit order",
        "parameters": [
            OpenApiParameter(
                "since",
                {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
                description="A cursor this feed gave out (a page's or an entry's `cursor`); "
                "resumes right after it, inside its change set too. Opaque; empty or left "
                "out: from the start.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 1000},
                description="Entries per page, 1–1000 (default 100); a page can end inside "
                "a change set.",
            ),
        ],
        "responses": {
            200: component(
                "ChangeFeedPage",
                object_schema(
                    {
                        "cursor": nullable({"type": "string"}),
                        "next": nullable({"type": "string", "format": "uri"}),
                        "results": {"type": "array", "items": feed_entry},
                    },
                    "Entries after `since`, in commit order: each object a change set "
                    "changed is an entry.",
                ),
            ),
            400: ERROR,
        },
    }


def export_schema(resources: dict) -> dict:
    """`resources`: name -> Resource (`sahel.read.resources.resources()`)."""
    resources = {name: resource.projection for name, resource in resources.items()}
    lines = by_resource(
        resources, lambda projection: f"{model_name(projection)}Line", projection_schema
    )
    end = component(
        "ExportEnd",
        object_schema(
            {
                "resource": {"type": "string", "enum": ["end"]},
                "records": {"type": "integer", "minimum": 0},
                "as_of": {"type": "string", "format": "date-time"},
            },
            "The export's closing line: the count of the lines before it and the instant "
            "of its snapshot. A body without it was cut short.",
        ),
    )
    lines["oneOf"].append(end)
    lines["discriminator"]["mapping"]["end"] = end["$ref"]
    component("ExportLine", lines)
    return {
        "summary": "The whole public dataset as streamed JSON Lines",
        "description": "JSON Lines (`application/x-ndjson`): each line one `ExportLine`, an "
        "object of the list's model with its `resource`, the last the closing line "
        '(`ExportEnd`: `resource` "end", the count of records, the snapshot\'s instant). '
        "Generators that do not know the "
        "media type can read it as text (openapi-python-client: `content_type_overrides`), "
        "each line parsed as an `ExportLine`.",
        "parameters": [
            OpenApiParameter(
                "resource",
                {
                    "type": "array",
                    "items": {"type": "string", "enum": list(resources)},
                    "minItems": 1,
                },
                description="Which resources (default all). Repeat the parameter or "
                "separate values by commas. Not with format=csv or popolo, which hold every "
                "resource.",
                explode=True,
            ),
            AS_OF,
            EXPORT_FORMAT,
            OpenApiParameter(
                "table",
                {"type": "string", "enum": list(tables.layout(resources)[1])},
                description="With format=csv, and required then: the flat table, scalar "
                "columns joined by id.",
            ),
        ],
        "responses": {
            (200, "application/x-ndjson"): {
                "type": "string",
                "description": "JSON Lines: each line one `ExportLine` object, the last the "
                "closing line (`ExportEnd`); with format=ftm, FollowTheMoney entities.",
            },
            (200, "text/csv"): {"type": "string"},
            (200, "application/json"): {
                "type": "object",
                "description": "?format=popolo: one Popolo document.",
                "properties": {
                    key: {"type": "array", "items": {"type": "object"}}
                    for key in ("persons", "organizations", "memberships", "events", "areas")
                },
            },
            400: ERROR,
        },
    }


EXPORT_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["jsonl", "ftm", "popolo", "csv"],
    description="jsonl (default): JSON Lines, one object a line, then a closing line "
    '{"resource": "end", "records": N, "as_of": T}; ftm: FollowTheMoney entities as JSON '
    "Lines; popolo: one Popolo JSON document (application/json); csv: one flat table "
    "(`table`).",
)
