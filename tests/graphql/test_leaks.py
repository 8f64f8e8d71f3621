"""Adversarial leak tests for the GraphQL API, against the REST leak tests' hidden world.

The rule (SPEC §1 "Publication and visibility"): drafts and withdrawn objects are never
reachable — not through root lists, id or slug lookups, nested relations, forward foreign
keys of a published object, search, filters, `network`, `history` or `changes`, live or
`asOf` any instant — and a hidden id answers exactly as an id that never existed.

`world` (tests.api.test_leaks) holds draft, withdrawn, deleted and once-public actors with a
marker (all containing "leakmark") in every text field, tied to published objects by
published claims. Every response body here is checked for every marker and for the ids of
every hidden object of every type (by `__typename`); positive controls pin the public
objects next to the hidden ones, so that no test passes on an empty answer.
"""

import json
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation
from events.models import Event, Participation
from sahel.core import selectors
from sources.models import Citation
from tests.leak_world import (
    HIDDEN_RESOURCES,
    NONEXISTENT_ID,
    NONEXISTENT_SLUG,
    PREFIX,
    RESOURCES,
    SEARCHED_NAMES,
    assert_no_leak,
    change_set_of_cursor,
    hidden_only_change_sets,
)

pytestmark = pytest.mark.django_db

# The leak world's instants (tests/leak_world.py): start, baseline (public objects only),
# unpublished_was_public (before the withdrawals), after (the withdrawals) and live. Costly
# root lists are asked at all but the baseline.
LIST_INSTANTS = ("start", "unpublished_was_public", "after", "live")
# Instants at which every public object of the world exists (its late event e2 included).
FULL_INSTANTS = ("unpublished_was_public", "after", "live")
PROBES = ("draft", "withdrawn", "deleted", "unpublished")
MASKED = "Internal error."

# GraphQL type -> model, for the hidden ids of every type that can be hidden.
HIDEABLE = {
    "Actor": Actor,
    "Affiliation": Affiliation,
    "Event": Event,
    "Name": Name,
    "Identifier": Identifier,
    "Participation": Participation,
    "Citation": Citation,
}
ROOTS = {  # list field (the world's resource name) -> lookup field
    "actors": "actor",
    "affiliations": "affiliation",
    "events": "event",
    "places": "place",
    "sources": "source",
}


# -- queries: every relation, nested -----------------------------------------------------------

FRAGMENTS = """
fragment C on Citation {
  __typename id locator quote stance note field source { __typename id slug title note text }
}
fragment P on Place { __typename id slug name parent { __typename id name } citations { ...C } }
fragment A1 on Actor { __typename id slug name description names { __typename id name } }
fragment Aff on Affiliation {
  __typename id slug roleTitle type { slug label inverseLabel }
  subject { ...A1 } object { ...A1 } citations { ...C }
}
fragment E1 on Event {
  __typename id slug title description parent { __typename id } subEvents { __typename id }
  participants { __typename id note actor { __typename id name } }
}
fragment Part on Participation {
  __typename id note role { slug label } actor { ...A1 } event { ...E1 } citations { ...C }
}
fragment L on Actor {
  ...A1 citations { ...C } identifiers { __typename id value note }
  affiliationsAsSubject { __typename id roleTitle object { __typename id name } }
  affiliationsAsObject { __typename id roleTitle subject { __typename id name } }
  participations { __typename id note event { __typename id title } }
  tiesIn2016: affiliationsAsSubject(validAt: "2016") { __typename id roleTitle }
  tiedIn2016: affiliationsAsObject(validAt: "2016") { __typename id roleTitle }
  partsIn2017: participations(validAt: "2017") { __typename id note }
  partsIn2018: participations(validAt: "2018") { __typename id note }
}
fragment A on Actor {
  __typename id slug name kind subkind description
  area { ...P }
  citations { ...C }
  names { __typename id name kind language citations { ...C } }
  identifiers { __typename id scheme value note }
  affiliationsAsSubject { ...Aff }
  affiliationsAsObject { ...Aff }
  participations { ...Part }
}
fragment E on Event {
  __typename id slug title description type { slug label }
  place { ...P } parent { ...E1 } subEvents { ...E1 }
  participants { ...Part }
  citations { ...C }
}
"""

