from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from sahel.graphql.schema import schema

# Read-only: no mutations, no cookies needed; API clients POST without a CSRF token.
graphql_view = csrf_exempt(GraphQLView.as_view(schema=schema, graphql_ide="graphiql"))
