"""OpenAPI documentation derived from the same declarations the API runs on: response
schemas from projections, parameters from FilterSets and orderings, so the schema cannot
drift from what the endpoints return."""

import django_filters
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from sahel.read.projection import SOURCE_SUMMARY, Projection, Ref


class ProjectionSchema(AutoSchema):
    """Our response schemas describe whole pages already: no wrapping in an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "list":
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


ERROR = {
    "type": "object",
    "description": "Each key names a parameter (or `detail`); each value says what is wrong.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def _nullable(schema: dict) -> dict:
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
    if field.choices and not isinstance(field, models.BooleanField):
        schema["enum"] = [choice for choice, _ in field.choices]
        if field.blank and schema["type"] == "string":
            schema["enum"].append("")
    if field.null:
        schema = _nullable(schema)
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _object(properties: dict) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


FUZZY_DATE = _nullable(
    _object(
        {
            "edtf": {"type": "string", "description": "EDTF as the source gives it."},
            "lower": _nullable({"type": "string", "format": "date"}),
            "upper": _nullable({"type": "string", "format": "date"}),
        }
    )
)


def _ref_schema(ref: Ref) -> dict:
    properties = {"id": {"type": "integer"}}
    properties.update({name: field_schema(ref.model._meta.get_field(name)) for name in ref.fields})
    return _nullable(_object(properties))


def citation_schema() -> dict:
    from sources.models import Citation, Source

    source = {"id": {"type": "integer"}}
    source.update({name: field_schema(Source._meta.get_field(name)) for name in SOURCE_SUMMARY})
    properties = {"id": {"type": "integer"}, "source": _nullable(_object(source))}
    for name in ("locator", "quote", "stance", "credibility", "note"):
        properties[name] = field_schema(Citation._meta.get_field(name))
    properties["field"] = _nullable({"type": "string"})
    return _object(properties)


def projection_schema(projection: type[Projection]) -> dict:
    meta = projection.model._meta
    properties = {"id": {"type": "integer"}}
    for name in projection.fields:
        properties[name] = field_schema(meta.get_field(name))
    for name in projection.dates:
        properties[name] = FUZZY_DATE
    for name, ref in projection.refs.items():
        properties[name] = _ref_schema(ref)
    for name, child in projection.children.items():
        properties[name] = {"type": "array", "items": projection_schema(child.projection)}
    if projection.cited:
        properties["citations"] = {"type": "array", "items": citation_schema()}
    return _object(properties)


MATCH = {
    "type": "object",
    "description": "With `search` only: the name that matched best and its score (0-1).",
    "properties": {"name": {"type": "string"}, "score": {"type": "number"}},
    "required": ["name", "score"],
}


def page_schema(item: dict) -> dict:
    return _object(
        {
            "count": {"type": "integer"},
            "next": _nullable({"type": "string", "format": "uri"}),
            "previous": _nullable({"type": "string", "format": "uri"}),
            "results": {"type": "array", "items": item},
        }
    )


def geojson_schema(item: dict, *, many: bool) -> dict:
    feature = _object(
        {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": _nullable({"type": "object"}),
            "properties": item,
        }
    )
    if not many:
        return feature
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": feature},
            "count": {"type": "integer"},
            "next": _nullable({"type": "string"}),
            "previous": _nullable({"type": "string"}),
        },
        "required": ["type", "features"],
    }


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    parameters = []
    for name, spec in filterset_class.base_filters.items():
        description = spec.extra.get("help_text") or ""
        if isinstance(spec, django_filters.MultipleChoiceFilter) or getattr(spec, "many", False):
            items = {"type": "string"}
            if "choices" in spec.extra:
                items["enum"] = [choice for choice, _ in spec.extra["choices"]]
            parameters.append(
                OpenApiParameter(
                    name,
                    {"type": "array", "items": items},
                    description=(description or "One or more values.")
                    + " Repeat the parameter or separate values by commas.",
                    explode=True,
                )
            )
        else:
            parameters.append(OpenApiParameter(name, str, description=description))
    return parameters


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="Read the database as it stood at this instant (ISO 8601; a date means its "
    "start, UTC).",
)
OBJECT = OpenApiParameter(
    "id",
    {"type": "string", "pattern": "^[^/]+$"},
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
    item = projection_schema(resource.projection)
    if "search" in resource.filterset.base_filters:
        # Only with `search`: why each result matched (not required otherwise).
        item = {**item, "properties": {**item["properties"], "match": MATCH}}
    detail = projection_schema(resource.detail)
    list_responses = {
        (200, "application/json"): page_schema(item),
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
        list_responses[(200, "application/geo+json")] = geojson_schema(item, many=True)
        detail_responses[(200, "application/geo+json")] = geojson_schema(detail, many=False)
    name = resource.model._meta.verbose_name
    history_item = {
        "type": "object",
        "properties": {
            "time": {"type": "string", "format": "date-time"},
            "reason": {"type": "string"},
            "id": {"type": "integer"},
            "action": {"type": "string", "enum": ["created", "updated", "removed"]},
            "changes": {"type": "object", "additionalProperties": True},
            "data": item,
        },
        "required": ["time", "id", "action"],
    }
    return extend_schema_view(
        list=extend_schema(
            summary=f"List public {name} records",
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
            summary=f"One public {name}",
            parameters=[AS_OF, OBJECT],
            responses=detail_responses,
        ),
        history=extend_schema(
            summary=f"Public revisions of one {name}",
            parameters=[OBJECT],
            responses={
                200: _object(
                    {
                        "id": {"type": "integer"},
                        "revisions": {"type": "array", "items": history_item},
                    }
                ),
                400: ERROR,
                404: ERROR,
            },
        ),
    )(viewset)


def change_feed_schema(resources: dict) -> dict:
    return {
        "summary": "Every change to public data, in commit order",
        "parameters": [
            OpenApiParameter("since", str, description="Cursor from a previous page."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 1000},
                description="Change sets per page, 1–1000 (default 100).",
            ),
        ],
        "responses": {
            200: _object(
                {
                    "cursor": _nullable({"type": "string"}),
                    "next": _nullable({"type": "string", "format": "uri"}),
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "cursor": {"type": "string"},
                                "resource": {"type": "string", "enum": list(resources)},
                                "time": {"type": "string", "format": "date-time"},
                                "reason": {"type": "string"},
                                "id": {"type": "integer"},
                                "action": {
                                    "type": "string",
                                    "enum": ["created", "updated", "removed"],
                                },
                            },
                            "required": ["cursor", "resource", "time", "id", "action"],
                        },
                    },
                }
            ),
            400: ERROR,
        },
    }


def export_schema(resources: dict) -> dict:
    return {
        "summary": "The whole public dataset as streamed JSON Lines",
        "parameters": [
            OpenApiParameter(
                "resource", str, description=f"Comma-separated; any of {', '.join(resources)}."
            ),
            AS_OF,
            EXPORT_FORMAT,
            OpenApiParameter(
                "table",
                str,
                description="With format=csv: the flat table (actors, actor_names, "
                "actor_identifiers, affiliations, events, event_participants, places, sources, "
                "source_authors, citations), scalar columns joined by id.",
            ),
        ],
        "responses": {
            # JSON Lines: the export's records and its closing line, or FtM entities.
            (200, "application/x-ndjson"): {"type": "string"},
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
