"""The compiled read path (sahel.graphql.plans) answers exactly as strawberry and
graphql-core do without it: data, nulls, errors and their paths and locations; what it does
not cover falls back to graphql-core; and the GraphQL view's orjson encoding is the
document strawberry's json.dumps wrote."""

import datetime
import decimal
import enum
import json
import logging
import types

import pytest
import strawberry
from django.core.serializers.json import DjangoJSONEncoder
from strawberry.schema.config import StrawberryConfig

from sahel.graphql import plans
from sahel.graphql.plans import CompiledExecution
from tests.graphql.queries import EVENTS, NESTED, SEARCH


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


class Row:
    """A source object: attributes as the records give them."""

    def __init__(self, **values):
        self.__dict__.update(values)


@strawberry.type
class Item:
    name: str
    maybe: str | None
    count: int
    ratio: float
    flag: bool
    colour: Colour
    ident: strawberry.ID

    @strawberry.field
    def doubled(self) -> int:
        return self.count * 2

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        return ".".join(str(key) for key in info.path.as_list())

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("broken resolver")

    @strawberry.field
    def times(self, factor: int = 3) -> int:
        return self.count * factor

    @strawberry.field
    def children(self) -> list["Item"]:
        return self.kids

    @strawberry.field
    def best(self) -> "Item | None":
        return self.kids[0] if self.kids else None

    @strawberry.field
    def first(self) -> "Item":
        return self.kids[0]


def _items():
    good = Row(name="a", maybe=None, count=2, ratio=0.5, flag=True, colour=Colour.RED, ident=7)
    good.kids = [Row(**{**good.__dict__, "name": "child", "kids": []})]
    bad_null = Row(**{**good.__dict__, "name": None, "kids": []})  # non-null field is null
    bad_int = Row(**{**good.__dict__, "count": "many", "kids": []})  # not an Int
    bad_float = Row(**{**good.__dict__, "ratio": float("nan"), "kids": []})
    bad_enum = Row(**{**good.__dict__, "colour": "blue", "kids": []})
    # Objects holding a bad object: errors bubble up to the nearest nullable field.
    bad_kids = Row(**{**good.__dict__, "name": "parent", "kids": [bad_null, good]})
    return [good, bad_null, bad_int, bad_float, bad_enum, bad_kids]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return _items()

    @strawberry.field
    def item(self, index: int) -> Item:
        return _items()[index]

    @strawberry.field
    def maybe_item(self, index: int) -> Item | None:
        return _items()[index]

    @strawberry.field
    def strict(self) -> list[Item]:
        return _items()[:2]

    @strawberry.field
    def paint(self, colour: Colour) -> str:
        return colour.value


TOY_QUERIES = [
    """{ items { name maybe count ratio flag colour ident doubled where broken times
         children { name where } } }""",
    "{ items { times(factor: 5) } }",
    "{ item(index: 1) { name count } }",
    "{ item(index: 2) { name count } }",
    "{ items { ...F } } fragment F on Item { name alias: count }",
    "{ items { name best { name count best { name } } first { count } children { count } } }",
    "{ items { children { name } } }",
    "{ item(index: 5) { best { name } } }",
    "{ item(index: 5) { first { name } } }",
    "{ item(index: 5) { children { name } } }",
    "{ a: maybeItem(index: 1) { name } b: maybeItem(index: 0) { name } }",
    "{ strict { name } }",
    "{ __typename items { __typename name } }",
    "{ items { ... on Item { name } ...F } } fragment F on Item { name count }",
    "query($s: Boolean!) { items { name count @skip(if: $s) ratio @include(if: $s) } }",
    "query($n: Int!) { item(index: $n) { name } }",
    "query($n: Int!) { maybeItem(index: $n) { times(factor: $n) } }",
    "query A { item(index: 0) { name } } query B { item(index: 2) { count } }",
    "query($c: Colour!) { paint(colour: $c) }",
]
VARIABLES = [
    {"s": True},
    {"s": False},
    {"n": 0},
    {"n": 5},
    {"n": "x"},
    {},
    {"c": "RED"},
    {"c": "RDE"},
]


HIDDEN_SUGGESTIONS = StrawberryConfig(disable_field_suggestions=True)  # as the app's schema


def _plain_schema(query):
    return strawberry.Schema(query=query, config=HIDDEN_SUGGESTIONS)


def _compiled_schema(query):
    return strawberry.Schema(query=query, extensions=[CompiledExecution], config=HIDDEN_SUGGESTIONS)


