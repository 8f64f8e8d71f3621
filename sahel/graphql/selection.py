"""What a query asks for: the fields selected under a field (through fragments), read
once per field of the query; projections narrowed to what is asked."""

import functools
import re
from collections.abc import Callable

from strawberry.types.nodes import FragmentSpread, InlineFragment

from sahel.read.projection import Projection


@functools.cache
def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def selection_names(selections) -> set[str]:
    names = set()
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            names |= selection_names(selection.selections)
        else:
            names.add(_snake(selection.name))
    return names


def selections_of(selections, name: str) -> list:
    found = []
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found += selections_of(selection.selections, name)
        elif selection.name == name:
            found += selection.selections
    return found


def _per_field(info, key: str, compute: Callable):
    """`compute(info.selected_fields[0].selections)` once per field of the query, not once
    per object it is resolved on: strawberry rebuilds `selected_fields` from the syntax
    tree on every call (a nested list of 1,000 ties asked it 1,000 times). Kept for the
    request, keyed by the field's syntax node, which lives as long as the request."""
    cache = getattr(info.context, "sahel_selections", None)
    if cache is None:
        cache = info.context.sahel_selections = {}
    nodes = tuple(id(node) for node in info._raw_info.field_nodes)
    found = cache.get((key, nodes))
    if found is None:
        found = cache[(key, nodes)] = compute(info.selected_fields[0].selections)
    return found


def wanted(info) -> frozenset[str]:
    """The fields asked of the object(s) the current field returns (snake_case)."""
    return _per_field(info, "object", lambda field: frozenset(selection_names(field)))


def wanted_in_connection(info) -> frozenset[str]:
    """The fields asked of the nodes of the connection the current field returns."""

    def nodes(field) -> frozenset[str]:
        found = selections_of(field, "nodes") + selections_of(selections_of(field, "edges"), "node")
        return frozenset(selection_names(found))

    return _per_field(info, "connection", nodes)


_narrowed: dict = {}


def narrowed(projection: type[Projection], fields: frozenset[str] | None) -> type[Projection]:
    """`projection` without the references, children and citations the query does not ask
    for (None: everything). Columns and the shape of what is kept are unchanged."""
    if fields is None:
        return projection
    refs = {name: ref for name, ref in projection.refs.items() if name in fields}
    children = {name: c for name, c in projection.children.items() if name in fields}
    cited = projection.cited and "citations" in fields
    key = (projection, frozenset(refs), frozenset(children), cited)
    if key not in _narrowed:
        _narrowed[key] = type(
            projection.__name__ + "Narrowed",
            (projection,),
            {"refs": refs, "children": children, "cited": cited},
        )
    return _narrowed[key]


def ref_columns(projection: type[Projection]) -> list[str]:
    # Kept whatever the narrowing: a reference the query asks for later is read by id.
    return [f"{name}_id" for name in projection.refs]
