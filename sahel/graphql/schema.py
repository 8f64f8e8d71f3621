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
from sahel.graphql import execution
from sahel.graphql.changes import Query as ChangeQuery
from sahel.graphql.limits import EXTENSIONS
from sources.graphql.schema import Query as SourceQuery

logger = logging.getLogger(__name__)

Query = merge_types(
    "Query", (ActorQuery, AffiliationQuery, EventQuery, PlaceQuery, SourceQuery, ChangeQuery)
)


def build_schema(*, fast: bool) -> strawberry.Schema:
    """The schema; `fast`: with the short execution paths of `sahel.graphql.execution`
    (the same answers: tests compare them), else graphql-core's own executor."""
    built = strawberry.Schema(
        query=Query,
        extensions=EXTENSIONS,
        # "Did you mean ...?" hints describe the schema to whoever probes it. Off everywhere:
        # GraphiQL completes field names from introspection anyway.
        config=StrawberryConfig(disable_field_suggestions=True),
        execution_context_class=execution.Executor if fast else None,
    )
    if fast:
        execution.streamline(built)
    return built


def _fast() -> bool:
    if not settings.SAHEL_GRAPHQL_FAST_EXECUTION:
        return False
    if problems := execution.problems():
        logger.warning(
            "GraphQL's short execution paths are off (graphql-core's executor, slower): %s.",
            "; ".join(problems),
        )
        return False
    return True


schema = build_schema(fast=_fast())
