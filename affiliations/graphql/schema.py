import strawberry

from affiliations.graphql.network import network
from affiliations.graphql.types import Affiliation
from affiliations.resources import AFFILIATIONS
from sahel.graphql.fields import resource_fields
from sahel.graphql.filters import filter_input

AffiliationFilter = filter_input(
    AFFILIATIONS,
    "AffiliationFilter",
    description="Narrow the ties (every filter of REST /api/v1/affiliations/).",
)


@strawberry.type
class Query:
    affiliation, affiliations = resource_fields(
        AFFILIATIONS,
        Affiliation,
        AffiliationFilter,
        one="One tie by id or slug; null when there is no public one.",
        many="Ties between actors, filtered and ordered (start, end, id).",
    )

    network = strawberry.field(
        resolver=network,
        description="The actors and ties around an actor, up to `depth` (1-3) ties away.",
    )
