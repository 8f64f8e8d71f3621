import strawberry

from affiliations.api.views import AffiliationViewSet
from affiliations.graphql.network import network
from affiliations.graphql.types import Affiliation
from sahel.graphql.fields import resource_fields
from sahel.graphql.types import Certainty


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
    affiliation, affiliations = resource_fields(
        AffiliationViewSet,
        Affiliation,
        AffiliationFilter,
        one="One tie by id or slug; null when there is no public one.",
        many="Ties between actors, filtered and ordered (start, end, id).",
    )

    network = strawberry.field(
        resolver=network,
        description="The actors and ties around an actor, up to `depth` (1-3) ties away.",
    )
