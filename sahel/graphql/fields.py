"""The two root fields every resource has (one object by id or slug, and a connection), read
from its public rows at `asOf`, filtered by its FilterSet, ordered by its sort keys."""

import strawberry

from sahel.core import selectors
from sahel.graphql.arguments import (
    VALIDATION_ERRORS,
    PublicError,
    bad_argument,
    input_errors,
    parse_as_of,
)
from sahel.graphql.batches import Batch, Record
from sahel.graphql.budget import budget
from sahel.graphql.filters import filtered, input_values
from sahel.graphql.pages import Page, read_page
from sahel.graphql.selection import wanted
from sahel.graphql.types import Connection
from sahel.read.ordering import order_by_param


def resource_fields(resource, node, filter_input, *, one: str, many: str):
    """(lookup field, list field) for `resource` (a `sahel.read.resources.Resource`) served
    as GraphQL type `node`, filtered by `filter_input` (`sahel.graphql.filters`)."""

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


def resource_page(
    info, resource, *, filters: dict, ordering, first, after, as_of, names: dict | None = None
) -> Page:
    """A root list: the resource's rows (public at `as_of`), filtered by its FilterSet,
    ordered by its orderings, one page of them projected."""
    instant = parse_as_of(as_of)
    queryset = selectors.public(resource.model, as_of=instant)
    queryset = filtered(resource.filterset, queryset, filters, as_of=instant, names=names)
    try:
        queryset = order_by_param(
            queryset,
            resource.model,
            resource.orderings,
            ordering,
            default=resource.default_ordering,
        )
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc) from None
    return read_page(info, resource.projection, queryset, first=first, after=after, as_of=instant)


def resource_object(info, resource, *, id=None, slug=None, as_of=None) -> Record | None:
    """One public object by id or slug (exactly one of them), or null: hidden and absent
    objects answer alike."""
    if (id is None) == (slug is None):
        raise PublicError("Give exactly one of `id` and `slug`.", argument="id")
    instant = parse_as_of(as_of)
    projection = resource.detail
    queryset = selectors.public(projection.model, as_of=instant)
    if id is not None:
        if not str(id).isdigit() or len(str(id)) > 18:
            raise bad_argument("id", f"{id!r} is not an id (a whole number).")
        queryset = queryset.filter(id=int(id))
    else:
        queryset = queryset.filter(slug=slug)
    records = Batch.read(
        projection, queryset, as_of=instant, budget=budget(info), fields=wanted(info)
    ).records
    return records[0] if records else None
