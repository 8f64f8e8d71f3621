import strawberry

from actors.api.views import ActorViewSet
from actors.graphql.types import Actor
from sahel.graphql.fields import resource_fields
from sahel.graphql.reading import bad_argument, resource_page
from sahel.graphql.types import Certainty, Connection


@strawberry.input(description="Narrow the actors (every filter of REST /api/v1/actors/).")
class ActorFilter:
    search: str | None = strawberry.UNSET
    kind: list[str] | None = strawberry.UNSET
    subkind: list[str] | None = strawberry.UNSET
    place: str | None = strawberry.field(
        default=strawberry.UNSET, description="Place id or slug (its sub-places included)."
    )
    certainty: list[Certainty] | None = strawberry.UNSET
    date_from: str | None = strawberry.UNSET
    date_to: str | None = strawberry.UNSET
    valid_at: str | None = strawberry.UNSET


@strawberry.type
class Query:
    actor, actors = resource_fields(
        ActorViewSet,
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
    ) -> Connection[Actor]:
        if not text.strip():
            raise bad_argument("text", "empty: give a name, in any spelling.")
        return resource_page(
            info,
            ActorViewSet,
            filters={"search": text},
            names={"search": "text"},
            ordering=None,
            first=first,
            after=after,
            as_of=as_of,
        )
