"""Inlines whose rows are written through the services with the same stale-edit check as
the page, and whose autocomplete widgets render without a query per row."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.admin import GenericStackedInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from sahel.admin.diffs import stale_message
from sahel.admin.forms import VERSION, TrackedForm, explain_edtf, fit_quote
from sahel.admin.permissions import can_publish
from sahel.core.models import PublicationStatus
from sources.models import Citation


# -- widgets: autocomplete without a query per inline row -------------------------------
class KnownChoiceAutocomplete(AutocompleteSelect):
    """Renders the selected option from the related object the inline's queryset already
    fetched (select_related) instead of querying for it; any other value is looked up."""

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not self.known or not selected or not selected <= self.known.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            default[1].append(self.create_option(name, key, self.known[key], True, len(default[1])))
        return [default]


def _autocomplete_widget(field):
    widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
    return widget if isinstance(widget, KnownChoiceAutocomplete) else None


class TrackedFormSetMixin:
    def clean(self):
        super().clean()
        # A row marked for deletion skips its own form's errors: check its version here.
        for form in self.deleted_forms:
            instance = form.instance
            expected = form.cleaned_data.get(VERSION)
            if instance.pk is not None and expected != instance.version:
                raise ValidationError(
                    stale_message(type(instance), instance.pk, expected, instance.version)
                )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        instance = form.instance
        if instance.pk is None:
            return
        for name, field in form.fields.items():
            widget = _autocomplete_widget(field)
            if widget is None:
                continue
            related = instance._state.fields_cache.get(name)
            if related is not None:
                widget.known = {str(related.pk): field.label_from_instance(related)}


class TrackedInlineFormSet(TrackedFormSetMixin, BaseInlineFormSet):
    may_delete_public = True

    def clean(self):
        super().clean()
        if self.may_delete_public:
            return
        for form in self.deleted_forms:
            if getattr(form.instance, "status", PublicationStatus.DRAFT) != PublicationStatus.DRAFT:
                raise ValidationError(
                    f"Only reviewers delete what is or was public: {form.instance} is "
                    f"{form.instance.status}."
                )


class TrackedGenericInlineFormSet(TrackedFormSetMixin, BaseGenericInlineFormSet):
    pass


def use_known_choice_autocomplete(model_admin, db_field, request, kwargs):
    if db_field.name in model_admin.get_autocomplete_fields(request):
        kwargs["widget"] = KnownChoiceAutocomplete(
            db_field, model_admin.admin_site, using=kwargs.get("using")
        )


# -- inlines -------------------------------------------------------------------------------
class VersionedInlineMixin:
    """Renders each row's version (hidden) so that a stale row is refused, not overwritten."""

    def get_fieldsets(self, request, obj=None):
        (title, options), *rest = super().get_fieldsets(request, obj)
        fields = [f for f in options["fields"] if f != VERSION]
        return [(title, {**options, "fields": [*fields, VERSION]}), *rest]


class TrackedRowsMixin(VersionedInlineMixin):
    """Of an inline of tracked rows. Rows are written by `TrackedAdmin.save_formset`
    through sahel.core.services; `select_related` names what the rows' labels and widgets
    need."""

    form = TrackedForm
    formset = TrackedInlineFormSet
    extra = 0
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        use_known_choice_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return compact(explain_edtf(db_field, formfield, short=True))


def compact(formfield):
    """A field of an inline row: a text box sized to what it holds (at most 20 characters
    wide), its help a tooltip (the row stays one line; the page's own fields and the
    lists explain at length)."""
    if formfield is None:
        return formfield
    widget = getattr(formfield.widget, "widget", formfield.widget)
    if isinstance(widget, forms.TextInput) and not isinstance(widget, forms.HiddenInput):
        longest = getattr(formfield, "max_length", None) or 20
        widget.attrs["size"] = max(4, min(20, longest, int(widget.attrs.get("size", 20))))
    if formfield.help_text:
        widget.attrs.setdefault("title", str(formfield.help_text))
    return formfield


class ClaimRowsMixin:
    """Claims made on the parent's page start as drafts; reviewers publish them. Editors
    may delete draft rows only."""

    readonly_fields = ("status",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.may_delete_public = can_publish(request.user, self.model)
        return formset


class FoldedWhenLong:
    """An inline that folds (a <details>, Django's "collapse") when it has more than
    `fold_after` rows, its heading counting them: a long page stays readable. Django
    makes inline instances per request, so this is set on the request's own instance."""

    fold_after = 6

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.pk is not None:
            count = self.get_queryset(request).filter(**{formset.fk.name: obj}).count()
            if count > self.fold_after:
                self.classes = [*(self.classes or ()), "collapse"]
                self.verbose_name_plural = f"{self.verbose_name_plural} ({count})"
        return formset


class TrackedInline(TrackedRowsMixin, admin.TabularInline):
    """A table of tracked rows (rows that fit a line)."""


class TrackedStackedInline(TrackedRowsMixin, admin.StackedInline):
    """Tracked rows too wide for a table: each a block, several fields a line."""


class ClaimInline(ClaimRowsMixin, TrackedInline):
    pass


class ClaimStackedInline(ClaimRowsMixin, TrackedStackedInline):
    pass


class CitationForm(TrackedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fit_quote(self)


class CitationInline(VersionedInlineMixin, GenericStackedInline):
    """The one citations inline of every citable model, stacked: the whole quote on a
    line of its own, as wide as the form. A quote from a source whose text is stored
    must be verbatim in it (`Citation.clean`)."""

    model = Citation
    form = CitationForm
    formset = TrackedGenericInlineFormSet
    extra = 0
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("source", "locator", "stance", "credibility"),
                    "quote",
                    ("field_name", "note"),
                )
            },
        ),
    )
    autocomplete_fields = ("source",)
    verbose_name_plural = "citations"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        use_known_choice_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "quote" and formfield is not None:
            formfield.widget = forms.Textarea(attrs={"rows": 3, "cols": 100})
        elif db_field.name == "note" and formfield is not None:
            formfield.widget = forms.Textarea(attrs={"rows": 2, "cols": 50})
        return formfield
