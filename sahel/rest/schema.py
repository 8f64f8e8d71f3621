"""OpenAPI documentation derived from the same declarations the API runs on: response
schemas from projections, parameters from FilterSets and orderings, so the schema cannot
drift from what the endpoints return.

Every object shape is a named model in `components.schemas` (`Actor`, `ActorSummary`,
`Citation`, `FuzzyDate` ...), referenced by the list, the detail, the history, the change
feed and the export alike, so a generated client has one class per shape. The components
are collected while the operations are described (`component()`) and added to the schema
by `add_components`, a drf-spectacular postprocessing hook (settings).

Parameters state their real constraints: list values are non-empty and come from their
vocabulary, EDTF values match `edtf_pattern()` (a syntax every string of which the server
accepts), instants are date-times. What JSON Schema cannot say (an interval's start not
after its end, `date_from` not after `date_to`, `as_of` not in the future, a slug naming a
public object, a cursor given out by the feed) is said in the parameter's description.
"""

import django_filters
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from sahel.read import tables
from sahel.read.filters import FuzzyDateFilter, PublicObjectFilter
from sahel.read.projection import SOURCE_SUMMARY, Projection, Ref
from sahel.read.resources import resources


class ProjectionSchema(AutoSchema):
    """Our response schemas describe whole pages already: no wrapping in an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "list":
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


# Named models, by name: filled while the operations are described (urls.py), added to
# `components.schemas` by `add_components`.
COMPONENTS: dict[str, dict] = {}


def component(name: str, schema: dict) -> dict:
    """Name `schema`; returns a reference to it. One name, one shape."""
    known = COMPONENTS.setdefault(name, schema)
    if known != schema:
        raise ValueError(f"Two different schemas are named {name!r}.")
    return {"$ref": f"#/components/schemas/{name}"}


def add_components(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name in sorted(COMPONENTS):
        if name in schemas:
            raise ValueError(f"{name!r} is named twice in components.schemas.")
        schemas[name] = COMPONENTS[name]
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    for operation in result["paths"].get("/api/v1/export/", {}).values():
        lines = operation["responses"]["200"]["content"]["application/x-ndjson"]
        # What OpenAPI 3.2 calls the `itemSchema` of a sequential media type.
        lines["x-item-schema"] = {"$ref": "#/components/schemas/ExportLine"}
    return result


ERROR = component(
    "Error",
    {
        "type": "object",
        "description": "A refused request: each key names a parameter (or `detail`), each "
        "value says what is wrong. Errors outside a view (an unknown path, a method not "
        "allowed, a body too large, the database unavailable) give `detail` and `code` as "
        "text instead, with `retry_after` (503) or `limit_bytes` (413).",
        "properties": {
            "detail": {
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
            "code": {"type": "string"},
            "retry_after": {"type": "integer"},
            "limit_bytes": {"type": "integer"},
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
)


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:  # OpenAPI 3.0 ignores a $ref's siblings
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def field_schema(field: models.Field) -> dict:
    if isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, models.DecimalField):
        schema = {"type": "number"}
    elif isinstance(field, models.IntegerField | models.AutoField):
        schema = {"type": "integer"}
    elif isinstance(field, models.JSONField):
        schema = {"type": "array", "items": {"type": "string"}}
    elif isinstance(field, models.ForeignKey):
        schema = {"type": "integer"}
    else:
        schema = {"type": "string"}
    if field.choices and schema["type"] == "integer":
        # A range, not an enum: generators make one enum class per value type otherwise.
        values = [choice for choice, _ in field.choices]
        schema.update(minimum=min(values), maximum=max(values))
        schema["description"] = "; ".join(str(label) for _, label in field.choices)
    elif field.choices and schema["type"] == "string":
        schema["enum"] = [choice for choice, _ in field.choices]
        if field.blank:
            schema["enum"].append("")
    if field.null:
        schema = _nullable(schema)
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"description": description, **schema} if description else schema


FUZZY_DATE = component(
    "FuzzyDate",
    _object(
        {
            "edtf": {"type": "string", "description": "EDTF as the source gives it."},
            "lower": _nullable({"type": "string", "format": "date"}),
            "upper": _nullable({"type": "string", "format": "date"}),
        },
        "A date exactly as precise as its source: the EDTF text and the earliest and latest "
        "calendar day it can mean (null: an open or unknown end).",
    ),
)


def _model_name(model) -> str:
    return model._meta.object_name


def _ref_schema(ref: Ref) -> dict:
    properties = {"id": {"type": "integer"}}
    properties.update({name: field_schema(ref.model._meta.get_field(name)) for name in ref.fields})
    name = f"{_model_name(ref.model)}Summary"
    return _nullable(
        component(name, _object(properties, f"A public {ref.model._meta.verbose_name}, in short."))
    )


def citation_schema() -> dict:
    from sources.models import Citation, Source

    source = {"id": {"type": "integer"}}
    source.update({name: field_schema(Source._meta.get_field(name)) for name in SOURCE_SUMMARY})
    properties = {
        "id": {"type": "integer"},
        "source": _nullable(component("SourceSummary", _object(source, "A source, in short."))),
    }
    for name in ("locator", "quote", "stance", "credibility", "note"):
        properties[name] = field_schema(Citation._meta.get_field(name))
    properties["field"] = _nullable(
        {"type": "string", "description": "The field of the claim it supports, if one."}
    )
    return component("Citation", _object(properties, "A claim's link to a source."))


def _searched(projection: type[Projection]) -> bool:
    """Whether `projection` is the list of a resource with `search` (its rows then say why
    they matched)."""
    return any(
        resource.projection is projection and "search" in resource.filterset.base_filters
        for resource in resources().values()
    )


def model_name(projection: type[Projection]) -> str:
    """`ActorProjection` -> `Actor`, `SourceDetailProjection` -> `SourceDetail`."""
    return projection.__name__.removesuffix("Projection")


def projection_schema(projection: type[Projection]) -> dict:
    """A reference to the named model of `projection` (its children's models named too)."""
    meta = projection.model._meta
    properties = {"id": {"type": "integer"}}
    for name in projection.fields:
        properties[name] = field_schema(meta.get_field(name))
    for name in projection.dates:
        properties[name] = _nullable(FUZZY_DATE)
    for name, ref in projection.refs.items():
        properties[name] = _ref_schema(ref)
    for name, child in projection.children.items():
        properties[name] = {"type": "array", "items": projection_schema(child.projection)}
    if projection.cited:
        properties["citations"] = {"type": "array", "items": citation_schema()}
    description = (meta.model.__doc__ or "").strip()
    if description.startswith(f"{meta.object_name}("):  # Django's generated docstring
        description = f"A public {meta.verbose_name}."
    schema = _object(properties, description)
    if _searched(projection):  # optional: in a list asked with `search` only
        schema["properties"]["match"] = MATCH
    return component(model_name(projection), schema)


MATCH = component(
    "SearchMatch",
    {
        "type": "object",
        "description": "With `search` only: the name that matched best and its score (0-1).",
        "properties": {"name": {"type": "string"}, "score": {"type": "number"}},
        "required": ["name", "score"],
    },
)


def page_schema(name: str, item: dict) -> dict:
    return component(
        f"{name}Page",
        _object(
            {
                "count": {"type": "integer"},
                "next": _nullable({"type": "string", "format": "uri"}),
                "previous": _nullable({"type": "string", "format": "uri"}),
                "results": {"type": "array", "items": item},
            },
            "One page of a list.",
        ),
    )


def geojson_schema(name: str, item: dict, *, many: bool) -> dict:
    feature = component(
        f"{name}Feature",
        _object(
            {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "integer"},
                "geometry": _nullable({"type": "object"}),
                "properties": item,
            }
        ),
    )
    if not many:
        return feature
    return component(
        f"{name}FeatureCollection",
        {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": feature},
                "count": {"type": "integer"},
                "next": _nullable({"type": "string"}),
                "previous": _nullable({"type": "string"}),
            },
            "required": ["type", "features"],
        },
    )


