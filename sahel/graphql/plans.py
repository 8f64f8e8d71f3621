"""The compiled read path: each validated operation compiled once into a plan, then run
without graphql-core's executor.

graphql-core executes a field the same way whatever it is: it builds a resolve info, looks
the field up, coerces its arguments, calls the resolver through strawberry's generic chain
and completes the value through the chain of wrapping types, ~15 µs a field; a nested query
of 100 actors with their ties, citations and sources executes ~15,000 of them. A plan does
that work once per operation: for each selection, which fields it asks (fragments spread,
`@include`/`@skip` decided), how each is read (an attribute of the projected record, or a
resolver of ours, called directly when it takes no arguments) and how its value is
completed (a closure per field for its type: non-null, list, leaf, object). Running a plan
is then a loop over records writing the response dicts. The resolvers are the same: they
read the same batches through the shared read layer (`sahel.graphql.batches`), so the SQL
is the same and so is what a reader may see.

The answers are graphql-core's, errors included: the same messages, paths and locations, in
the same order, nulls propagated to the nearest nullable field (tests/graphql/test_parity.py
answers a corpus of queries both ways and compares the JSON). What a plan does not cover
falls back to graphql-core's executor, logged: introspection (`__schema`, `__type`),
operations other than queries, abstract types, fragment arguments, and any schema or
library this module does not recognise (`problems()`, checked at start-up). The schema
declares no `@defer`/`@stream`: validation refuses them before a plan is asked for.

It runs as a schema extension (`CompiledExecution`): strawberry parses and validates (its
caches keep both per document), the limits run, then the extension sets the execution
result, which strawberry's own documented short circuit honours (a result set before
execution is not executed again). `SAHEL_GRAPHQL_COMPILED = False` turns it off.
"""

import inspect
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLResolveInfo,
    OperationType,
    get_variable_values,
    located_error,
)
from graphql.execution import get_argument_values
from graphql.pyutils import Path
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter

from sahel.graphql.batches import Record, item_attribute
from sahel.graphql.compiler import (
    RECORD_OWN,
    FieldPlan,
    NotCompiled,
    Plan,
    compile_operation,
    directive_variables,
    operation_of,
)

logger = logging.getLogger(__name__)

MAX_PLANS = 512  # operations kept compiled, least recently used dropped
MAX_VARIANTS = 64  # plans of one operation, by the values its @include/@skip read


# -- running a plan ---------------------------------------------------------------------


class _Run:
    """One request's execution of a plan."""

    __slots__ = ("arguments", "context", "errors", "plan", "root", "schema", "variables")

    def __init__(self, schema, plan: Plan, variables, context, root):
        self.schema, self.plan, self.variables = schema, plan, variables
        self.context, self.root = context, root
        self.errors: list[GraphQLError] = []
        self.arguments: dict = {}  # field plan id -> its coerced arguments (or the error)

    def info(self, field: FieldPlan, path) -> GraphQLResolveInfo:
        return GraphQLResolveInfo(
            field.name, field.nodes, field.definition.type, field.parent, path, self.schema,
            self.plan.fragments, self.root, self.plan.operation, self.variables, self.context,
            _never_awaitable, None, None,
        )  # fmt: skip

    def object(self, fields: list[FieldPlan], source, path) -> dict:
        result = {}
        item = source.item if type(source) is Record else None
        for field in fields:
            if item is not None and field.as_is is not None:
                # a plain text or flag of the projected item: the value is the answer
                value = item.get(field.attribute)
                if type(value) is field.as_is:
                    result[field.key] = value
                    continue
            field_path = Path(path, field.key, field.parent.name)
            result[field.key] = self.field(field, source, field_path)
        return result

    def field(self, field: FieldPlan, source, path):
        try:
            if field.typename:
                return field.parent.name
            attribute = field.attribute
            if attribute is not None:
                if type(source) is Record and attribute not in RECORD_OWN:
                    value = item_attribute(source, attribute)
                else:
                    value = getattr(source, attribute)
            elif field.direct is not None:
                value = field.direct(source, self, field, path)
            else:
                value = field.definition.resolve(
                    source, self.info(field, path), **self.arguments_of(field)
                )
            return field.complete(self, value, path)
        except Exception as raw:
            error = located_error(raw, field.nodes, path.as_list())
            if field.non_null:
                raise error from None
            self.errors.append(error)
            return None

    def arguments_of(self, field: FieldPlan) -> dict:
        """The field's coerced arguments: the same for every object it is asked of."""
        key = id(field)
        found = self.arguments.get(key)
        if found is None:
            if not field.definition.args:
                found = {}
            else:
                try:
                    found = get_argument_values(field.definition, field.nodes[0], self.variables)
                except GraphQLError as error:
                    found = error
            self.arguments[key] = found
        if isinstance(found, GraphQLError):
            raise found
        return found

    def execute(self) -> ExecutionResult:
        try:
            data = self.object(self.plan.fields, self.root, None)
        except GraphQLError as error:
            self.errors.append(error)
            return ExecutionResult(None, self.errors)
        return ExecutionResult(data, self.errors or None)


def _never_awaitable(value) -> bool:
    return False


