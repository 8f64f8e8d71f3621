"""Filters shared by every resource. Each bad value becomes a form error keyed by the
parameter's name, which the views return as a 400."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from sahel.core import selectors
from sahel.core.fuzzy_dates import Bounds, parse_bounds
from sahel.core.models import Certainty


class EDTFBoundsField(forms.CharField):
    """A date given as EDTF (2018, 2018-09, 2018-09-14, 2015-10/2015-12), as bounds."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return parse_bounds(value)  # a ValidationError names the value


class FuzzyDateFilter(django_filters.Filter):
    field_class = EDTFBoundsField


class ListWidget(forms.Widget):
    """A repeatable parameter, given either way: `type=a,b` or `type=a&type=b`."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        values = data.getlist(name) if hasattr(data, "getlist") else data[name]
        if isinstance(values, str):
            values = [values]
        return [item.strip() for value in values for item in str(value).split(",")]

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class ListField(forms.Field):
    """One or more values (from `choices`, when given); an empty item is an error."""

    widget = ListWidget

    def __init__(self, *, choices=None, **kwargs):
        self.allowed = [value for value, _ in choices] if choices is not None else None
        kwargs["required"] = False
        super().__init__(**kwargs)

    def clean(self, value):
        if value is None:
            return []
        hint = f"one or more of {', '.join(self.allowed)}" if self.allowed else "one or more"
        hint += ", comma-separated or repeated"
        if "" in value:
            raise ValidationError(f"An empty value: give {hint}.")
        if self.allowed is not None:
            unknown = [v for v in value if v not in self.allowed]
            if unknown:
                raise ValidationError(f"{', '.join(map(repr, unknown))}: give {hint}.")
        return list(dict.fromkeys(value))


class ChoiceListFilter(django_filters.MultipleChoiceFilter):
    """Rows whose field is any of the given choices (`kind=person,state`)."""

    field_class = ListField

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": value})


class ResourceFilterSet(django_filters.FilterSet):
    """Base: knows the instant (`as_of`) the request reads at."""

    def __init__(self, data=None, queryset=None, *, as_of=None, **kwargs):
        self.as_of = as_of
        super().__init__(data, queryset, **kwargs)


class ClaimFilterSet(ResourceFilterSet):
    certainty = ChoiceListFilter(
        choices=Certainty.choices, help_text="One or more of: " + ", ".join(Certainty.values)
    )


class ValidTimeFilterSet(ClaimFilterSet):
    """`date_from` / `date_to` keep claims whose fuzzy dates overlap the range;
    `valid_at` keeps claims that may have held at that date (or during that period)."""

    date_from = FuzzyDateFilter(method="filter_date_from", help_text="EDTF date, e.g. 2018")
    date_to = FuzzyDateFilter(method="filter_date_to", help_text="EDTF date, e.g. 2018-12")
    valid_at = FuzzyDateFilter(
        method="filter_valid_at",
        help_text="EDTF date: claims that may have held then, e.g. 2018 or 2018-09-14",
    )

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        data = self.form.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and start.lower is None:
            self.form.add_error("date_from", "An open start ('../...') does not bound anything.")
        if end and end.upper is None:
            self.form.add_error("date_to", "An open end ('.../..') does not bound anything.")
        if start and end and start.lower and end.upper and start.lower > end.upper:
            self.form.add_error(
                "date_from",
                f"It is after date_to: nothing can overlap {start.lower} to {end.upper}.",
            )
        at = data.get("valid_at")
        if at and at.lower is None and at.upper is None:
            self.form.add_error("valid_at", "An open interval does not bound anything.")
        return not self.form.errors

    def filter_date_from(self, queryset, name, bounds: Bounds):
        return self._overlapping(queryset, bounds.lower, None)

    def filter_date_to(self, queryset, name, bounds: Bounds):
        return self._overlapping(queryset, None, bounds.upper)

    def filter_valid_at(self, queryset, name, bounds: Bounds):
        return self._overlapping(queryset, bounds.lower, bounds.upper)

    def _overlapping(self, queryset, lower, upper):
        return selectors.valid_during(queryset, self._meta.model, lower, upper)


def slug_or_id(value: str) -> Q:
    if re.fullmatch(r"[0-9]{1,18}", value):
        return Q(id=int(value))
    return Q(slug=value)


def resolve_public(model, value: str, param: str, *, as_of=None):
    """The id of the public object named by id or slug; the same error whether it is
    hidden or absent, so a filter cannot be used to probe for hidden objects."""
    return resolve_public_many(model, [value], param, as_of=as_of)[0]


def resolve_public_many(model, values: list[str], param: str, *, as_of=None) -> list[int]:
    """`resolve_public` for several names, in one query."""
    condition = Q(pk__in=[])
    for value in values:
        condition |= slug_or_id(value)
    rows = selectors.public(model, as_of=as_of).filter(condition)
    by_id, by_slug = {}, {}
    for pk, slug in rows.values_list("id", "slug"):
        by_id[str(pk)], by_slug[slug] = pk, pk
    found = {
        value: (by_id if re.fullmatch(r"[0-9]{1,18}", value) else by_slug).get(value)
        for value in values
    }
    found = {value: pk for value, pk in found.items() if pk is not None}
    missing = [value for value in values if value not in found]  # hidden or absent alike
    if missing:
        raise ValidationError({param: no_such(model, missing, as_of=as_of)})
    return [found[value] for value in values]


def no_such(model, values: list[str], *, as_of=None) -> str:
    """ "No actor 'jnim'." (as of an instant: "No actor 'jnim' as of 2026-03-01T00:00:00Z."):
    the same words whether the object is hidden, absent, or did not exist yet then."""
    names = ", ".join(map(repr, values))
    when = "" if as_of is None else f" as of {as_of.isoformat().replace('+00:00', 'Z')}"
    return f"No {model._meta.verbose_name} {names}{when}."


class PublicObjectFilter(django_filters.CharFilter):
    """Rows whose `lookups` (ids) point at public objects named by id or slug.

    `many`: a comma-separated list; `inside`: a place and every place within it. An
    unknown or hidden name is the same 400, naming the parameter.
    """

    def __init__(self, model, *, lookups: tuple[str, ...], many=False, inside=False, **kwargs):
        if inside and model._meta.label != "places.Place":
            raise TypeError("inside=True is for places only.")
        # Not `self.model`: django-filter sets that to the queryset's (historical) model.
        self.target, self.lookups, self.many, self.inside = model, lookups, many, inside
        if many:
            self.field_class = ListField
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        if value in (None, "", []):
            return queryset
        as_of = self.parent.as_of
        names = value if self.many else [value]
        ids = resolve_public_many(self.target, names, self.field_name, as_of=as_of)
        if self.inside:
            ids = selectors.place_with_descendants(ids, as_of=as_of)
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{f"{lookup}__in": ids})
        return queryset.filter(condition)
