"""GraphQL filter inputs, generated from each resource's FilterSet, and decided by it: one
declaration of the filters for REST, GraphQL and the OpenAPI parameters, so they cannot
drift apart.

A FilterSet's filter becomes an input field of the same name (camelCased by strawberry):
a list filter (`ChoiceListFilter`, `PublicObjectFilter(many=True)`) a list of strings, or of
the GraphQL enum whose values are exactly its choices (certainty); any other filter a string.
The field's description is the filter's help text. Own filters come first, then those the
FilterSet inherits, in their base class's order.
"""

import strawberry
from django.db.models import QuerySet
from django.http import QueryDict
from django_filters import MultipleChoiceFilter
from rest_framework import exceptions as drf_exceptions
from strawberry import UNSET

from sahel.graphql.arguments import VALIDATION_ERRORS, input_errors


def filter_data(values: dict, filterset_class) -> QueryDict:
    """GraphQL filter arguments (Python names = REST parameter names) as REST query data,
    so the REST FilterSet decides, once for both APIs."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if value is None or value is UNSET:
            continue
        if isinstance(value, list | tuple):
            values_ = [str(getattr(v, "value", v)) for v in value]
            if isinstance(filterset_class.base_filters.get(name), MultipleChoiceFilter):
                data.setlist(name, values_)
            else:  # REST's comma-separated form
                data[name] = ",".join(values_)
        else:
            data[name] = str(getattr(value, "value", value))
    return data


def input_values(filter_input) -> dict:
    """A GraphQL filter input object as {REST parameter name: value}."""
    if filter_input is None or filter_input is UNSET:
        return {}
    return {name: getattr(filter_input, name) for name in filter_input.__dataclass_fields__}


def filtered(
    filterset_class, queryset: QuerySet, values: dict, *, as_of, names: dict | None = None
) -> QuerySet:
    filterset = filterset_class(
        filter_data(values, filterset_class), queryset=queryset, as_of=as_of
    )
    try:
        if not filterset.is_valid():
            raise drf_exceptions.ValidationError(filterset.errors)
        return filterset.qs
    except VALIDATION_ERRORS as exc:
        raise input_errors(exc, prefix="filter.", names=names) from None


def _is_list(spec) -> bool:
    return isinstance(spec, MultipleChoiceFilter) or getattr(spec, "many", False)


def _field_type(spec, enums: dict):
    if not _is_list(spec):
        return str | None
    choices = tuple(value for value, _ in spec.extra.get("choices", ()))
    item = enums.get(choices, str)
    return list[item] | None


def _ordered_names(filterset_class) -> list[str]:
    inherited = getattr(filterset_class.__mro__[1], "base_filters", {})
    names = list(filterset_class.base_filters)
    return [n for n in names if n not in inherited] + [n for n in names if n in inherited]


def filter_input(resource, name: str, *, description: str):
    """The strawberry input type of `resource`'s FilterSet (see above)."""
    from sahel.graphql.types import Certainty

    enums = {tuple(member.value for member in Certainty): Certainty}
    filters = resource.filterset.base_filters
    annotations, defaults = {}, {}
    for field_name in _ordered_names(resource.filterset):
        spec = filters[field_name]
        annotations[field_name] = _field_type(spec, enums)
        help_text = spec.extra.get("help_text")
        defaults[field_name] = strawberry.field(
            default=UNSET, description=str(help_text) if help_text else None
        )
    namespace = {"__annotations__": annotations, "__module__": __name__, **defaults}
    return strawberry.input(type(name, (), namespace), description=description)
