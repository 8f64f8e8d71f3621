"""The parity harness: one GraphQL request answered by several executions of the schema
("sides"), the answers compared as JSON (status, data, errors with their messages, paths,
locations and extensions, key order and list order included).

A side is a function from a `Request` to an `Answer`. Today there are two:

- `served`: the schema as the site serves it (queries answered by their compiled plans,
  `sahel.graphql.plans`), POSTed to /graphql/ through django.test.Client: URL routing,
  middleware, the view (one snapshot, extensions, error masking, orjson);
- `reference`: a second `strawberry.Schema` of the same Query type, extensions and config,
  executed by graphql-core's ordinary executor (strawberry's default execution context, no
  plans), behind the same view class (`SahelGraphQLView`), called with a
  RequestFactory request: the same snapshot, extensions, error masking and JSON encoding.

Another execution is plugged in as one more entry of `SIDES`, e.g.
`SIDES["other"] = view_side(SahelGraphQLView.as_view(schema=other_schema))`; every side is
compared with `BASELINE`. The served side must have answered from its plans, not by
falling back (`test_parity`: the corpus's app queries leave no fallback).

The corpus (tests/graphql/corpus/*.yaml) names ids, instants and cursors of the data world
(`tests.graphql.corpus.world`) by placeholders, resolved when a query is asked:
`%{id:actors:jnim}` (the id of the actor with that slug, as a string), `%{instant:before}`
(ISO 8601), `%{cursor:before}` (a `changes` cursor), `%{u:d800}` (the character U+D800,
which YAML cannot hold).
"""

import dataclasses
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import strawberry
import yaml
from django.test import Client, RequestFactory
from graphql import (
    ArgumentNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    parse,
    print_ast,
    validate,
    visit,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

CORPUS_DIR = Path(__file__).parent / "corpus"
CORPUS_FILES = ("suite.yaml", "generated.yaml")
PATH = "/graphql/"
EXPECTATIONS = ("data", "null", "errors")
# Errors of the limits (depth, aliases, tokens: strawberry's; sizes: ours): only queries
# meant to test them may meet them.
LIMIT_MESSAGES = re.compile(r"exceeds maximum operation depth|aliases found|token", re.I)
LIMIT_CODE = "QUERY_TOO_LARGE"


# -- requests and answers --------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    query: str | None  # None: a request without a query
    variables: dict | None = None
    operation_name: str | None = None

    def payload(self) -> dict:
        body = {} if self.query is None else {"query": self.query}
        if self.variables is not None:
            body["variables"] = self.variables
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body

    def encoded(self) -> str:
        # ensure_ascii: a lone surrogate travels as "\\ud800", as a client would send it
        return json.dumps(self.payload())


@dataclass(frozen=True)
class Answer:
    status: int
    body: object  # the parsed JSON document, or the text of a response that is not JSON

    @classmethod
    def of(cls, response) -> "Answer":
        content = response.content.decode()
        try:
            body = json.loads(content)
        except ValueError:
            body = content
        return cls(response.status_code, body)

    def as_json(self) -> dict:
        return {"status": self.status, "body": self.body}


Side = Callable[[Request], Answer]


def client_side(path: str = PATH) -> Side:
    """The request POSTed to `path` through the URLconf and the middleware."""

    def ask(request: Request) -> Answer:
        response = Client().post(path, request.encoded(), content_type="application/json")
        return Answer.of(response)

    return ask


def view_side(view) -> Side:
    """The request given to a Django `view` (as `SahelGraphQLView.as_view(...)`) through the
    middleware that shapes every API error (sahel.errors: strawberry's plain-text refusals
    answered as GraphQL errors), as the site's middleware chain does."""
    from sahel.errors import JsonErrorsMiddleware

    shaped = JsonErrorsMiddleware(view)

    def ask(request: Request) -> Answer:
        http = RequestFactory().post(PATH, request.encoded(), content_type="application/json")
        return Answer.of(shaped(http))

    return ask


@functools.cache
def reference_schema() -> strawberry.Schema:
    """The served schema's Query type, extensions and config, executed by graphql-core's
    ordinary executor (no compiled plans)."""
    from sahel.graphql.plans import CompiledExecution
    from sahel.graphql.schema import build_schema, schema

    reference = build_schema(compiled=False)
    assert CompiledExecution in schema.extensions  # the served one is compiled
    assert CompiledExecution not in reference.extensions
    assert reference.execution_context_class is StrawberryGraphQLCoreExecutionContext
    assert list(reference.extensions) == [
        e for e in schema.extensions if e is not CompiledExecution
    ]
    return reference


@functools.cache
def reference_view():
    from sahel.graphql.views import SahelGraphQLView

    return SahelGraphQLView.as_view(schema=reference_schema())


BASELINE = "reference"
SIDES: dict[str, Side] = {
    "reference": view_side(lambda http: reference_view()(http)),
    "served": client_side(),
}


def _execute(side: str, query, variables, operation_name) -> dict:
    answer = SIDES[side](Request(query, variables, operation_name))
    assert isinstance(answer.body, dict), (answer.status, answer.body)
    return answer.body


def reference_execute(query: str, variables: dict | None = None, operation_name=None) -> dict:
    """The JSON document graphql-core's ordinary executor answers."""
    return _execute("reference", query, variables, operation_name)


def served_execute(query: str, variables: dict | None = None, operation_name=None) -> dict:
    """The JSON document /graphql/ answers."""
    return _execute("served", query, variables, operation_name)


def ask_all(request: Request, sides: dict[str, Side] | None = None) -> dict[str, Answer]:
    return {name: side(request) for name, side in (sides or SIDES).items()}


def mismatches(answers: dict[str, Answer], baseline: str = BASELINE) -> list[str]:
    """Each side that answered otherwise than `baseline`, with the first difference."""
    expected = answers[baseline].as_json()
    found = []
    for name, answer in answers.items():
        if name == baseline:
            continue
        difference = first_difference(expected, answer.as_json(), names=(baseline, name))
        if difference is not None:
            found.append(f"{name} differs from {baseline} at {difference}")
    return found


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "..."


def first_difference(expected, actual, path: str = "$", names=("expected", "actual")) -> str | None:
    """The path of the first difference between two JSON documents and both values there,
    or None when they are the same document: the same types (true is not 1, 1.0 is not 1),
    the same keys in the same order, the same lists in the same order."""
    a, b = names
    if type(expected) is not type(actual):
        return f"{path}: {a} {_short(expected)}, {b} {_short(actual)}"
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            if set(expected) == set(actual):
                return (
                    f"{path}: keys in another order: {a} {_short(list(expected))}, "
                    f"{b} {_short(list(actual))}"
                )
            missing = [key for key in expected if key not in actual]
            extra = [key for key in actual if key not in expected]
            return f"{path}: keys only in {a} {_short(missing)}, only in {b} {_short(extra)}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}", names)
            if found is not None:
                return found
        return None
    if isinstance(expected, list):
        for index, (one, other) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(one, other, f"{path}[{index}]", names)
            if found is not None:
                return found
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items in {a}, {len(actual)} in {b}"
        return None
    if expected != actual:
        return f"{path}: {a} {_short(expected)}, {b} {_short(actual)}"
    return None


