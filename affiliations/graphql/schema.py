import strawberry

from affiliations.api.views import AffiliationViewSet
from affiliations.graphql.network import network
from affiliations.graphql.types import Affiliation
from sahel.graphql.reading import input_values, resource_object, resource_page
from sahel.graphql.types import Certainty, Connection


@strawberry.input(description="Narrow the ties (every filter of REST /api/v1/affiliations/).")
class AffiliationFilter:
    actor: str | None = strawberry.field(
        default=strawberry.UNSET, description="Actor id or slug, as subject or object."
    )
    subject: str | None = strawberry.UNSET
    object: str | None = strawberry.UNSET
    type: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Affiliation type slugs."
    )
    certainty: list[Certainty] | None = strawberry.UNSET
    date_from: str | None = strawberry.UNSET
    date_to: str | None = strawberry.UNSET
    valid_at: str | None = strawberry.UNSET


@strawberry.type
class Query:
    @strawberry.field(description="One tie by id or slug; null when there is no public one.")
    def affiliation(
        self,
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        as_of: str | None = None,
    ) -> Affiliation | None:
        return resource_object(info, AffiliationViewSet, id=id, slug=slug, as_of=as_of)

    @strawberry.field(description="Ties between actors, filtered and ordered (start, end, id).")
    def affiliations(
        self,
        info: strawberry.Info,
        filter: AffiliationFilter | None = None,
        ordering: str | None = None,
        first: int | None = None,
        after: str | None = None,
        as_of: str | None = None,
    ) -> Connection[Affiliation]:
        return resource_page(
            info,
            AffiliationViewSet,
            filters=input_values(filter),
            ordering=ordering,
            first=first,
            after=after,
            as_of=as_of,
        )

    network = strawberry.field(
        resolver=network,
        description="The actors and ties around an actor, up to `depth` (1-3) ties away.",
    )
