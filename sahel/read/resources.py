"""Resources: what the public surfaces serve, declared once per resource.

A `Resource` names its projection (the JSON shape, `sahel.read.projection`), its FilterSet
(the filters, `sahel.read.filters`) and its public sort keys. REST builds its viewsets and
OpenAPI parameters from it, GraphQL its root fields and filter inputs, the change feed and
the export the list of what there is: so the two APIs cannot drift apart.

Each app declares its resources in `<app>/resources.py` with `register()`; the app's
`ready()` imports that module, so the registry is complete before any request.
"""

from dataclasses import dataclass, field

from sahel.read.projection import Projection


@dataclass(frozen=True)
class Resource:
    name: str  # the REST path and the name in the feed and the export ("actors")
    projection: type[Projection]
    filterset: type  # a sahel.read.filters.ResourceFilterSet
    orderings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> columns
    default_ordering: str = "id"
    detail_projection: type[Projection] | None = None  # one object (a source's full text)
    geo: bool = False  # has a location: also served as GeoJSON

    @property
    def model(self):
        return self.projection.model

    @property
    def detail(self) -> type[Projection]:
        return self.detail_projection or self.projection


_registry: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    known = _registry.get(resource.name)
    if known is not None and known != resource:
        raise ValueError(f"Two resources are named {resource.name!r}.")
    _registry[resource.name] = resource
    return resource


def resources() -> dict[str, Resource]:
    """Every resource, by name, in name order (the order of the feed and the export)."""
    return dict(sorted(_registry.items()))


def projections() -> dict[str, type[Projection]]:
    return {name: resource.projection for name, resource in resources().items()}