# -- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    category: str
    query: str | None
    expect: str  # data: no errors; null: no errors, every root field null; errors: some
    variables: dict | None = None
    operation_name: str | None = None
    as_of: bool = True  # also asked at the world's past instants (when that changes it)
    origin: str | None = None  # where in the suite or the README it comes from
    note: str | None = None

    @classmethod
    def of(cls, item: dict) -> "Entry":
        """From the corpus files' spelling (`operationName`, `asOf`); an unknown key is a
        TypeError."""
        assert item["expect"] in EXPECTATIONS, item
        names = {"operationName": "operation_name", "asOf": "as_of"}
        return cls(**{names.get(key, key): value for key, value in item.items()})


def load_corpus(files=CORPUS_FILES) -> list[Entry]:
    entries = []
    for name in files:
        entries += [Entry.of(item) for item in yaml.safe_load((CORPUS_DIR / name).read_text())]
    return entries


_PLACEHOLDER = re.compile(r"%\{(\w+):([^}]*)\}")


def resolve(value, world):
    """`value` (a query, variables) with the world's placeholders replaced."""
    if isinstance(value, str):

        def replace(match):
            kind, key = match.groups()
            if kind == "id":
                resource, slug = key.split(":")
                return str(world.ids[(resource, slug)])
            if kind == "instant":
                return world.instants[key].isoformat()
            if kind == "cursor":
                return world.cursors[key]
            if kind == "u":
                return chr(int(key, 16))
            raise KeyError(f"unknown placeholder %{{{kind}:{key}}}")

        return _PLACEHOLDER.sub(replace, value)
    if isinstance(value, dict):
        return {key: resolve(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, world) for item in value]
    return value


