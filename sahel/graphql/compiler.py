"""Compiling a validated GraphQL operation into a plan (see sahel.graphql.plans): for each
selection, the fields it asks (fragments spread, `@include`/`@skip` decided, as the spec's
CollectFields), how each is read and how its value is completed (a closure per field and
type: non-null, list, leaf, object), with graphql-core's messages for what it refuses."""

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_directive_values,
    is_leaf_type,
    located_error,
)
from graphql.pyutils import Path, Undefined, is_iterable
from graphql.pyutils import inspect as graphql_inspect
from graphql.type import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLString,
    TypeNameMetaFieldDef,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.info import Info

from sahel.graphql.batches import Record

_INT_RANGE = range(-(2**31), 2**31)
# graphql-core's own answer for these exact Python types is the value itself.
_AS_IS = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
# A record's own attributes, found before its items (Record.__getattr__).
RECORD_OWN = frozenset(name for name in dir(Record) if not name.startswith("__"))


class NotCompiled(Exception):
    """What the plans do not cover; graphql-core's executor answers instead."""


# -- plans ------------------------------------------------------------------------------


@dataclass(slots=True)
class FieldPlan:
    key: str  # the response name (the alias, or the field's name)
    name: str
    parent: GraphQLObjectType
    definition: object  # GraphQLField
    nodes: list  # the field nodes merged under `key` (error locations)
    attribute: str | None  # read as this attribute of the source (no resolver of ours)
    direct: Callable | None  # a resolver of ours, called as direct(source, run, plan, path)
    non_null: bool
    complete: Callable = None  # (run, value, path) -> the completed value
    typename: bool = False
    # A record's item read as is: the leaf's answer for a value of exactly this Python
    # type is the value itself (str for String and ID, bool for Boolean); None: no such.
    as_is: type | None = None


@dataclass(slots=True)
class Plan:
    operation: OperationDefinitionNode
    fragments: dict
    fields: list  # the root's FieldPlans


def _field_nodes(schema, fragments, variables, object_type, selection_set, grouped, seen) -> None:
    """Collect the fields of `selection_set` for `object_type` into `grouped` (response
    name -> field nodes), as the spec's CollectFields does."""
    for selection in selection_set.selections:
        if not _included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            if _applies(schema, selection.type_condition, object_type):
                _field_nodes(
                    schema, fragments, variables, object_type, selection.selection_set, grouped,
                    seen,
                )  # fmt: skip
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if selection.arguments:
                raise NotCompiled("fragment arguments")
            if name in seen:
                continue
            seen.add(name)
            fragment = fragments.get(name)
            if fragment is None or not _applies(schema, fragment.type_condition, object_type):
                continue
            _field_nodes(
                schema, fragments, variables, object_type, fragment.selection_set, grouped, seen
            )


def _included(node, variables) -> bool:
    if not node.directives:
        return True
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip and skip["if"] is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include and include["if"] is False)


def _applies(schema, condition, object_type) -> bool:
    if condition is None:
        return True
    conditional = schema.get_type(condition.name.value)
    if conditional is object_type:
        return True
    if isinstance(conditional, GraphQLObjectType):
        return False
    raise NotCompiled("a fragment on an abstract type")


def _fields(compiler, object_type: GraphQLObjectType, selection_sets) -> list[FieldPlan]:
    grouped: dict[str, list] = {}
    seen: set = set()
    for selection_set in selection_sets:
        _field_nodes(
            compiler.schema, compiler.fragments, compiler.variables, object_type,
            selection_set, grouped, seen,
        )  # fmt: skip
    return [compiler.field(object_type, key, nodes) for key, nodes in grouped.items()]


class _Compiler:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def field(self, parent: GraphQLObjectType, key: str, nodes: list) -> FieldPlan:
        name = nodes[0].name.value
        if name in ("__schema", "__type"):
            raise NotCompiled("introspection")
        if name == "__typename":
            return FieldPlan(
                key, name, parent, TypeNameMetaFieldDef, nodes, None, None, True, typename=True,
            )  # fmt: skip
        definition = parent.fields.get(name)
        if definition is None:
            raise NotCompiled(f"no field {parent.name}.{name}")
        strawberry_field = (definition.extensions or {}).get(
            GraphQLCoreConverter.DEFINITION_BACKREF
        )
        if strawberry_field is None:
            raise NotCompiled(f"{parent.name}.{name} is not a strawberry field")
        attribute = direct = None
        if strawberry_field.is_basic_field:
            if strawberry_field.default_resolver is not getattr:
                raise NotCompiled("a default resolver other than getattr")
            attribute = strawberry_field.python_name
        else:
            direct = _direct(strawberry_field, definition)
        plan = FieldPlan(
            key, name, parent, definition, nodes, attribute, direct,
            isinstance(definition.type, GraphQLNonNull),
        )  # fmt: skip
        plan.complete = self.completer(
            plan, definition.type, [node.selection_set for node in nodes]
        )
        leaf = definition.type.of_type if plan.non_null else definition.type
        if attribute is not None and attribute not in RECORD_OWN:
            plan.as_is = _AS_IS.get(leaf)
        return plan

    def completer(self, plan: FieldPlan, return_type, selection_sets) -> Callable:
        """How a value of `return_type` is completed, for the field `plan`."""
        if isinstance(return_type, GraphQLNonNull):
            inner = self.completer(plan, return_type.of_type, selection_sets)
            message = f"Cannot return null for non-nullable field {plan.parent}.{plan.name}."

            def complete_non_null(run, value, path):
                completed = inner(run, value, path)
                if completed is None:
                    raise TypeError(message)
                return completed

            complete_non_null.object_fields = getattr(inner, "object_fields", None)
            return complete_non_null
        if isinstance(return_type, GraphQLList):
            return self._list(plan, return_type, selection_sets)
        if is_leaf_type(return_type):
            return _leaf(return_type)
        if isinstance(return_type, GraphQLObjectType):
            if return_type.is_type_of is not None:
                raise NotCompiled(f"{return_type.name} checks its values' types")
            fields = _fields(self, return_type, [s for s in selection_sets if s is not None])

            def complete_object(run, value, path):
                if value is None or value is Undefined:
                    return None
                if isinstance(value, Exception):
                    raise value
                return run.object(fields, value, path)

            complete_object.object_fields = fields  # what a list of records runs directly
            return complete_object
        raise NotCompiled(f"the abstract type {return_type}")

    def _list(self, plan: FieldPlan, return_type: GraphQLList, selection_sets) -> Callable:
        item_type = return_type.of_type
        complete_item = self.completer(plan, item_type, selection_sets)
        items_non_null = isinstance(item_type, GraphQLNonNull)
        message = f"Expected Iterable, but did not find one for field '{plan.parent}.{plan.name}'."
        nodes = plan.nodes
        # A list of objects: a record (never null, never an error) is run as its object.
        object_fields = getattr(complete_item, "object_fields", None)

        def complete_list(run, value, path):
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise value
            if not is_iterable(value):
                raise GraphQLError(message)
            completed = []
            append = completed.append
            for index, item in enumerate(value):
                item_path = Path(path, index, None)
                try:
                    if object_fields is not None and type(item) is Record:
                        append(run.object(object_fields, item, item_path))
                    else:
                        append(complete_item(run, item, item_path))
                except Exception as raw:
                    error = located_error(raw, nodes, item_path.as_list())
                    if items_non_null:
                        raise error from None
                    run.errors.append(error)
                    append(None)
            return completed

        return complete_list


