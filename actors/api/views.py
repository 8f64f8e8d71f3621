from actors.api.projections import ActorProjection
from actors.filtersets import ActorFilterSet
from sahel.api.views import ResourceViewSet


class ActorViewSet(ResourceViewSet):
    """Actors: persons, organizations, ethnic groups, states and armed forces."""

    projection = ActorProjection
    filterset_class = ActorFilterSet
    orderings = {
        "name": ("name",),
        "kind": ("kind",),
        "begin": ("begin_lower",),
        "end": ("end_upper",),
        "id": ("id",),
    }
    default_ordering = "name"