def with_as_of(query: str | None, variables: dict | None, instant: str):
    """(query, variables) asked at `instant`: every root field that takes `asOf` and does
    not give it gets `asOf: "<instant>"`, and a declared `$asOf` that is not given gets the
    instant; None when nothing changes (the document does not parse, nothing takes asOf,
    every root field gives its own)."""
    if query is None:
        return None
    try:
        document = parse(query)
    except GraphQLError:
        return None
    from sahel.graphql.schema import schema

    graphql_schema = schema._schema
    type_info = TypeInfo(graphql_schema)
    changed = []

    class AddAsOf(Visitor):
        def enter_field(self, node, *_):
            parent, definition = type_info.get_parent_type(), type_info.get_field_def()
            if (
                parent is not graphql_schema.query_type
                or definition is None
                or "asOf" not in definition.args
                or any(argument.name.value == "asOf" for argument in node.arguments or ())
            ):
                return None
            changed.append(node)
            argument = ArgumentNode(
                name=NameNode(value="asOf"), value=StringValueNode(value=instant)
            )
            return dataclasses.replace(node, arguments=(*(node.arguments or ()), argument))

    rewritten = visit(document, TypeInfoVisitor(type_info, AddAsOf()))
    variables = dict(variables or {})
    declares = any(
        definition.variable.name.value == "asOf"
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
        for definition in operation.variable_definitions or ()
    )
    if declares and "asOf" not in variables:
        variables["asOf"] = instant
        changed.append("$asOf")
    if not changed:
        return None
    fields_changed = any(node != "$asOf" for node in changed)
    # The text as written when only a variable changes: error locations stay the same.
    return (print_ast(rewritten) if fields_changed else query), variables


# The categories asked at every past instant of the world; the others at the first one,
# but for LIVE_ONLY: the generated values of every argument (376 queries) are asked live.
# What `asOf` changes is which rows are read, and that is asked of every root, field,
# connection and hidden object at each past instant and of the suite's queries at the
# first; asking each argument value again in the past added 209 cases (a sixth of the
# corpus's time on each backend) and nothing those do not cover.
EVERY_INSTANT = frozenset({"roots", "fields", "connections", "hidden"})
LIVE_ONLY = frozenset({"arguments"})


def instants_of(entry: Entry, past: tuple[str, ...]) -> list[str]:
    """When `entry` is asked: live; and, when `asOf` changes the request, the document is
    valid (asOf cannot change a validation error but for its locations) and it is not
    meant to fail (an argument refused live is refused then too), at the first of the
    `past` instants, or at each of them for the categories of EVERY_INSTANT; live only for
    the categories of LIVE_ONLY."""
    from sahel.graphql.schema import schema

    found = ["live"]
    if not entry.as_of or entry.expect == "errors" or entry.category in LIVE_ONLY:
        return found
    if with_as_of(entry.query, entry.variables, "x") is None:
        return found
    if validate(schema._schema, parse(entry.query)):
        return found
    return found + list(past if entry.category in EVERY_INSTANT else past[:1])


def request(entry: Entry, world, instant: str = "live") -> Request | None:
    """The request `entry` makes at `instant` ("live", or a name of `world.instants`), or
    None when it is asked live only."""
    query, variables = entry.query, entry.variables
    if instant != "live":
        if not entry.as_of:
            return None
        rewritten = with_as_of(query, variables, f"%{{instant:{instant}}}")
        if rewritten is None:
            return None
        query, variables = rewritten
    return Request(resolve(query, world), resolve(variables, world), entry.operation_name)


def expectation_problem(entry: Entry, answer: Answer) -> str | None:
    """Whether `answer` is what `entry` says it tests (None: it is)."""
    body = answer.body
    if not isinstance(body, dict):
        return None if entry.expect == "errors" else f"not a JSON document: {_short(body)}"
    errors = body.get("errors") or []
    if entry.category != "limits":
        for error in errors:
            if LIMIT_MESSAGES.search(error.get("message", "")) or (
                (error.get("extensions") or {}).get("code") == LIMIT_CODE
            ):
                return f"meets a limit it is not meant to test: {_short(error)}"
    if entry.expect == "errors":
        return None if errors else f"no errors: {_short(body)}"
    if errors:
        return f"errors: {_short(errors)}"
    data = body.get("data")
    if not isinstance(data, dict):
        return f"no data: {_short(body)}"
    if entry.expect == "null" and any(value is not None for value in data.values()):
        return f"a root field is not null: {_short(data)}"
    if entry.expect == "data" and data and all(value is None for value in data.values()):
        return f"every root field is null: {_short(data)}"
    return None