def _answer(schema, query: str, variables=None, context=None, operation_name=None) -> dict:
    result = schema.execute_sync(
        query,
        variable_values=variables,
        context_value=context or types.SimpleNamespace(),
        operation_name=operation_name,
    )
    return {
        "data": result.data,
        "errors": [error.formatted for error in result.errors or ()],
    }


@pytest.mark.parametrize("variables", VARIABLES)
@pytest.mark.parametrize("query", TOY_QUERIES)
def test_plans_answer_as_graphql_core(query, variables):
    """Plain fields, nulls in non-null fields (propagated to the nearest nullable field,
    the root included), values a scalar or an enum refuses, resolvers with and without
    info, raising resolvers, arguments, variables (refused ones too), fragments, aliases,
    `__typename`, `@skip`/`@include`: the same JSON, errors' messages, paths and locations
    included."""
    operation = "B" if "query A" in query else None
    expected = _answer(_plain_schema(Query), query, variables, operation_name=operation)
    assert expected["data"] or expected["errors"]
    ran = []
    original = plans._Run.execute
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plans._Run, "execute", lambda run: ran.append(run) or original(run))
        compiled = _answer(_compiled_schema(Query), query, variables, operation_name=operation)
    assert compiled == expected
    refused = any("Variable" in error["message"] for error in expected["errors"])
    assert len(ran) == (0 if refused else 1)  # answered by its plan


def test_an_operation_is_compiled_once(monkeypatch):
    """The second request with the same text (and the same `@skip`/`@include` values)
    reuses the plan; other directive values are another plan."""
    compiled = []
    original = plans.compile_operation
    monkeypatch.setattr(plans, "compile_operation", lambda *a: compiled.append(a) or original(*a))
    monkeypatch.setattr(plans, "PLANS", plans.Plans())
    schema = _compiled_schema(Query)
    query = "query($s: Boolean!) { items { name count @skip(if: $s) } }"
    for variables in ({"s": True}, {"s": True}, {"s": False}, {"s": False}):
        assert _answer(schema, query, variables)["data"]["items"]
    assert len(compiled) == 2


def test_what_plans_do_not_cover_is_answered_by_graphql_core(monkeypatch, caplog):
    """Introspection is graphql-core's: the answer is its own, and the fallback is logged."""
    monkeypatch.setattr(plans, "PLANS", plans.Plans())
    query = "{ __schema { queryType { name } } items { name } }"
    with caplog.at_level(logging.INFO, logger="sahel.graphql.plans"):
        answer = _answer(_compiled_schema(Query), query)
    assert answer == _answer(_plain_schema(Query), query)
    assert answer["data"]["__schema"] == {"queryType": {"name": "Query"}}
    assert "graphql-core's executor answers (introspection)" in caplog.text


def test_the_app_schema_is_compiled():
    from sahel.graphql.schema import schema

    assert plans.CompiledExecution in schema.extensions
    assert plans.problems() == []


@pytest.mark.parametrize(
    "query",
    [
        "{ actors { ... @defer { totalCount } } }",
        "{ actors { nodes @stream(initialCount: 1) { name } } }",
    ],
)
def test_incremental_delivery_is_refused_before_any_plan(query):
    """The plans have no case for `@defer`/`@stream`: the app's schema declares neither,
    so validation refuses them (were they declared, this fails and the plans need one)."""
    from sahel.graphql.schema import schema

    result = schema.execute_sync(query, context_value=types.SimpleNamespace())
    assert result.data is None
    assert "Unknown directive" in result.errors[0].message


