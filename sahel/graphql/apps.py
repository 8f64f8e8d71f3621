from django.apps import AppConfig


class GraphQLConfig(AppConfig):
    """The GraphQL surface (`manage.py graphql_schema`)."""

    name = "sahel.graphql"
    label = "sahel_graphql"
    verbose_name = "GraphQL"
