"""List filters of the workbench."""

import datetime

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone


# -- list filters --------------------------------------------------------------------------
def fuzzy_date_filter(field_name: str, title: str | None = None):
    """A list filter by decade on an EDTF field: rows whose fuzzy bounds overlap the decade
    (so "201X" and "2015~" are found under the 2010s), or with no date at all."""

    class FuzzyDateFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}_decade"

        def lookups(self, request, model_admin):
            this_decade = timezone.now().year // 10 * 10
            decades = [(str(d), f"{d}s") for d in range(this_decade, 1950 - 1, -10)]
            return [*decades, ("before1950", "before 1950"), ("none", "no date")]

        def queryset(self, request, queryset):
            value = self.value()
            if value is None:
                return None
            if value == "none":
                return queryset.filter(**{field_name: ""})
            if value == "before1950":
                lower, upper = None, datetime.date(1949, 12, 31)
            else:
                start = int(value)
                lower, upper = datetime.date(start, 1, 1), datetime.date(start + 9, 12, 31)
            queryset = queryset.exclude(**{field_name: ""})
            condition = Q(**{f"{field_name}_lower__lte": upper}) | Q(
                **{f"{field_name}_lower__isnull": True}
            )
            if lower is not None:
                condition &= Q(**{f"{field_name}_upper__gte": lower}) | Q(
                    **{f"{field_name}_upper__isnull": True}
                )
            return queryset.filter(condition)

    FuzzyDateFilter.title = title or f"{field_name} (decade)"
    FuzzyDateFilter.__name__ = f"FuzzyDateFilter_{field_name}"
    return FuzzyDateFilter