APP_QUERIES = [
    (NESTED, {"first": 20}),
    (EVENTS, {"first": 20}),
    (SEARCH, {"first": 20}),
    (
        """{ actor(slug: "jnim") { id slug name kind certainty begin { edtf lower upper }
             area { name latitude } names { name kind certainty }
             identifiers { scheme value } history { time action changes }
             affiliationsAsObject(validAt: "2018") { certainty start { edtf } end { lower }
               type { slug label inverseLabel symmetric } subject { name } } } }""",
        {},
    ),
    (
        """{ network(actor: "jnim", depth: 2) { truncated nodes { slug name kind }
          edges { subject { slug } type { label } object { slug } certainty } } }""",
        {},
    ),
    (
        """{ actors(first: 3) { totalCount pageInfo { hasNextPage endCursor }
          edges { cursor node { name } } } }""",
        {},
    ),
    ("{ actors(first: 1, filter: {certainty: [NOPE]}) { totalCount } }", {}),
    ('{ actor(id: "x") { name } }', {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "variables"), APP_QUERIES)
def test_the_app_schema_answers_as_strawberry_would(curated, query, variables):
    """The app's schema against the same types executed by strawberry's own executor and
    resolvers, on the curated dataset."""
    from sahel.graphql.schema import build_schema

    expected = _answer(build_schema(compiled=False), query, variables)
    assert expected["data"] or expected["errors"]
    assert _answer(build_schema(compiled=True), query, variables) == expected


def test_the_view_encodes_as_strawberry_did():
    """orjson with Django's encoder for what JSON has no type for: the same document as
    json.dumps(cls=DjangoJSONEncoder), non-ASCII text and non-string keys included."""
    from sahel.graphql.schema import schema
    from sahel.graphql.views import SahelGraphQLView

    data = {
        "data": {"name": "Ag Ghaly — إياد", "n": 1, "x": 0.25, "none": None, "ok": True},
        "extensions": {
            1: "int key",
            "when": datetime.datetime(2020, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
            "day": datetime.date(2020, 1, 2),
            "amount": decimal.Decimal("1.50"),
        },
    }
    encoded = SahelGraphQLView(schema=schema).encode_json(data)
    assert json.loads(encoded) == json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    assert json.loads(encoded)["extensions"]["when"] == "2020-01-02T03:04:05.678Z"


@pytest.mark.django_db
def test_batches_are_released_after_the_answer(curated, monkeypatch):
    """A batch and its records point at each other: the request lets go of them once the
    answer is built, so they are freed at once instead of by the cycle collector."""
    from sahel.graphql import batches
    from sahel.graphql.schema import schema

    seen = []
    original = batches.Batch.__post_init__
    monkeypatch.setattr(
        batches.Batch, "__post_init__", lambda batch: seen.append(batch) or original(batch)
    )
    context = types.SimpleNamespace()
    answer = _answer(schema, NESTED, {"first": 20}, context)
    assert answer["data"]["actors"]["nodes"]
    assert len(seen) > 3
    assert all(batch.records == [] and batch._loaded == {} for batch in seen)
    assert context.sahel_budget.batches == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($k: [String!]) { actors(filter: {kind: $k}) { totalCount } }", {"k": ["\ud800"]}),
        ("query($s: String!) { actor(slug: $s) { id } }", {"s": "\ud800"}),
        ("query($s: String!) { actors(filter: {dateFrom: $s}) { totalCount } }", {"s": "\ud800"}),
    ],
    ids=["in-a-list", "as-a-slug", "as-a-date"],  # (a lone surrogate cannot travel in an id)
)
def test_a_lone_surrogate_in_the_input_is_a_named_error_not_a_server_error(
    client, query, variables
):
    """A lone surrogate in the variables is no text: the request is refused, saying why,
    before anything runs (the database could not even be asked: it was an 'Internal
    error.'). In the query itself graphql-core's parser refuses it as a syntax error."""
    body = json.dumps({"query": query, "variables": variables})  # ensure_ascii: "\\ud800"
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    [error] = json.loads(response.content)["errors"]
    assert "lone surrogate" in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}


def test_the_plans_know_this_graphql_core(monkeypatch, caplog):
    """The plans run on the graphql-core and strawberry they were written for; on others
    the schema is built without them, with a warning at start-up, rather than failing
    every query while it runs, and this test fails until they are checked again."""
    from sahel.graphql import schema as schema_module

    assert plans.problems() == []

    def changed(type_def, node, variables):  # an older get_argument_values
        return {}

    monkeypatch.setattr(plans, "get_argument_values", changed)
    assert "get_argument_values takes" in " ".join(plans.problems())
    with caplog.at_level(logging.WARNING, logger="sahel.graphql.schema"):
        assert schema_module._compiled() is False
    assert "compiled read path is off" in caplog.text


def test_the_plans_can_be_turned_off(settings):
    """SAHEL_GRAPHQL_COMPILED=0 builds the schema with graphql-core's executor alone."""
    from sahel.graphql import schema as schema_module

    settings.SAHEL_GRAPHQL_COMPILED = False
    assert schema_module._compiled() is False
    plain = schema_module.build_schema(compiled=False)
    assert plans.CompiledExecution not in plain.extensions
    result = plain.execute_sync("{ __typename }")
    assert result.errors is None
    assert result.data == {"__typename": "Query"}