FRAGMENT_TEXTS = {
    text.split()[1]: text.strip() for text in re.split(r"\n(?=fragment )", FRAGMENTS.strip())
}


def with_fragments(query: str) -> str:
    """`query` and the fragments it spreads, transitively (GraphQL refuses unused ones)."""
    used, todo = [], re.findall(r"\.\.\.(\w+)", query)
    while todo:
        name = todo.pop()
        if name not in used:
            used.append(name)
            todo += re.findall(r"\.\.\.(\w+)", FRAGMENT_TEXTS[name])
    return query + "\n" + "\n".join(FRAGMENT_TEXTS[name] for name in sorted(used))


NODE_SELECTIONS = {
    "actors": "...A",
    "affiliations": "...Aff",
    "events": "...E",
    "places": "...P",
    "sources": "__typename id slug title note text publisher authors url",
}


def list_query(field: str, selection: str | None = None) -> str:
    selection = selection or NODE_SELECTIONS[field]
    return with_fragments(
        f"query($asOf: String, $first: Int = 1000, $after: String) {{\n"
        f"  {field}(first: $first, after: $after, asOf: $asOf) {{\n"
        f"    totalCount pageInfo {{ hasNextPage endCursor }}\n"
        f"    edges {{ cursor node {{ __typename id }} }}\n"
        f"    nodes {{ {selection} }}\n"
        f"  }}\n}}"
    )


def lookup_query(field: str, by: str) -> str:
    kind = "ID" if by == "id" else "String"
    return (
        f"query($value: {kind}!, $asOf: String) {{\n"
        f"  {field}({by}: $value, asOf: $asOf) {{ __typename id slug }}\n}}"
    )


# -- helpers -----------------------------------------------------------------------------------


def objects_in(value) -> Iterator[tuple[str, str]]:
    """(__typename, id) of every object in a response (JSON scalars have no __typename)."""
    if isinstance(value, dict):
        if "__typename" in value and "id" in value:
            yield value["__typename"], str(value["id"])
        for item in value.values():
            yield from objects_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from objects_in(item)


@pytest.fixture(scope="module")
def hidden_objects(world, django_db_blocker) -> set[tuple[str, str]]:
    """(type, id) of every object of the world never to be shown: ever written, not public
    now (nothing public was deleted in this world, so at no past instant either). The
    selectors decide which names, parts, citations ... are public; the world's own list of
    hidden actors, ties and events is checked against it, and the markers do not depend
    on it."""
    found = set()
    with django_db_blocker.unblock():
        for typename, model in HIDEABLE.items():
            ever = set(model.history.values_list("id", flat=True))
            public = set(selectors.public(model).values_list("id", flat=True))
            found |= {(typename, str(pk)) for pk in ever - public}
    # The premise: the hidden ones the world names are among them, and every type has some.
    for resource, typename in (("actors", "Actor"), ("affiliations", "Affiliation")):
        assert {(typename, str(pk)) for pk in world.hidden_ids(resource)} <= found
    assert ("Event", str(world.draft_event.pk)) in found
    assert {typename for typename, _ in found} == set(HIDEABLE)
    return found


def check_body(body: dict, world, hidden_objects, where: str) -> None:
    """No marker anywhere, no hidden object (by type and id), no masked server error."""
    text = json.dumps(body)
    assert_no_leak(text, world.forbidden(), where)
    assert MASKED not in text, (where, "a server error", body.get("errors"))
    shown = set(objects_in(body.get("data"))) & hidden_objects
    assert not shown, (where, "hidden objects returned", sorted(shown))


