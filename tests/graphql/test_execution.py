"""The short execution paths (sahel.graphql.execution) answer exactly as strawberry and
graphql-core do without them: data, nulls, errors and their paths; and the GraphQL view's
orjson encoding is the document strawberry's json.dumps wrote."""

import datetime
import decimal
import enum
import json
import types

import pytest
import strawberry
from django.core.serializers.json import DjangoJSONEncoder

from sahel.graphql.execution import Executor, streamline
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
]


def _plain_schema(query):
    return strawberry.Schema(query=query)


def _fast_schema(query):
    schema = strawberry.Schema(query=query, execution_context_class=Executor)
    assert streamline(schema) > 0
    return schema


def _answer(schema, query: str, variables=None, context=None) -> dict:
    result = schema.execute_sync(
        query, variable_values=variables, context_value=context or types.SimpleNamespace()
    )
    return {
        "data": result.data,
        "errors": [
            {"message": error.message, "path": error.path, "extensions": error.extensions}
            for error in result.errors or ()
        ],
    }


@pytest.mark.parametrize("query", TOY_QUERIES)
def test_short_paths_answer_as_graphql_core(query):
    """Plain fields, nulls in non-null fields, values a scalar or an enum refuses, resolvers
    with and without info, raising resolvers, arguments, fragments and aliases."""
    expected = _answer(_plain_schema(Query), query)
    assert expected["data"] or expected["errors"]
    assert _answer(_fast_schema(Query), query) == expected


def test_streamline_leaves_fields_with_arguments_to_strawberry():
    schema = _fast_schema(Query)
    fields = schema._schema.type_map["Item"].fields
    assert hasattr(fields["doubled"].resolve, "strawberry_resolve")
    assert hasattr(fields["where"].resolve, "strawberry_resolve")
    assert not hasattr(fields["times"].resolve, "strawberry_resolve")


def test_the_app_schema_uses_the_short_paths():
    from sahel.graphql.schema import schema

    assert schema.execution_context_class is Executor
    assert hasattr(
        schema._schema.type_map["Affiliation"].fields["object"].resolve, "strawberry_resolve"
    )
    actor = schema._schema.type_map["Actor"].fields
    assert not hasattr(actor["affiliationsAsSubject"].resolve, "strawberry_resolve")


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
    from sahel.graphql.limits import EXTENSIONS
    from sahel.graphql.schema import Query as AppQuery
    from sahel.graphql.schema import schema

    plain = strawberry.Schema(query=AppQuery, extensions=EXTENSIONS, config=schema.config)
    expected = _answer(plain, query, variables)
    assert expected["data"] or expected["errors"]
    assert _answer(schema, query, variables) == expected


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


def test_records_are_not_awaitable_and_coroutines_still_are():
    import asyncio

    from sahel.graphql.batches import Record

    @strawberry.type
    class Probe:
        @strawberry.field
        def answers(self, info: strawberry.Info) -> list[bool]:
            is_awaitable = info._raw_info.is_awaitable
            coroutine = asyncio.sleep(0)
            try:
                return [is_awaitable(Record({"id": 1})), is_awaitable(coroutine)]
            finally:
                coroutine.close()

    assert _answer(_fast_schema(Probe), "{ answers }")["data"] == {"answers": [False, True]}


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


def test_the_executor_knows_this_graphql_core():
    """The fast executor is in use on the graphql-core it was written for; one whose
    execution context has other signatures gets graphql-core's own executor instead, with a
    warning at start-up (sahel/graphql/schema.py), rather than failing every query while it
    runs, and this test fails until it is checked again."""
    from sahel.graphql.execution import compatible, problems
    from sahel.graphql.schema import schema

    assert problems() == []
    assert schema.execution_context_class is Executor

    class Changed:
        def complete_value(self, return_type, field_nodes, info, path, result):
            pass

    assert not compatible(Changed)
    assert "`complete_value` takes" in " ".join(problems(Changed))


def test_the_fast_executor_can_be_turned_off(caplog):
    """SAHEL_GRAPHQL_FAST_EXECUTION=0 builds the schema with graphql-core's executor."""
    from sahel.graphql.schema import build_schema

    plain = build_schema(fast=False)
    assert plain.execution_context_class is not Executor
    result = plain.execute_sync("{ __typename }")
    assert result.errors is None
    assert result.data == {"__typename": "Query"}
