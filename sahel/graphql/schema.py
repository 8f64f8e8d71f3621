"""The GraphQL schema: each app's root fields, the change feed, and the limits."""

import logging

import strawberry
from django.conf import settings
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from actors.graphql.schema import Query as ActorQuery
from affiliations.graphql.schema import Query as AffiliationQuery
from events.graphql.schema import Query as EventQuery
from places.graphql.schema import Query as PlaceQuery
from sahel.graphql import plans
from sahel.graphql.changes import Query as ChangeQuery
from sahel.graphql.limits import EXTENSIONS
from sources.graphql.schema import Query as SourceQuery

logger = logging.getLogger(__name__)

Query = merge_types(
    "Query", (ActorQuery, AffiliationQuery, EventQuery, PlaceQuery, SourceQuery, ChangeQuery)
)


def build_schema(*, compiled: bool) -> strawberry.Schema:
    """The schema; `compiled`: queries answered by their compiled plans
    (`sahel.graphql.plans`: the same answers, tests compare them), else by graphql-core's
    executor."""
    return strawberry.Schema(
        query=Query,
        extensions=[*EXTENSIONS, plans.CompiledExecution] if compiled else EXTENSIONS,
        # "Did you mean ...?" hints describe the schema to whoever probes it. Off everywhere:
        # GraphiQL completes field names from introspection anyway.
        config=StrawberryConfig(disable_field_suggestions=True),
    )


def _compiled() -> bool:
    if not settings.SAHEL_GRAPHQL_COMPILED:
        return False
    if problems := plans.problems():
        logger.warning(
            "GraphQL's compiled read path is off (graphql-core's executor, slower): %s.",
            "; ".join(problems),
        )
        return False
    return True


schema = build_schema(compiled=_compiled())