ACTIONS = {"type": "string", "enum": ["created", "updated", "removed"]}
CHANGES = component(
    "Changes",
    {
        "type": "object",
        "description": "The changed fields, by name: a value's `old` and `new`; a list of "
        "items (names, citations ...): the items `added`, `removed` and `changed` (each "
        "`{id, changes}`).",
        "additionalProperties": component(
            "FieldChange",
            {
                "type": "object",
                "properties": {
                    "old": {"nullable": True},
                    "new": {"nullable": True},
                    "added": {"type": "array", "items": {"type": "object"}},
                    "removed": {"type": "array", "items": {"type": "object"}},
                    "changed": {"type": "array", "items": {"type": "object"}},
                },
            },
        ),
    },
)


def history_entry_schema(name: str, item: dict) -> dict:
    return component(
        f"{name}HistoryEntry",
        {
            "type": "object",
            "description": "One change set that changed what the public sees of the object: "
            "`data` (created, updated) is the object after it; `removed` has no content.",
            "properties": {
                "time": {"type": "string", "format": "date-time"},
                "reason": {"type": "string"},
                "id": {"type": "integer"},
                "action": ACTIONS,
                "changes": CHANGES,
                "data": item,
            },
            "required": ["time", "id", "action"],
        },
    )


# What JSON Schema cannot say, said where it applies.
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
    "page", {"type": "integer", "minimum": 1}, description="Page number, from 1."
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
        _object(
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


def _by_resource(resources: dict, name_of, schema_of) -> dict:
    """One model per resource told apart by its `resource` value (a discriminator)."""
    refs = {
        resource: component(
            name_of(projection),
            {
                "allOf": [
                    schema_of(projection),
                    {
                        "type": "object",
                        "properties": {"resource": {"type": "string", "enum": [resource]}},
                        "required": ["resource"],
                    },
                ]
            },
        )
        for resource, projection in resources.items()
    }
    return {
        "oneOf": list(refs.values()),
        "discriminator": {
            "propertyName": "resource",
            "mapping": {resource: ref["$ref"] for resource, ref in refs.items()},
        },
    }


def change_feed_schema(resources: dict) -> dict:
    """`resources`: name -> Resource (`sahel.read.resources.resources()`)."""
    resources = {name: resource.projection for name, resource in resources.items()}

    def entry(projection):
        name = model_name(projection)
        return {
            "allOf": [
                history_entry_schema(name, projection_schema(projection)),
                _object({"cursor": {"type": "string"}}),
            ]
        }

    feed_entry = component(
        "ChangeFeedEntry",
        _by_resource(resources, lambda projection: f"{model_name(projection)}Change", entry),
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
                _object(
                    {
                        "cursor": _nullable({"type": "string"}),
                        "next": _nullable({"type": "string", "format": "uri"}),
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
    lines = _by_resource(
        resources, lambda projection: f"{model_name(projection)}Line", projection_schema
    )
    end = component(
        "ExportEnd",
        _object(
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
