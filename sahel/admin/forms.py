"""The forms of the workbench: every change form carries the version the editor read and
the reason for the change; EDTF fields explain how to write a date."""

from django import forms
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError

from sahel.admin.diffs import shown_fields, stale_message
from sahel.core.fuzzy_dates import EDTF_HELP, EDTFField

REASON = "change_reason"
VERSION = "expected_version"
REASON_HELP = "Why you are making this change. Required; it is kept in the history."


class TrackedForm(forms.ModelForm):
    """Carries the version the editor read; a save based on an older one is refused here,
    with the editor's input kept on the re-rendered form (and refused again under a row
    lock by sahel.core.services if someone saves between this check and the write)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.instance._state.adding:
            self.fields[VERSION].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None or instance._state.adding:
            return cleaned
        expected = cleaned.get(VERSION)
        if expected != instance.version:
            # Re-rendered with the current version: saving again, after reading what
            # changed, applies the editor's input over it knowingly.
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION)] = str(instance.version)
            raise ValidationError(
                stale_message(type(instance), instance.pk, expected, instance.version),
                code="stale",
            )
        return cleaned


class ReasonForm(TrackedForm):
    change_reason = forms.CharField(
        label="Reason for this change",
        help_text=REASON_HELP,
        widget=forms.TextInput(attrs={"size": 80}),
    )


class ReasonActionForm(helpers.ActionForm):
    change_reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "why (required)"}),
    )


def form_values(form, obj) -> dict:
    """The model fields the form edits, as the form left them on `obj`."""
    return {f.name: getattr(obj, f.name) for f in shown_fields(type(obj)) if f.name in form.fields}


def all_values(obj) -> dict:
    """Every editable field of a new object (foreign keys by id), for services.create."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.editable and not f.primary_key
    }


def adopt(obj, stored) -> None:
    """Make the admin's in-memory object the row the service stored (pk, version, derived
    fields), so inlines attach to it and messages link to it."""
    for field in type(obj)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(stored, field.attname))
    obj._state.adding = False
    obj._state.db = stored._state.db


def explain_edtf(db_field, formfield, *, short: bool = False):
    """EDTF fields say what they hold, then how to write it, with examples (inline rows,
    where the page's own fields already explain it at length: the examples alone)."""
    if formfield is not None and isinstance(db_field, EDTFField):
        if short:
            formfield.help_text = EDTF_SHORT_HELP
            formfield.widget.attrs.setdefault("size", 12)
            formfield.widget.attrs.setdefault("placeholder", "EDTF, e.g. 2016")
            return formfield
        own = str(db_field.help_text)
        formfield.help_text = own if EDTF_HELP in own else f"{own} {EDTF_HELP}"
    return formfield


EDTF_SHORT_HELP = "EDTF: 2012 · 2012-09 · 2000~ · 201X · 2015-10/2015-12 · ../2015 · 2015/.."


class NoDefaultChoiceMixin:
    """A new object's fields named in `no_default` start empty: the editor picks a value
    (a new name is not an "official name" until someone says so)."""

    no_default: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance.pk is None or self.instance._state.adding
        for name in self.no_default:
            field = self.fields.get(name)
            if field is None or not hasattr(field, "choices"):
                continue
            choices = [c for c in field.choices if c[0] != ""]
            field.choices = [("", "— choose —"), *choices]
            if adding:
                self.initial[name] = ""


def fit_quote(form, name: str = "quote") -> None:
    """A quote box as tall as its quote (the browsers that size boxes by their content,
    CSS field-sizing, do so anyway)."""
    field = form.fields.get(name)
    if field is None:
        return
    text = str(form.initial.get(name) or "")
    field.widget.attrs["rows"] = max(3, min(20, len(text) // 90 + text.count("\n") + 2))
    field.widget.attrs["class"] = "quote"
