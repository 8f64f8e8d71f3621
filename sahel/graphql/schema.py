"""The GraphQL schema: each app's root fields, the change feed, and the limits."""

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from actors.graphql.schema import Query as ActorQuery
from affiliations.graphql.schema import Query as AffiliationQuery
from events.graphql.schema import Query as EventQuery
from places.graphql.schema import Query as PlaceQuery
from sahel.graphql.changes import Query as ChangeQuery
from sahel.graphql.execution import Executor, compatible, streamline
from sahel.graphql.limits import EXTENSIONS
from sources.graphql.schema import Query as SourceQuery

Query = merge_types(
    "Query", (ActorQuery, AffiliationQuery, EventQuery, PlaceQuery, SourceQuery, ChangeQuery)
)

schema = strawberry.Schema(
    query=Query,
    extensions=EXTENSIONS,
    # "Did you mean ...?" hints describe the schema to whoever probes it. Off everywhere:
    # GraphiQL completes field names from introspection anyway.
    config=StrawberryConfig(disable_field_suggestions=True),
    # Plain scalar fields without the generic path, while graphql-core is the one it knows.
    execution_context_class=Executor if compatible() else None,
)
if compatible():
    streamline(schema)
