"""The OpenAPI schema's named models (`components.schemas`): every object shape once —
`Actor`, `ActorSummary`, `Citation`, `FuzzyDate`, pages, history and feed entries, the
export's lines — built from the projections, so a model cannot drift from the answers and
a generated client has one class per shape. `component()` names a shape while the
operations are described (sahel/rest/schema.py); `add_components`, a drf-spectacular
postprocessing hook (settings), adds them to the schema."""

from django.db import models

from sahel.read.projection import SOURCE_SUMMARY, Projection, Ref
from sahel.read.resources import resources

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
    for path in result["paths"].values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                lines = response.get("content", {}).get("application/x-ndjson")
                if lines is not None:
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


def nullable(schema: dict) -> dict:
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
        schema = nullable(schema)
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def object_schema(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"description": description, **schema} if description else schema


FUZZY_DATE = component(
    "FuzzyDate",
    object_schema(
        {
            "edtf": {"type": "string", "description": "EDTF as the source gives it."},
            "lower": nullable({"type": "string", "format": "date"}),
            "upper": nullable({"type": "string", "format": "date"}),
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
    return nullable(
        component(
            name, object_schema(properties, f"A public {ref.model._meta.verbose_name}, in short.")
        )
    )


def citation_schema() -> dict:
    from sources.models import Citation, Source

    source = {"id": {"type": "integer"}}
    source.update({name: field_schema(Source._meta.get_field(name)) for name in SOURCE_SUMMARY})
    properties = {
        "id": {"type": "integer"},
        "source": nullable(
            component("SourceSummary", object_schema(source, "A source, in short."))
        ),
    }
    for name in ("locator", "quote", "stance", "credibility", "note"):
        properties[name] = field_schema(Citation._meta.get_field(name))
    properties["field"] = nullable(
        {"type": "string", "description": "The field of the claim it supports, if one."}
    )
    return component("Citation", object_schema(properties, "A claim's link to a source."))


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
        properties[name] = nullable(FUZZY_DATE)
    for name, ref in projection.refs.items():
        properties[name] = _ref_schema(ref)
    for name, child in projection.children.items():
        properties[name] = {"type": "array", "items": projection_schema(child.projection)}
    if projection.cited:
        properties["citations"] = {"type": "array", "items": citation_schema()}
    description = (meta.model.__doc__ or "").strip()
    if description.startswith(f"{meta.object_name}("):  # Django's generated docstring
        description = f"A public {meta.verbose_name}."
    schema = object_schema(properties, description)
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
        object_schema(
            {
                "count": {"type": "integer"},
                "next": nullable({"type": "string", "format": "uri"}),
                "previous": nullable({"type": "string", "format": "uri"}),
                "results": {"type": "array", "items": item},
            },
            "One page of a list.",
        ),
    )


def geojson_schema(name: str, item: dict, *, many: bool) -> dict:
    feature = component(
        f"{name}Feature",
        object_schema(
            {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "integer"},
                "geometry": nullable({"type": "object"}),
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
                "next": nullable({"type": "string"}),
                "previous": nullable({"type": "string"}),
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


def by_resource(resources: dict, name_of, schema_of) -> dict:
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
