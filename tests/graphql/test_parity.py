"""Parity: every query of the corpus (tests/graphql/corpus/) answered alike by every side of
tests/graphql/parity.py — the schema as served (compiled plans, sahel.graphql.plans) and
graphql-core's ordinary executor — compared as JSON: status, data, errors
(messages, paths, locations, extensions) and their order. Asked live and at the data
world's past instants (`asOf` added to every root field that takes it)."""

import ast
import json
import logging
import re
from pathlib import Path

import pytest
from graphql import parse, print_ast
from graphql.error import GraphQLError

from tests.graphql import parity
from tests.graphql.corpus import generate
from tests.graphql.corpus.world import INSTANTS, corpus_world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

CORPUS = parity.load_corpus()
REPO = Path(__file__).resolve().parents[2]


def _cases():
    for entry in CORPUS:
        for instant in parity.instants_of(entry, INSTANTS):
            yield pytest.param(entry, instant, id=f"{entry.name}@{instant}")


@pytest.fixture(scope="module")
def answers() -> dict:
    """(entry name, instant) -> the baseline's answer, as the cases ask them."""
    return {}


@pytest.mark.parametrize(("entry", "instant"), list(_cases()))
def test_every_side_answers_alike(corpus_world, answers, entry, instant, caplog):  # noqa: F811
    request = parity.request(entry, corpus_world, instant)
    with caplog.at_level(logging.INFO, logger="sahel.graphql.plans"):
        found = parity.ask_all(request)
    fallbacks = [r.getMessage() for r in caplog.records if r.name == "sahel.graphql.plans"]
    if not _introspects(entry.query) and entry.expect != "errors":
        assert not fallbacks, f"{entry.name}: the served side fell back: {fallbacks}"
    answers[entry.name, instant] = found[parity.BASELINE]
    mismatches = parity.mismatches(found)
    assert not mismatches, f"{entry.name} @ {instant}: " + "; ".join(mismatches)
    if instant == "live":
        problem = parity.expectation_problem(entry, found[parity.BASELINE])
        assert problem is None, f"{entry.name}: expected {entry.expect}, {problem}"


def _introspects(query: str | None) -> bool:
    return query is not None and ("__schema" in query or "__type(" in query)


@pytest.fixture
def answer(corpus_world, answers):  # noqa: F811
    """`answer(entry, instant)`: the baseline's answer, as asked by the cases (or now)."""

    def get(entry, instant):
        if (entry.name, instant) not in answers:
            request = parity.request(entry, corpus_world, instant)
            answers[entry.name, instant] = parity.SIDES[parity.BASELINE](request)
        return answers[entry.name, instant]

    return get


def test_the_past_answers_otherwise(answer):
    """The world's edits show: many queries answer otherwise at its instants than live (so
    asking them `asOf` compares other answers, not the same ones again)."""
    changed, asked = dict.fromkeys(INSTANTS, 0), dict.fromkeys(INSTANTS, 0)
    for entry in CORPUS:
        if entry.expect != "errors":
            for instant in parity.instants_of(entry, INSTANTS)[1:]:
                asked[instant] += 1
                changed[instant] += answer(entry, instant) != answer(entry, "live")
    # 95 of 261 at `before`, 28 of 103 at `middle` (the argument values asked live only)
    assert asked["before"] >= 200, asked
    assert asked["middle"] >= 80, asked
    assert changed["before"] >= 0.3 * asked["before"], (changed, asked)
    assert changed["middle"] >= 0.2 * asked["middle"], (changed, asked)


def test_hidden_objects_answer_as_absent_ones(answer):
    """A lookup of a draft, withdrawn or deleted object answers exactly as one of an id or
    slug that never existed, live and in the past."""
    by_name = {entry.name: entry for entry in CORPUS}
    pairs = [
        (entry, by_name[entry.name.rsplit("/", 1)[0] + "/absent"])
        for entry in CORPUS
        if entry.category == "hidden" and entry.name.rsplit("/", 1)[0] + "/absent" in by_name
    ]
    assert len(pairs) >= 10
    for hidden, absent in pairs:
        for instant in parity.instants_of(hidden, INSTANTS):
            assert answer(hidden, instant) == answer(absent, instant), (hidden.name, instant)


# -- the corpus -----------------------------------------------------------------------------------


def test_the_generated_corpus_is_what_the_schema_gives():
    assert generate.render() == generate.OUTPUT.read_text(), (
        "tests/graphql/corpus/generated.yaml is stale: run python -m tests.graphql.corpus.generate"
    )


