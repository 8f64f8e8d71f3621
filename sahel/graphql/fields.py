"""The two root fields every resource has: one object by id or slug, and a connection."""

import strawberry

from sahel.graphql.reading import input_values, resource_object, resource_page
from sahel.graphql.types import Connection


def resource_fields(resource, node, filter_input, *, one: str, many: str):
    """(lookup field, list field) for a REST `resource` (its viewset: projection,
    FilterSet, orderings) served as GraphQL type `node`, filtered by `filter_input`."""

    def lookup(
        info: strawberry.Info,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        as_of: str | None = None,
    ) -> node | None:
        return resource_object(info, resource, id=id, slug=slug, as_of=as_of)

    def listing(
        info: strawberry.Info,
        filter: filter_input | None = None,
        ordering: str | None = None,
        first: int | None = None,
        after: str | None = None,
        as_of: str | None = None,
    ) -> Connection[node]:
        return resource_page(
            info,
            resource,
            filters=input_values(filter),
            ordering=ordering,
            first=first,
            after=after,
            as_of=as_of,
        )

    return strawberry.field(resolver=lookup, description=one), strawberry.field(
        resolver=listing, description=many
    )
