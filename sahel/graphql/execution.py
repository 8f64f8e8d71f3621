"""GraphQL execution with short paths for plain scalar fields and argument-free resolvers.

A nested query resolves thousands of fields, most of them plain scalars read off a
projected item (`id`, `name`, `quote`). graphql-core executes each the same way as a field
with a resolver: it builds a resolve info (strawberry's own subclass), a path, then
completes the value through the generic chain (non-null, list, leaf, ...), ~15 µs a field
on the benchmark machine. For a field that strawberry itself resolves with its default
resolver (no resolver of ours, no arguments, no field extensions: strawberry marks it
`_is_default` and calls it without an info) and whose type is a scalar or an enum, the value
is the attribute and its serialization, so it is computed directly here. Anything else, or
anything unusual about the value (null, an error, a value the scalar refuses), takes
graphql-core's own path, which raises the same errors it always did: the answer is the same,
only cheaper.

`streamline(schema)` does the same for the fields that have a resolver of ours but no
arguments (a tie's `object`, a citation's `source`): strawberry calls each through its
generic chain (arguments converted, field extensions reduced, the resolver looked up
again), which does nothing for them; the resolver is called directly, with the same `self`
and `info`. Fields with arguments, field extensions, async resolvers or exception handlers
keep strawberry's resolver.
"""

import inspect
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from sahel.graphql.batches import Record

_PLAIN_VALUES = (str, int, float, bool)
_NEVER_AWAITABLE = frozenset(
    {Record, type(None), bool, int, float, str, bytes, list, tuple, dict, set, frozenset}
)
# A record's own attributes, found before its items (Record.__getattr__).
_RECORD_OWN = frozenset(name for name in dir(Record) if not name.startswith("__"))
_plans: dict = {}  # (schema, type name, field name) -> plan, or None: not a plain field


def _plain_field(schema, parent_type: GraphQLObjectType, name: str):
    """(attribute getter, attribute name, scalar type) when the field is a plain scalar that
    strawberry resolves with its default resolver, else None."""
    field_def = schema.get_field(parent_type, name)
    if field_def is None or field_def.args:
        return None
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if field is None or not field.is_basic_field:
        return None
    return_type = field_def.type
    if isinstance(return_type, GraphQLNonNull):
        return_type = return_type.of_type
    if not isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
        return None
    # What strawberry's `_get_basic_result` calls: `field.get_result` without a resolver.
    return field.default_resolver, field.python_name, return_type


# The graphql-core methods Executor overrides or calls, as it was written against them
# (graphql-core 3.3). A release that changes them would make every query fail while it
# runs: then graphql-core's own executor is used instead, with a warning at start-up
# (sahel.graphql.schema), and a test fails (tests/graphql/test_execution.py).
_SIGNATURES = {
    "complete_value": (
        "self", "return_type", "field_details_list", "info", "path", "result", "position_context"
    ),
    "execute_field": (
        "self", "parent_type", "source", "field_details_list", "path", "position_context"
    ),
    "collect_subfields": ("self", "return_type", "field_details_list"),
    "execute_fields": (
        "self", "parent_type", "source_value", "path", "grouped_field_set", "position_context"
    ),
}  # fmt: skip


def problems(base=StrawberryGraphQLCoreExecutionContext) -> list[str]:
    """Why Executor cannot run on this graphql-core (empty: it can): the methods it
    overrides or calls must have the signatures it was written against."""
    found = []
    for name, expected in _SIGNATURES.items():
        method = getattr(base, name, None)
        if method is None:
            found.append(f"graphql-core's execution context has no `{name}`")
        elif tuple(inspect.signature(method).parameters) != expected:
            found.append(f"`{name}` takes {tuple(inspect.signature(method).parameters)}")
    return found


def compatible(base=StrawberryGraphQLCoreExecutionContext) -> bool:
    """Whether graphql-core's execution context is the one Executor was written for."""
    return not problems(base)


class Executor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, with plain scalar fields resolved without the generic path."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # graphql-core asks of every value whether it is awaitable; for a record that is
        # `hasattr(record, "__await__")`, a failed item lookup and an AttributeError raised
        # and caught (records are never awaitable: an item has no such key).
        # The plain types answered in the same call (strawberry's check answers them too,
        # one call further).
        general = self.is_awaitable

        def is_awaitable(value) -> bool:
            return False if type(value) in _NEVER_AWAITABLE else general(value)

        self.is_awaitable = is_awaitable

    def complete_value(self, return_type, field_details_list, info, path, result, position_context):
        """An object (nullable or not) straight to its fields: graphql-core gets there
        through four calls (non-null, object, collect, execute) that check what is known
        here. Anything else, or an object with a type check or deferred fragments, takes
        graphql-core's own path."""
        object_type = return_type.of_type if type(return_type) is GraphQLNonNull else return_type
        if (
            type(object_type) is GraphQLObjectType
            and object_type.is_type_of is None
            and position_context is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
            and not self.is_awaitable(result)
        ):
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            if not new_defer_usages:
                return self.execute_fields(object_type, result, path, grouped_field_set, None)
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list,
        path,
        position_context,
    ):
        node = field_details_list[0].node
        key = (self.schema, parent_type.name, node.name.value)
        try:
            plan = _plans[key]
        except KeyError:
            plan = _plans[key] = _plain_field(self.schema, parent_type, node.name.value)
        middleware = self.middleware_manager
        if plan is not None and not node.arguments and not (middleware and middleware.middlewares):
            get, attribute, leaf = plan
            if type(source) is Record and get is getattr and attribute not in _RECORD_OWN:
                # What Record.__getattr__ answers, without the failed attribute lookup
                # (an AttributeError raised and caught) that leads Python to it.
                value = source.item.get(attribute)
            else:
                try:
                    value = get(source, attribute)
                except Exception:  # graphql-core's own path reports it
                    value = None
            if isinstance(value, _PLAIN_VALUES):
                try:
                    coerced = leaf.coerce_output_value(value)
                except Exception:  # graphql-core's own path reports it
                    coerced = None
                if coerced is not None:
                    return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def streamline(schema) -> int:
    """Call the argument-free resolvers of a strawberry `schema` directly (see above);
    returns how many fields it changed."""
    if schema.schema_converter._exception_handler_specs:
        return 0  # strawberry's resolver wraps them in its exception handling
    info_class = schema.config.info_class
    changed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            resolver = getattr(field, "base_resolver", None)
            if (
                resolver is None
                or field_def.args
                or field.arguments
                or field.extensions
                or field.is_async
                or field.is_subscription
                or resolver.parent_parameter
                or resolver.root_parameter
            ):
                continue
            field_def.resolve = _direct(field, resolver, info_class, field_def.resolve)
            changed += 1
    return changed


def _direct(field, resolver, info_class, original):
    function = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def resolve(source, info, **kwargs):
        if kwargs:  # none are declared: let strawberry report it
            return original(source, info, **kwargs)
        args = (source,) if takes_self else ()
        if info_name is None:
            return function(*args)
        return function(*args, **{info_name: info_class(_raw_info=info, _field=field)})

    resolve.strawberry_resolve = original
    return resolve
