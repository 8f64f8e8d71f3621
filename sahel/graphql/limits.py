"""Abuse limits, applied to the query text before any resolver (and so any SQL) runs.

Depth, aliases and tokens are strawberry's own validators; `ArgumentLimits` bounds the
arguments that size the work (`first`, `depth`, `limit`), whether written in the query or
passed as variables. Errors of our own making (`PublicError`, bad input and limits) and
GraphQL's own syntax and validation errors are shown; any other error is masked.
"""

from collections.abc import Iterator

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    IntValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from sahel.core.outages import is_unavailable
from sahel.graphql.arguments import MAX_PAGE_SIZE, PublicError
from sahel.graphql.budget import release

MAX_QUERY_DEPTH = 10
MAX_ALIASES = 20
MAX_TOKENS = 2000
ARGUMENT_BOUNDS = {"first": (1, MAX_PAGE_SIZE), "limit": (1, MAX_PAGE_SIZE), "depth": (1, 3)}


class ArgumentLimits(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and not context.result:
            problems = _out_of_bounds(context.graphql_document, context.variables or {})
            if problems:
                context.result = ExecutionResult(data=None, errors=problems)
        yield


def _out_of_bounds(document, variables: dict) -> list[GraphQLError]:
    problems = []
    defaults = {  # $n: Int = 5000 counts as much as a literal 5000
        definition.variable.name.value: int(definition.default_value.value)
        for operation in document.definitions
        for definition in getattr(operation, "variable_definitions", None) or ()
        if isinstance(definition.default_value, IntValueNode)
    }
    variables = {**defaults, **variables}

    class Check(Visitor):
        def enter_field(self, node: FieldNode, *_):
            for argument in node.arguments or ():
                name = argument.name.value
                if name not in ARGUMENT_BOUNDS:
                    continue
                low, high = ARGUMENT_BOUNDS[name]
                value = argument.value
                if isinstance(value, VariableNode):
                    number = variables.get(value.name.value)
                elif isinstance(value, IntValueNode):
                    number = int(value.value)
                else:
                    continue  # null or a wrong type: GraphQL's own validation answers
                if isinstance(number, int) and not low <= number <= high:
                    problems.append(
                        PublicError(
                            f"Bad argument `{name}` of `{node.name.value}`: {number} is out "
                            f"of bounds; give a whole number from {low} to {high}.",
                            argument=name,
                            code="QUERY_TOO_LARGE",
                        )
                    )

    visit(document, Check())
    return problems


class ReleaseBatches(SchemaExtension):
    """The request's batches let go of once it is executed (`reading.release`)."""

    def on_execute(self) -> Iterator[None]:
        try:
            yield
        finally:
            release(self.execution_context.context)


class DatabaseUnavailable(SchemaExtension):
    """A resolver that met the database unreachable (a restart, a dropped connection) would
    be masked into a 200 with "Internal error."; the view raises that error instead
    (`SahelGraphQLView.dispatch`), which the project's error handler answers with a 503 and
    `Retry-After` (sahel/errors.py). Runs before the masking, on the original errors."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors or []) if result is not None else []:
            if error.original_error is not None and is_unavailable(error.original_error):
                request = getattr(self.execution_context.context, "request", None)
                if request is not None:
                    request.sahel_database_error = error.original_error
                return


def should_mask(error: GraphQLError) -> bool:
    """Mask errors raised by something other than our deliberate `PublicError`s (which
    reach here with no original error, as do GraphQL's syntax and validation errors)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


_ONCE_RULES = [
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]
CACHED_DOCUMENTS = 256  # parsed and validated documents kept, by their text

EXTENSIONS = [
    # Factories and classes, not shared instances: each request gets its own.
    lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    # A document is parsed and validated once (the caches are strawberry's, by text;
    # the token limit is part of the parser's key, the depth and alias limits are
    # validation rules): a client repeating its query pays neither again.
    lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
    lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
    # The depth and alias rules are built once: a new rule class per request (what
    # QueryDepthLimiter and MaxAliasesLimiter make) would be a new key of the validation
    # cache each time, so no document would ever be found validated.
    lambda: AddValidationRules(_ONCE_RULES),
    ArgumentLimits,
    DatabaseUnavailable,
    lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal error."),
    ReleaseBatches,
]