@pytest.fixture
def ask(world, hidden_objects, gql):
    """`ask(query, **variables)`: the body, checked by `check_body`; `errors=True` when
    (public) errors are expected, else none is allowed; `echo`: a value the query sent that
    the answer may repeat (a slug named in an error), left out of the check."""

    def run(query: str, *, errors: bool = False, echo: str | None = None, **variables) -> dict:
        body = gql(query, **variables)
        where = f"{query.strip().splitlines()[0]} {variables}"
        check_body(body if echo is None else without(body, echo), world, hidden_objects, where)
        if errors:
            assert body.get("errors"), (where, body)
        else:
            assert "errors" not in body, (where, body["errors"])
        return body

    return run


def at(world, instant: str) -> dict:
    return {} if instant == "live" else {"asOf": world.instants[instant].isoformat()}


def ids(nodes) -> set[int]:
    return {int(node["id"]) for node in nodes}


def without(value, name: str):
    """`value` (a response) with the id or slug `name` replaced, wherever it stands on its
    own in a string, by "<value>" (numbers, e.g. error locations, are left alone)."""
    if isinstance(value, dict):
        return {key: without(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [without(item, name) for item in value]
    if isinstance(value, str):
        return re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", "<value>", value)
    return value


class SameAnswer:
    """Asks `query` with `name` = a probe (a hidden id or slug) and checks the answer is the
    answer to an unknown id or slug, the value aside. The unknown one is asked once."""

    def __init__(self, ask, query: str, name: str, **variables):
        self.ask, self.query, self.name, self.variables = ask, query, name, variables
        self.controls = {}

    def __call__(self, probe: str, *, errors: bool) -> dict:
        control = NONEXISTENT_ID if probe.isdigit() else NONEXISTENT_SLUG
        if control not in self.controls:
            body = self.ask(
                self.query, errors=errors, echo=control, **{self.name: control}, **self.variables
            )
            self.controls[control] = without(body, control)
        body = self.ask(
            self.query, errors=errors, echo=probe, **{self.name: probe}, **self.variables
        )
        assert without(body, probe) == self.controls[control], (self.query, probe, body)
        return self.controls[control]


# -- root lists ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listed() -> dict:
    """Root lists asked once per module (they are costly): {(field, instant): body}."""
    return {}


@pytest.fixture
def root_list(ask, world, listed):
    """`root_list(field, instant)`: the page of the root list, every relation nested."""

    def run(field: str, instant: str) -> dict:
        if (field, instant) not in listed:
            listed[field, instant] = ask(list_query(field), **at(world, instant))
        return listed[field, instant]["data"][field]

    return run


@pytest.mark.parametrize("instant", LIST_INSTANTS)
@pytest.mark.parametrize("field", list(ROOTS))
def test_root_lists_show_exactly_the_public_rows(root_list, world, field, instant):
    """Every root list, every relation nested: only public rows, and a public total."""
    page = root_list(field, instant)
    expected = world.public[instant][field]
    assert ids(page["nodes"]) == expected
    assert ids(edge["node"] for edge in page["edges"]) == expected
    assert len(page["nodes"]) == len(expected)
    assert page["totalCount"] == len(expected)
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("instant", ["unpublished_was_public", "live"])
@pytest.mark.parametrize("field", list(ROOTS))
def test_root_lists_walked_one_row_at_a_time(ask, world, field, instant):
    """Pages of one: the totals and the number of pages are the public ones."""
    query = list_query(field, "__typename id")
    seen, after, expected = [], None, world.public[instant][field]
    for _ in range(len(expected) + 1):
        page = ask(query, first=1, after=after, **at(world, instant))["data"][field]
        assert page["totalCount"] == len(expected)
        seen += [int(node["id"]) for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(expected)


# -- nested relations and forward foreign keys of published objects ----------------------------


def _by_id(nodes) -> dict[int, dict]:
    return {int(node["id"]): node for node in nodes}


def _ids(nodes) -> list[str]:
    return [node["id"] for node in nodes]


@pytest.mark.parametrize("instant", FULL_INSTANTS)
def test_nested_relations_show_the_public_objects_next_to_the_hidden_ones(
    root_list, world, instant
):
    """Positive controls, and the forward keys of published objects: a published tie to a
    hidden actor is not listed at all; an event's hidden participants (published parts of
    hidden actors, a draft part) are not among its participants; a published part in a
    draft event is not among the actor's parts; a published sub-event of a draft event has
    no parent."""
    actors = _by_id(root_list("actors", instant)["nodes"])
    a, b = actors[world.a.pk], actors[world.b.pk]
    assert [n["name"] for n in a["names"]] == ["Alpha Alias"]
    assert [i["value"] for i in a["identifiers"]] == ["X1"]
    assert [c["quote"] for c in a["citations"]] == ["A plain quote."]
    assert a["area"]["id"] == str(world.place.pk)
    assert _ids(a["affiliationsAsSubject"]) == [str(world.aff_ab.pk)]
    assert a["affiliationsAsObject"] == []
    assert _ids(b["affiliationsAsObject"]) == [str(world.aff_ab.pk)]
    assert b["affiliationsAsSubject"] == []
    tie = a["affiliationsAsSubject"][0]
    assert (tie["subject"]["id"], tie["object"]["id"]) == (str(world.a.pk), str(world.b.pk))
    assert [c["quote"] for c in tie["citations"]] == ["Another plain quote."]
    assert tie["citations"][0]["source"]["id"] == str(world.source.pk)
    assert [p["event"]["id"] for p in a["participations"]] == [str(world.e1.pk)]
    assert _ids(a["participations"][0]["event"]["participants"]) == _ids(a["participations"])
    assert b["participations"] == []

    events = _by_id(root_list("events", instant)["nodes"])
    e1, e2 = events[world.e1.pk], events[world.e2.pk]
    assert [p["actor"]["id"] for p in e1["participants"]] == [str(world.a.pk)]
    assert [c["quote"] for c in e1["participants"][0]["citations"]] == [
        "A plain participation quote."
    ]
    assert e1["subEvents"] == []
    assert e1["place"]["id"] == str(world.place.pk)
    assert e2["parent"] is None
    assert e2["participants"] == []

    ties = root_list("affiliations", instant)["nodes"]
    assert _ids(ties) == [str(world.aff_ab.pk)]


LOOKUPS = with_fragments(
    """query($a: ID!, $b: String!, $e1: String!, $e2: ID!, $tie: String!, $place: ID!,
         $source: String!, $asOf: String) {
      a: actor(id: $a, asOf: $asOf) { ...L }
      b: actor(slug: $b, asOf: $asOf) { ...L }
      e1: event(slug: $e1, asOf: $asOf) { ...E1 place { __typename id } }
      e2: event(id: $e2, asOf: $asOf) { ...E1 place { __typename id } }
      tie: affiliation(slug: $tie, asOf: $asOf) { ...Aff }
      place: place(id: $place, asOf: $asOf) { ...P }
      source: source(slug: $source, asOf: $asOf) { __typename id slug title note text }
    }"""
)


@pytest.mark.parametrize("instant", ["unpublished_was_public", "live"])
def test_lookups_of_published_objects_tied_to_hidden_ones(ask, world, instant):
    """The same through `actor(id:)`, `actor(slug:)`, `event(...)`, `affiliation(...)`."""
    w = world
    found = ask(
        LOOKUPS,
        a=str(w.a.pk),
        b=w.b.slug,
        e1=w.e1.slug,
        e2=str(w.e2.pk),
        tie=w.aff_ab.slug,
        place=str(w.place.pk),
        source=w.source.slug,
        **at(w, instant),
    )["data"]
    a, b, e1, e2, tie = (found[key] for key in ("a", "b", "e1", "e2", "tie"))
    assert _ids(a["affiliationsAsSubject"]) == [str(w.aff_ab.pk)]
    assert [p["event"]["id"] for p in a["participations"]] == [str(w.e1.pk)]
    assert [n["name"] for n in a["names"]] == ["Alpha Alias"]
    assert _ids(b["affiliationsAsObject"]) == [str(w.aff_ab.pk)]
    assert (b["affiliationsAsSubject"], b["participations"]) == ([], [])
    # Narrowed by valid time (the ties to hidden actors start in 2016, the draft event and
    # the sub-event with a draft part are of 2017, e1 of 2018).
    assert _ids(a["tiesIn2016"]) == [str(w.aff_ab.pk)]
    assert _ids(b["tiedIn2016"]) == [str(w.aff_ab.pk)]
    assert a["partsIn2017"] == []
    assert _ids(a["partsIn2018"]) == _ids(a["participations"])
    assert [p["actor"]["id"] for p in e1["participants"]] == [str(w.a.pk)]
    assert (e2["parent"], e2["participants"]) == (None, [])
    assert (tie["subject"]["id"], tie["object"]["id"]) == (str(w.a.pk), str(w.b.pk))
    assert (found["place"]["id"], found["source"]["id"]) == (str(w.place.pk), str(w.source.pk))


# -- lookups of hidden objects -------------------------------------------------------------------


@pytest.mark.parametrize("instant", ["unpublished_was_public", "after", "live"])
@pytest.mark.parametrize("field", HIDDEN_RESOURCES)
def test_hidden_ids_and_slugs_answer_as_ids_that_never_existed(ask, world, field, instant):
    """`actor(id:)`, `actor(slug:)` ... of a hidden object: null, the very answer to an id
    or slug that never existed (the whole body compared)."""
    one = ROOTS[field]
    for by in ("id", "slug"):
        same = SameAnswer(ask, lookup_query(one, by), "value", **at(world, instant))
        for obj in world.hidden[field]:
            answer = same(str(getattr(obj, "pk" if by == "id" else "slug")), errors=False)
            assert answer == {"data": {one: None}}


# -- history -------------------------------------------------------------------------------------

REVISION = "history { time action reason changes data }"
# The history of each item of the root lists (and of the actors' names): 6 objects, within
# the 25 a query may ask for. They are the public objects tied to hidden ones: a had a name
# public for a while, a and b have ties to hidden actors, e1 hidden participants, e2 a draft
# parent and a draft participant. History is costly: asked once each.
HISTORY = f"""{{
  actors(first: 1000) {{ nodes {{
    __typename id {REVISION} names {{ __typename id {REVISION} }}
  }} }}
  affiliations(first: 1000) {{ nodes {{ __typename id {REVISION} }} }}
  events(first: 1000) {{ nodes {{ __typename id {REVISION} }} }}
}}"""


def histories(value) -> Iterator[tuple[str, str, list]]:
    if isinstance(value, dict):
        if "history" in value:
            yield value["__typename"], value["id"], value["history"]
        for item in value.values():
            yield from histories(item)
    elif isinstance(value, list):
        for item in value:
            yield from histories(item)


def test_history_of_public_objects_tied_to_hidden_ones(ask, world):
    w = world
    body = ask(HISTORY)
    found = list(histories(body["data"]))
    expected = {("Actor", w.a.pk), ("Actor", w.b.pk), ("Affiliation", w.aff_ab.pk)}
    expected |= {("Event", w.e1.pk), ("Event", w.e2.pk)}
    assert {(t, int(pk)) for t, pk, _ in found if t != "Name"} == expected
    assert [t for t, _, _ in found].count("Name") == 1  # Alpha Alias
    for typename, pk, revisions in found:
        assert revisions, (typename, pk, "a public object was created publicly once")
        assert revisions[0]["action"] == "created", (typename, pk, revisions[0])
        for revision in revisions:
            if revision["action"] == "removed":
                assert (revision["reason"], revision["changes"], revision["data"]) == (
                    None,
                    None,
                    None,
                ), revision
    # Positive control: the public content is there.
    text = json.dumps(body)
    for shown in ("Public Alpha", "Alpha Alias", "Plain attack", "Plain sub-event", "commander"):
        assert shown in text


def test_history_as_of_an_instant(ask, world):
    """History `asOf` the instant a name of a (withdrawn since) and the unpublished actor
    and its ties were public: only what came before, nothing hidden."""
    past = at(world, "unpublished_was_public")
    body = ask(
        f"""query($a: ID!, $tie: ID!, $asOf: String) {{
          a: actor(id: $a, asOf: $asOf) {{ __typename id names {{ __typename id {REVISION} }} }}
          tie: affiliation(id: $tie, asOf: $asOf) {{ __typename id {REVISION} }}
        }}""",
        a=str(world.a.pk),
        tie=str(world.aff_ab.pk),
        **past,
    )
    found = list(histories(body["data"]))
    assert len(found) == 2
    for typename, pk, revisions in found:
        assert revisions, (typename, pk)
        assert all(r["time"] <= past["asOf"] for r in revisions), (typename, pk)


# -- search and filters: no oracle ----------------------------------------------------------------

ALIAS_BATCH = 20  # the alias limit


def hidden_names() -> list[str]:
    """Every hidden name, whole, in lower case and truncated."""
    texts = []
    for label in SEARCHED_NAMES:
        marker = f"Leakmark{label.replace('-', '')}"
        texts += [marker, marker.lower(), marker[:-2]]
    return texts


def search_each(ask, texts: list[str], fields: tuple[str, ...], **variables) -> None:
    """Every text searched through every one of `fields`, 20 aliases a query: nothing."""
    pairs = [(text, field) for text in texts for field in fields]
    for start in range(0, len(pairs), ALIAS_BATCH):
        batch = pairs[start : start + ALIAS_BATCH]
        selections = {
            "search": "search(text: $t{i}, first: 1000, asOf: $asOf)",
            "filter": "actors(filter: {{search: $t{i}}}, first: 1000, asOf: $asOf)",
        }
        params = "".join(f", $t{i}: String!" for i in range(len(batch)))
        aliases = " ".join(
            f"s{i}: {selections[field].format(i=i)} {{ totalCount nodes {{ __typename id }} }}"
            for i, (_, field) in enumerate(batch)
        )
        texts_ = {f"t{i}": text for i, (text, _) in enumerate(batch)}
        body = ask(f"query($asOf: String{params}) {{ {aliases} }}", **texts_, **variables)
        for alias, found in body["data"].items():
            assert (found["totalCount"], found["nodes"]) == (0, []), (batch[int(alias[1:])], found)


def test_search_by_every_marker_finds_nothing(ask, world):
    """Slugs, descriptions, identifiers, quotes, reasons ...: no marker finds any actor."""
    assert len(world.markers) > 100
    search_each(ask, [*world.markers, PREFIX], ("search",))


@pytest.mark.parametrize(
    ("instant", "fields"),
    [("live", ("search", "filter")), ("unpublished_was_public", ("search",))],
)
def test_search_by_a_hidden_name_finds_nothing(ask, world, instant, fields):
    """The published aliases of hidden actors, the draft and withdrawn names of a public
    one, by `search(text:)` and `actors(filter: {search:})` (the same code)."""
    search_each(ask, hidden_names(), fields, **at(world, instant))


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
def test_search_finds_the_public_actor_next_to_the_hidden_ones(ask, world, instant):
    """Positive control: the public alias of a finds a (and only a: the hidden actors'
    aliases and a's hidden names match nothing)."""
    body = ask(
        with_fragments(
            """query($asOf: String) {
              whole: search(text: "Alpha Alias", asOf: $asOf) { totalCount nodes { ...A } }
              part: search(text: "alpha", asOf: $asOf) { totalCount nodes { __typename id } }
              filter: actors(filter: {search: "Alpha Al"}, asOf: $asOf) {
                totalCount nodes { __typename id }
              }
            }"""
        ),
        **at(world, instant),
    )["data"]
    for found in body.values():
        assert (found["totalCount"], ids(found["nodes"])) == (1, {world.a.pk})


def test_places_and_sources_searched_for_markers_find_nothing(ask, world):
    body = ask(
        """query($text: String!) {
          places(filter: {search: $text}) { totalCount nodes { __typename id } }
          sources(filter: {search: $text}) { totalCount nodes { __typename id } }
        }""",
        text=PREFIX,
    )["data"]
    assert body == {field: {"totalCount": 0, "nodes": []} for field in ("places", "sources")}


def filter_query(field: str, argument: str) -> str:
    return (
        f"query($value: String!, $asOf: String) {{\n"
        f"  {field}(filter: {{{argument}: $value}}, first: 1000, asOf: $asOf) {{\n"
        f"    totalCount nodes {{ __typename id }}\n  }}\n}}"
    )


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize(
    ("field", "argument"),
    [
        ("affiliations", "actor"),
        ("affiliations", "subject"),
        ("affiliations", "object"),
        ("events", "actor"),
    ],
)
def test_filtering_by_a_hidden_actor_answers_as_for_an_unknown_one(
    ask, world, field, argument, instant
):
    """The same error as for an unknown actor, the name aside: no oracle."""
    same = SameAnswer(ask, filter_query(field, argument), "value", **at(world, instant))
    answers = []
    for probe in PROBES:
        actor = world.probes[probe]
        for value in (str(actor.pk), actor.slug):
            answers.append(same(value, errors=True))
    for answer in answers:
        assert answer["data"] is None
        assert [e["extensions"].get("argument") for e in answer["errors"]] == [f"filter.{argument}"]


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
def test_filtering_by_a_hidden_parent_event_answers_as_for_an_unknown_one(ask, world, instant):
    same = SameAnswer(ask, filter_query("events", "parent"), "value", **at(world, instant))
    for value in (str(world.draft_event.pk), world.draft_event.slug):
        answer = same(value, errors=True)
        assert answer["data"] is None


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize(
    ("field", "argument", "value", "expected"),
    [
        ("affiliations", "actor", "a", {"aff_ab"}),
        ("affiliations", "actor", "b", {"aff_ab"}),
        ("affiliations", "subject", "a", {"aff_ab"}),
        ("affiliations", "object", "a", set()),
        ("events", "actor", "a", {"e1"}),
        ("events", "actor", "b", set()),
        ("events", "parent", "e1", set()),
        ("events", "place", "place", {"e1", "e2"}),
        ("actors", "place", "place", {"a"}),
    ],
)
def test_filtering_by_public_objects_counts_only_public_rows(
    ask, world, field, argument, value, expected, instant
):
    obj = getattr(world, value)
    for named in (str(obj.pk), obj.slug):
        query = list_query(field, "__typename id").replace(
            "first: $first", f"filter: {{{argument}: $value}}, first: $first"
        )
        query = query.replace("query(", "query($value: String!, ")
        page = ask(query, value=named, **at(world, instant))["data"][field]
        assert ids(page["nodes"]) == {getattr(world, n).pk for n in expected}
        assert page["totalCount"] == len(expected)


# -- network -------------------------------------------------------------------------------------

NETWORK = with_fragments(
    """query($actor: String!, $depth: Int!, $asOf: String, $types: [String!],
             $validAt: String) {
  network(actor: $actor, depth: $depth, asOf: $asOf, types: $types, validAt: $validAt) {
    depth truncated root { __typename id }
    nodes { ...A1 affiliationsAsSubject { __typename id } affiliationsAsObject { __typename id } }
    edges { __typename id slug roleTitle subject { __typename id name }
            object { __typename id name } citations { ...C } }
  }
}"""
)


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_network_around_a_public_actor_tied_to_hidden_ones(ask, world, depth, instant):
    """a and b are tied to every hidden actor by published ties: only a, b and their
    public tie are reached, at any depth."""
    for root, value in ((world.a, str(world.a.pk)), (world.b, world.b.slug)):
        network = ask(NETWORK, actor=value, depth=depth, **at(world, instant))["data"]["network"]
        assert network["root"]["id"] == str(root.pk)
        assert ids(network["nodes"]) == {world.a.pk, world.b.pk}
        assert ids(network["edges"]) == {world.aff_ab.pk}
        assert (network["depth"], network["truncated"]) == (depth, False)


@pytest.mark.parametrize(
    "narrowed",
    [{"types": ["<type>"]}, {"validAt": "2016"}, {"types": ["<type>"], "validAt": "2016"}],
)
def test_network_narrowed_around_a_public_actor(ask, world, narrowed):
    """By the ties' type and valid time (the ties to hidden actors are of the type, and
    start in 2016)."""
    if "types" in narrowed:
        narrowed = {**narrowed, "types": [world.aff_type.slug]}
    network = ask(NETWORK, actor=world.a.slug, depth=3, **narrowed)["data"]["network"]
    assert ids(network["nodes"]) == {world.a.pk, world.b.pk}
    assert ids(network["edges"]) == {world.aff_ab.pk}


@pytest.mark.parametrize("instant", ["live", "unpublished_was_public"])
@pytest.mark.parametrize("depth", [1, 3])
def test_network_from_a_hidden_actor_answers_as_for_an_unknown_one(ask, world, depth, instant):
    same = SameAnswer(ask, NETWORK, "actor", depth=depth, **at(world, instant))
    for probe in PROBES:
        actor = world.probes[probe]
        for value in (str(actor.pk), actor.slug):
            answer = same(value, errors=True)
            assert answer["data"] is None
            assert "<value>" in answer["errors"][0]["message"]


# -- the change feed -------------------------------------------------------------------------------

CHANGES = """query($since: String, $limit: Int) {
  changes(since: $since, limit: $limit) {
    cursor hasMore
    entries { cursor resource id action time reason changes data }
  }
}"""
FEED_LIMIT = 4


@pytest.fixture(scope="module")
def feed_walk(world, django_db_blocker) -> list[tuple[dict, dict]]:
    """`changes` walked from the beginning to the end, `FEED_LIMIT` change sets a page,
    following `cursor` while `hasMore`: [(variables, body)]. Walked once: it is slow."""
    client, pages, since = Client(), [], None
    with django_db_blocker.unblock():
        for _ in range(1000):
            variables = {"since": since, "limit": FEED_LIMIT}
            response = client.post(
                "/graphql/",
                {"query": CHANGES, "variables": variables},
                content_type="application/json",
            )
            body = response.json()
            pages.append((variables, body))
            if body.get("errors") or not body["data"]["changes"]["hasMore"]:
                break
            since = body["data"]["changes"]["cursor"]
    return pages


def test_change_feed_walked_to_the_end_shows_nothing_hidden(world, feed_walk, hidden_objects):
    """No marker on any page; objects never public never appear; objects public for a while
    (the unpublished actor and its ties) appear, at most, as removed, with no content."""
    entries = []
    for variables, body in feed_walk:
        check_body(body, world, hidden_objects, f"changes {variables}")
        assert "errors" not in body, (variables, body["errors"])
        entries += body["data"]["changes"]["entries"]
    assert len(feed_walk) > 3
    assert feed_walk[-1][1]["data"]["changes"]["hasMore"] is False
    hidden = {(r, str(pk)) for r in HIDDEN_RESOURCES for pk in world.hidden_ids(r)}
    once_public = {(r, str(pk)) for r, pk in world.once_public}
    for entry in entries:
        key = (entry["resource"], entry["id"])
        if key in hidden:
            assert key in once_public, ("never public, yet in the feed", entry)
            assert entry["action"] == "removed", entry
            assert (entry["reason"], entry["changes"], entry["data"]) == (None, None, None)
    # Positive control: every public object's creation is in the feed, once.
    created = [(e["resource"], e["id"]) for e in entries if e["action"] == "created"]
    live = {(r, str(pk)) for r in RESOURCES for pk in world.public["live"][r]}
    assert live <= set(created)
    assert len(created) == len(set(created))


def test_change_feed_cursors_do_not_reveal_hidden_change_sets(world, feed_walk, db):
    """Neither a page's cursor nor an entry's names a hidden-only change set (a draft created
    or edited): that would tell the public when editors worked on drafts."""
    hidden = hidden_only_change_sets(world)
    assert len(hidden) == 3
    handed_out = set()
    for _, body in feed_walk:
        page = body["data"]["changes"]
        cursors = [page["cursor"], *(entry["cursor"] for entry in page["entries"])]
        handed_out |= {change_set_of_cursor(cursor) for cursor in cursors}
    assert not handed_out & hidden, f"{len(handed_out & hidden)} hidden change sets handed out"
