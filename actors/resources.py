from actors.filtersets import ActorFilterSet
from actors.projections import ActorProjection
from sahel.read.resources import Resource, register

ACTORS = register(
    Resource(
        name="actors",
        projection=ActorProjection,
        filterset=ActorFilterSet,
        orderings={
            "name": ("name",),
            "kind": ("kind",),
            "begin": ("begin_lower",),
            "end": ("end_upper",),
            "id": ("id",),
        },
        default_ordering="name",
    )
)