def test_the_corpus_is_large_and_every_name_is_unique():
    names = [entry.name for entry in CORPUS]
    assert len(names) == len(set(names))
    assert len(CORPUS) >= 150
    categories = {entry.category for entry in CORPUS}
    assert {
        "suite", "roots", "fields", "arguments", "aliases", "fragments", "variables",
        "directives", "typename", "connections", "hidden", "history", "limits", "errors",
        "operations", "introspection",
    } <= categories  # fmt: skip
    assert {entry.expect for entry in CORPUS} == set(parity.EXPECTATIONS)


def _definitions(text: str) -> list:
    try:
        return list(parse(text).definitions)
    except GraphQLError:
        return []


def _app_definition(definition, schema) -> bool:
    """Written against the app's schema (not test_execution's toy schema)."""
    if hasattr(definition, "type_condition"):
        return definition.type_condition.name.value in schema.type_map
    roots = set(schema.query_type.fields) | {"__typename", "__schema", "__type"}
    return all(
        getattr(selection, "name", None) is None or selection.name.value in roots
        for selection in definition.selection_set.selections
    )


def _suite_texts() -> list[tuple[str, str]]:
    """(where, text) of every string literal of the GraphQL tests, and of the README's
    GraphQL examples."""
    texts = []
    for path in sorted((REPO / "tests" / "graphql").glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append((f"{path.name}:{node.lineno}", node.value))
    readme = (REPO / "README.md").read_text()
    for block in re.findall(r"```graphql\n(.*?)```", readme, re.S):
        texts.append(("README.md", block))
    for payload in re.findall(r"-d '(\{.*?\})'", readme):
        texts.append(("README.md curl", json.loads(payload)["query"]))
    return texts


def test_the_corpus_holds_every_query_of_the_suite_and_the_readme():
    """Every operation and fragment written out in tests/graphql/test_*.py or README.md is
    in the corpus (f-strings are not checked: their expansions are in suite.yaml)."""
    from sahel.graphql.schema import schema

    held = {
        print_ast(definition)
        for entry in CORPUS
        if entry.query
        for definition in _definitions(entry.query)
    }
    missing, checked = [], 0
    for where, text in _suite_texts():
        for definition in _definitions(text):
            if not _app_definition(definition, schema._schema):
                continue
            checked += 1
            if print_ast(definition) not in held:
                missing.append((where, print_ast(definition)[:120]))
    assert checked > 60
    assert not missing, missing


# -- the harness ----------------------------------------------------------------------------------


def test_the_sides_are_two_executions():
    """The served schema answers from compiled plans; the reference by graphql-core's
    executor, with the same extensions otherwise."""
    from sahel.graphql.plans import CompiledExecution
    from sahel.graphql.schema import schema

    assert CompiledExecution in schema.extensions
    assert CompiledExecution not in parity.reference_schema().extensions
    assert set(parity.SIDES) >= {"served", "reference"}


def test_a_side_that_answers_otherwise_is_reported(corpus_world):  # noqa: F811
    """A side whose one field answers otherwise (here: a name changed under `data`) is
    reported with the first path where it differs."""

    def broken(request):
        answer = parity.SIDES["served"](request)
        answer.body["data"]["actor"]["names"][1]["name"] += "!"
        return answer

    entry = next(entry for entry in CORPUS if entry.name == "roots/actor")
    sides = {**parity.SIDES, "broken": broken}
    found = parity.ask_all(parity.request(entry, corpus_world), sides)
    assert parity.mismatches(found) == [
        "broken differs from reference at $.body.data.actor.names[1].name: reference "
        + json.dumps(found["reference"].body["data"]["actor"]["names"][1]["name"])
        + ", broken "
        + json.dumps(found["broken"].body["data"]["actor"]["names"][1]["name"])
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "difference"),
    [
        ({"a": 1}, {"a": 1}, None),
        (
            {"a": 1, "b": 2},
            {"b": 2, "a": 1},
            '$: keys in another order: x ["a", "b"], y ["b", "a"]',
        ),
        ({"a": [1, 2]}, {"a": [1]}, "$.a: 2 items in x, 1 in y"),
        ({"a": True}, {"a": 1}, "$.a: x true, y 1"),
        ({"a": 1}, {"a": 1.0}, "$.a: x 1, y 1.0"),
        ({"e": [{"path": ["a", 0]}]}, {"e": [{"path": ["a", 1]}]}, "$.e[0].path[1]: x 0, y 1"),
        ({"a": None}, {"b": None}, '$: keys only in x ["a"], only in y ["b"]'),
    ],
)
def test_first_difference(expected, actual, difference):
    assert parity.first_difference(expected, actual, names=("x", "y")) == difference
