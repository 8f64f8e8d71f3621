"""Filters shared by every resource. Each bad value becomes a form error keyed by the
parameter's name, which the views return as a 400."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from sahel import selectors
from sahel.fuzzy_dates import Bounds, parse_bounds
from sahel.models import Certainty


class EDTFBoundsField(forms.CharField):
    """A date given as EDTF (2018, 2018-09, 2018-09-14, 2015-10/2015-12), as bounds."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return parse_bounds(value)  # a ValidationError names the value


class FuzzyDateFilter(django_filters.Filter):
    field_class = EDTFBoundsField


class ResourceFilterSet(django_filters.FilterSet):
    """Base: knows the instant (`as_of`) the request reads at."""

    def __init__(self, data=None, queryset=None, *, as_of=None, **kwargs):
        self.as_of = as_of
        super().__init__(data, queryset, **kwargs)


class ClaimFilterSet(ResourceFilterSet):
    certainty = django_filters.MultipleChoiceFilter(
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
    found = (
        selectors.public(model, as_of=as_of)
        .filter(slug_or_id(value))
        .values_list("id", flat=True)
        .first()
    )
    if found is None:
        raise ValidationError({param: f"No {model._meta.verbose_name} {value!r}."})
    return found


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
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        as_of = self.parent.as_of
        names = [n.strip() for n in value.split(",") if n.strip()] if self.many else [value]
        ids = [resolve_public(self.target, name, self.field_name, as_of=as_of) for name in names]
        if self.inside:
            ids = [
                inner for pk in ids for inner in selectors.place_with_descendants(pk, as_of=as_of)
            ]
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{f"{lookup}__in": ids})
        return queryset.filter(condition)