def _leaf(leaf_type) -> Callable:
    coerce = leaf_type.coerce_output_value
    # graphql-core's own answer for these exact Python types, without the call.
    same = _AS_IS.get(leaf_type)

    def complete_leaf(run, value, path):
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        if type(value) is same:
            return value
        if leaf_type is GraphQLID and type(value) is int:
            return str(value)
        if leaf_type is GraphQLInt and type(value) is int and value in _INT_RANGE:
            return value
        if leaf_type is GraphQLFloat and type(value) is float and math.isfinite(value):
            return value
        coerced = coerce(value)
        if coerced is Undefined or coerced is None:
            raise TypeError(
                f"Expected `{graphql_inspect(leaf_type)}.coerce_output_value("
                f"{graphql_inspect(value)})` to return non-nullable value, returned:"
                f" {graphql_inspect(coerced)}"
            )
        return coerced

    return complete_leaf


_BUILT_IN = frozenset({"String", "Int", "Float", "Boolean", "ID"})


def _plain_argument(argument) -> bool:
    """Whether strawberry hands a resolver this argument's value as graphql-core coerced
    it: a built-in scalar or an enum, or a list of them (copied)."""
    kind = argument.type
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    if isinstance(kind, GraphQLScalarType):
        return kind.name in _BUILT_IN
    return isinstance(kind, GraphQLEnumType)


def _direct(field, definition) -> Callable | None:
    """A resolver of ours called with what it asks (the object, strawberry's info, its
    arguments) as `call(source, run, plan, path)`, without strawberry's generic chain,
    which for these fields converts nothing and reduces no field extension; None:
    strawberry's resolver is called (input objects among the arguments, field extensions,
    async resolvers ...)."""
    resolver = field.base_resolver
    if (
        resolver is None
        or field.extensions
        or field.is_async
        or field.is_subscription
        or resolver.parent_parameter
        or resolver.root_parameter
        or not all(_plain_argument(argument) for argument in definition.args.values())
    ):
        return None
    function = resolver.wrapped_func
    if inspect.iscoroutinefunction(function):
        return None
    takes_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    python_names = {}
    for name, argument in definition.args.items():
        strawberry_argument = (argument.extensions or {}).get(
            GraphQLCoreConverter.DEFINITION_BACKREF
        )
        if strawberry_argument is None:
            return None
        python_names[name] = strawberry_argument.python_name

    if not python_names and info_name is None:
        if takes_self:
            return lambda source, run, plan, path: function(source)
        return lambda source, run, plan, path: function()

    def call(source, run, plan, path):
        arguments = {
            python_names[name]: list(value) if type(value) is list else value
            for name, value in run.arguments_of(plan).items()
        } if python_names else {}  # fmt: skip
        if info_name is not None:
            arguments[info_name] = Info(_raw_info=run.info(plan, path), _field=field)
        return function(source, **arguments) if takes_self else function(**arguments)

    return call


def operation_of(document, operation_name) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise NotCompiled("no single operation")
        return operations[0]
    for operation in operations:
        if operation.name and operation.name.value == operation_name:
            return operation
    raise NotCompiled(f"no operation named {operation_name!r}")


def directive_variables(document) -> tuple[str, ...]:
    """The variables that `@include`/`@skip` read: a plan depends on their values."""
    names = set()

    def walk(node):
        for directive in getattr(node, "directives", None) or ():
            for argument in directive.arguments or ():
                if argument.value.kind == "variable":
                    names.add(argument.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        for selection in selection_set.selections if selection_set else ():
            walk(selection)

    for definition in document.definitions:
        walk(definition)
    return tuple(sorted(names))


def compile_operation(schema, document, operation, variables) -> Plan:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    compiler = _Compiler(schema, fragments, variables)
    root_type = schema.query_type
    return Plan(operation, fragments, _fields(compiler, root_type, [operation.selection_set]))
