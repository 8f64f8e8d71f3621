import strawberry

from actors.graphql.types import Actor
from actors.resources import ACTORS
from sahel.graphql.arguments import bad_argument
from sahel.graphql.fields import resource_fields, resource_page
from sahel.graphql.filters import filter_input
from sahel.graphql.types import SearchConnection

ActorFilter = filter_input(
    ACTORS, "ActorFilter", description="Narrow the actors (every filter of REST /api/v1/actors/)."
)


@strawberry.type
class Query:
    actor, actors = resource_fields(
        ACTORS,
        Actor,
        ActorFilter,
        one="One actor by id or slug; null when there is no public one.",
        many="Actors, filtered and ordered (name, kind, begin, end, id).",
    )

    @strawberry.field(
        description="Actors by any of their names, in any spelling (as REST `search`), "
        "best match first."
    )
    def search(
        self,
        info: strawberry.Info,
        text: str,
        first: int | None = None,
        after: str | None = None,
        as_of: str | None = None,
    ) -> SearchConnection[Actor]:
        if not text.strip():
            raise bad_argument("text", "empty: give a name, in any spelling.")
        return resource_page(
            info,
            ACTORS,
            filters={"search": text},
            names={"search": "text"},
            ordering=None,
            first=first,
            after=after,
            as_of=as_of,
        )