# -- compiling, with a cache --------------------------------------------------------------


class Plans:
    """Compiled operations, by document text, operation name and the values of the
    variables its directives read (least recently used dropped beyond MAX_PLANS)."""

    def __init__(self, size: int = MAX_PLANS):
        self.size = size
        self._plans: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def run(self, schema, query: str, document, operation_name, raw_variables, context, root):
        """The execution result of the operation, or None when a plan does not cover it
        (graphql-core's executor answers)."""
        try:
            operation = operation_of(document, operation_name)
        except NotCompiled as reason:
            logger.info("GraphQL: graphql-core's executor answers (%s).", reason)
            return None
        if operation.operation is not OperationType.QUERY:
            logger.info("GraphQL: graphql-core's executor answers (a %s).", operation.operation)
            return None
        variables = get_variable_values(
            schema, operation.variable_definitions or (), raw_variables or {}, max_errors=50
        )
        if isinstance(variables, list):  # graphql-core's answer to variables it refuses
            return ExecutionResult(None, variables)
        plan = self.plan(schema, query, document, operation, variables)
        if isinstance(plan, NotCompiled):
            logger.info("GraphQL: graphql-core's executor answers (%s).", plan)
            return None
        return _Run(schema, plan, variables, context, root).execute()

    def plan(self, schema, query, document, operation, variables) -> Plan | NotCompiled:
        """The operation's plan, compiled at its first request; or why it has none. Kept
        by document text and operation, then by the values of the variables its
        `@include`/`@skip` read (found once per document). Shared by a worker's threads."""
        key = (query, operation.name.value if operation.name else None)
        with self._lock:
            entry = self._plans.get(key)
            if entry is not None:
                self._plans.move_to_end(key)
        if entry is None:
            entry = (directive_variables(document), {})
        read_by_directives, by_values = entry
        values = tuple(repr(variables.coerced.get(name)) for name in read_by_directives)
        found = by_values.get(values)
        if found is None:
            try:
                found = compile_operation(schema, document, operation, variables)
            except NotCompiled as reason:
                found = reason
            with self._lock:
                if len(by_values) >= MAX_VARIANTS:  # directive values of one document
                    by_values.clear()
                by_values[values] = found
                self._plans[key] = entry
                self._plans.move_to_end(key)
                while len(self._plans) > self.size:
                    self._plans.popitem(last=False)
        return found


PLANS = Plans()


class CompiledExecution(SchemaExtension):
    """Answers a query by its plan (see above); strawberry does not execute a request whose
    result is set. Placed after the limits: a request they refused is not run."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            result = PLANS.run(
                context.schema._schema,
                context.query,
                context.graphql_document,
                context.operation_name,
                context.variables,
                context.context,
                context.root_value,
            )
            if result is not None:
                context.result = result
                if result.errors:
                    # What strawberry does with the errors of an execution it ran: drop
                    # "Did you mean ...?" when the schema hides suggestions, then log.
                    context.pre_execution_errors = result.errors
                    context.schema._process_errors(result.errors, context)
        yield


_RESOLVE_INFO = (
    "field_name", "field_nodes", "return_type", "parent_type", "path", "schema", "fragments",
    "root_value", "operation", "variable_values", "context", "is_awaitable", "abort_signal",
    "async_helpers",
)  # fmt: skip
_STRAWBERRY_FIELD = ("is_basic_field", "python_name", "default_resolver", "base_resolver")
_STRAWBERRY_RESOLVER = (
    "wrapped_func", "self_parameter", "info_parameter", "parent_parameter", "root_parameter",
)  # fmt: skip


def problems() -> list[str]:
    """Why the plans cannot run on the installed strawberry and graphql-core (empty: they
    can): what they use of them must be what they were written against."""
    from strawberry.types.field import StrawberryField
    from strawberry.types.fields.resolver import StrawberryResolver
    from strawberry.types.info import Info

    found = []
    expected = ("type_def", "node", "variable_values", "fragment_variable_values")
    parameters = tuple(inspect.signature(get_argument_values).parameters)
    if parameters[: len(expected)] != expected:
        found.append(f"graphql-core's get_argument_values takes {parameters}")
    if GraphQLResolveInfo._fields != _RESOLVE_INFO:
        found.append(f"graphql-core's resolve info holds {GraphQLResolveInfo._fields}")
    if not hasattr(GraphQLCoreConverter, "DEFINITION_BACKREF"):
        found.append("strawberry's fields are not found from graphql-core's")

    def probe(self, info: Info) -> str:  # a resolver, to look at what strawberry makes of it
        return ""

    resolver = StrawberryResolver(probe)
    for kind, instance, names in (
        ("StrawberryField", StrawberryField(base_resolver=resolver), _STRAWBERRY_FIELD),
        ("StrawberryResolver", resolver, _STRAWBERRY_RESOLVER),
    ):
        if missing := [name for name in names if not hasattr(instance, name)]:
            found.append(f"strawberry's {kind} has no {', '.join(missing)}")
    if not {"_raw_info", "_field"} <= set(inspect.signature(Info).parameters):
        found.append("strawberry's Info is not built from a resolve info and a field")
    return found
