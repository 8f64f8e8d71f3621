"""The editors' workbench: admin machinery shared by every app, written once.

Each app's admin.py declares only its own columns, filters and inlines on top of these:

- `TrackedAdmin` (every tracked model): every save, delete, revert and restore goes
  through `sahel.services` inside one change set (`sahel.history.change_set`) carrying
  the editor and the change reason typed on the form; a stale save (someone else saved
  in between) is refused on the form itself, which keeps the editor's input and shows
  what changed; history pages show who, when, why and a readable diff; any revision can
  be reverted to (with the claim's citations); deleted objects can be restored.
- `CitedAdmin` adds the one generic citations inline to every citable model.
- `ClaimAdmin` adds the review workflow: only users with the `publish_<model>` permission
  (the "reviewer" group) publish and withdraw, on the form or in bulk; editors work on
  drafts and cannot delete what is public.
- `TrackedInline` / `CitationInline`: inlines whose rows are written through the same
  services, with the same stale-edit check, and that render their autocomplete widgets
  without one query per row.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from sahel import selectors, services
from sahel.fuzzy_dates import EDTF_HELP, EDTFField
from sahel.history import StaleEditError, change_set
from sahel.models import CitableModel, ClaimModel, PublicationStatus
from sources.models import Citation, Source

REASON = "change_reason"
VERSION = "expected_version"
REASON_HELP = "Why you are making this change. Required; it is kept in the history."


# -- permissions ---------------------------------------------------------------------------
def publish_codename(model) -> str:
    return f"publish_{model._meta.model_name}"


def can_publish(user, model) -> bool:
    """Reviewers (and superusers) hold `<app>.publish_<model>`, made by the groups migration."""
    return user.has_perm(f"{model._meta.app_label}.{publish_codename(model)}")


# -- readable history ----------------------------------------------------------------------
def noise_fields(model) -> list[str]:
    """Fields kept by the system (version, date bounds, search keys): not shown in diffs."""
    return ["version", *model.derived_field_names()]


def shown_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in noise_fields(model)
    ]


def display_value(record, field) -> str:
    """A field of a live or historical row, as an editor reads it."""
    if field.choices:
        value = getattr(record, field.attname)
        return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else "—"
    if field.is_relation:
        try:
            related = getattr(record, field.name)
        except ObjectDoesNotExist:
            return f"(deleted {field.related_model.__name__} {getattr(record, field.attname)})"
        return str(related) if related is not None else "—"
    value = getattr(record, field.attname)
    return "—" if value in (None, "") else str(value)


def record_changes(new, old, model) -> list[dict]:
    """[{field, old, new}] between two history rows of one object, readable."""
    delta = new.diff_against(old, excluded_fields=noise_fields(model))
    changes = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        changes.append(
            {
                "field": capfirst(field.verbose_name),
                "old": display_value(old, field),
                "new": display_value(new, field),
            }
        )
    return changes


def describe_changes_since(model, pk, version: int | None) -> str:
    """What others changed in object `pk` after `version`: who, when, why, old → new."""
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    seen = [r for r in records if version is not None and r.version <= version]
    previous = seen[-1] if seen else None
    lines = []
    for record in records[len(seen) :]:
        who = record.history_user or "a system process"
        when = f"{record.history_date:%Y-%m-%d %H:%M:%S} UTC"
        what = ""
        if previous is not None and record.history_type == "~":
            what = "; ".join(
                f"{c['field']}: {c['old']} → {c['new']}"
                for c in record_changes(record, previous, model)
            )
        elif record.history_type == "-":
            what = "deleted"
        lines.append(f"{who} at {when} ({record.history_change_reason!r}): {what or 'saved'}")
        previous = record
    return " | ".join(lines)


def stale_message(model, pk, expected: int | None, current: int) -> str:
    return (
        f"Not saved: this {model._meta.verbose_name} was changed by someone else since you "
        f"opened it (you edited version {expected}, it is now at version {current}). "
        f"What changed: {describe_changes_since(model, pk, expected) or 'unknown'}. "
        f"Your input is kept below: review it against those changes and save again to "
        f"apply it over them."
    )


# -- forms ---------------------------------------------------------------------------------
class TrackedForm(forms.ModelForm):
    """Carries the version the editor read; a save based on an older one is refused here,
    with the editor's input kept on the re-rendered form (and refused again under a row
    lock by sahel.services if someone saves between this check and the write)."""

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


def explain_edtf(db_field, formfield):
    """EDTF fields say what they hold, then how to write it, with examples."""
    if formfield is not None and isinstance(db_field, EDTFField):
        own = str(db_field.help_text)
        formfield.help_text = own if EDTF_HELP in own else f"{own} {EDTF_HELP}"
    return formfield


# -- inlines -------------------------------------------------------------------------------
class VersionedInlineMixin:
    """Renders each row's version (hidden) so that a stale row is refused, not overwritten."""

    def get_fieldsets(self, request, obj=None):
        (title, options), *rest = super().get_fieldsets(request, obj)
        fields = [f for f in options["fields"] if f != VERSION]
        return [(title, {**options, "fields": [*fields, VERSION]}), *rest]


class TrackedInline(VersionedInlineMixin, admin.TabularInline):
    """An inline of tracked rows. Rows are written by `TrackedAdmin.save_formset` through
    sahel.services; `select_related` names what the rows' labels and widgets need."""

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
        return explain_edtf(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))


class ClaimInline(TrackedInline):
    """Claims made on the parent's page start as drafts; reviewers publish them. Editors
    may delete draft rows only."""

    readonly_fields = ("status",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.may_delete_public = can_publish(request.user, self.model)
        return formset


class CitationInline(VersionedInlineMixin, GenericTabularInline):
    """The one citations inline of every citable model. A quote from a source whose text
    is stored must be verbatim in it (`Citation.clean`)."""

    model = Citation
    form = TrackedForm
    formset = TrackedGenericInlineFormSet
    extra = 0
    fields = ("source", "locator", "quote", "stance", "credibility", "field_name", "note")
    autocomplete_fields = ("source",)
    verbose_name_plural = "citations"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        use_known_choice_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"quote", "note"} and formfield is not None:
            formfield.widget = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return formfield


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


def actors_named(text: str):
    """Ids of actors with a name matching `text`, drafts included, by the same
    transliteration-insensitive matching as the public search (sahel.selectors)."""
    from actors.models import Name

    return selectors.matching_names(text, names=Name.objects.all()).values("actor_id")


# -- the admin classes -----------------------------------------------------------------------
class TrackedAdmin(SimpleHistoryAdmin):
    form = ReasonForm
    action_form = ReasonActionForm
    actions = ["delete_selected_with_reason"]
    change_form_template = "sahel/admin/change_form.html"
    change_list_template = "sahel/admin/change_list.html"
    delete_confirmation_template = "sahel/admin/delete_confirmation.html"
    object_history_template = "sahel/admin/object_history.html"
    list_per_page = 100
    save_as = False
    # Paths to actors (e.g. "subject"): the search box also finds rows whose actor has a
    # matching name, in any spelling.
    actor_search_paths: tuple[str, ...] = ()

    # ---- form ----
    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [f for f in options["fields"] if f not in (REASON, VERSION)]
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        return [*fieldsets, ("Change", {"fields": [REASON, VERSION]})]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return explain_edtf(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip() and self.actor_search_paths:
            named = actors_named(search_term)
            condition = Q()
            for path_ in self.actor_search_paths:
                condition |= Q(**{f"{path_}__in": named})
            results = results | queryset.filter(condition)
            may_have_duplicates |= any("__" in p for p in self.actor_search_paths)
        return results, may_have_duplicates

    # ---- saving through the services, in one change set ----
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self.workflow_context(request)}
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        self.check_workflow_buttons(request)
        reason = request.POST.get(REASON, "").strip()
        if not reason:  # the form refuses it and shows why
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with change_set(request.user, reason):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError:
            # Saved by someone else between the form's check and the write: nothing was
            # written; the form, shown again, now reports the change and keeps the input.
            pass
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError as exc:  # (without a reason and change set, nothing writes)
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.path)

    def workflow_context(self, request) -> dict:
        return {}

    def check_workflow_buttons(self, request) -> None:
        pass

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data[REASON]
        if change:
            stored = services.update(
                obj,
                user=request.user,
                reason=reason,
                expected_version=form.cleaned_data.get(VERSION),
                **form_values(form, obj),
            )
        else:
            stored = services.create(type(obj), user=request.user, reason=reason, **all_values(obj))
        adopt(obj, stored)

    def save_formset(self, request, form, formset, change):
        user, reason = request.user, form.cleaned_data[REASON]
        formset.save(commit=False)
        forms_by_object = {id(f.instance): f for f in formset.forms}

        def expected(obj):
            inline_form = forms_by_object.get(id(obj))
            return inline_form.cleaned_data.get(VERSION) if inline_form else obj.version

        for obj in formset.deleted_objects:
            services.delete(obj, user=user, reason=reason, expected_version=expected(obj))
        for obj, _changed in formset.changed_objects:
            stored = services.update(
                obj,
                user=user,
                reason=reason,
                expected_version=expected(obj),
                **form_values(forms_by_object[id(obj)], obj),
            )
            adopt(obj, stored)
        for obj in formset.new_objects:
            adopt(obj, services.create(type(obj), user=user, reason=reason, **all_values(obj)))

    # ---- deleting, with a reason ----
    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and not request.POST.get(REASON, "").strip():
            messages.error(request, "Give a reason for deleting: it is kept in the history.")
            return HttpResponseRedirect(request.path)
        try:
            return super().delete_view(request, object_id, extra_context)
        except (StaleEditError, services.DeleteProtectedError) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.path)

    def delete_model(self, request, obj):
        version = request.POST.get(VERSION, "")
        services.delete(
            obj,
            user=request.user,
            reason=request.POST[REASON],
            expected_version=int(version) if version.isdigit() else obj.version,
        )

    def delete_queryset(self, request, queryset):
        raise PermissionDenied("Delete through the 'delete selected (with reason)' action.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes without a reason
        return actions

    def action_reason(self, request) -> str | None:
        reason = request.POST.get(REASON, "").strip()
        if not reason:
            messages.error(request, "Type a reason next to the action: it is kept in the history.")
        return reason or None

    @admin.action(
        description="Delete selected %(verbose_name_plural)s (with reason)",
        permissions=["delete"],
    )
    def delete_selected_with_reason(self, request, queryset):
        reason = self.action_reason(request)
        if reason is None:
            return
        objs = list(queryset)
        if not all(self.has_delete_permission(request, obj) for obj in objs):
            raise PermissionDenied
        try:
            with change_set(request.user, reason):
                for obj in objs:
                    services.delete(
                        obj, user=request.user, reason=reason, expected_version=obj.version
                    )
        except (StaleEditError, services.DeleteProtectedError, ObjectDoesNotExist) as exc:
            messages.error(request, f"Nothing was deleted: {exc}")
            return
        messages.success(request, f"Deleted {len(objs)} {self.opts.verbose_name_plural}.")

    # ---- history: readable diffs, revisions, revert, restore ----
    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                previous.history_delta_changes = record_changes(previous, current, self.model)
            previous = current

    def history_view(self, request, object_id, extra_context=None):
        extra = {**(extra_context or {}), **self.citation_history_context(request, object_id)}
        return super().history_view(request, object_id, extra)

    def citation_history_context(self, request, object_id) -> dict:
        return {}

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
            path(
                "deleted/<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One revision, read-only, with what differs from now, its citations as they
        stood, and a form to revert to it (with a reason). Historical rows are never
        edited: the only write here is a revert, through `sahel.services.revert`."""
        model = self.model
        record = get_object_or_404(
            model.history.select_related("history_user"),
            id=unquote(object_id),
            history_id=version_id,
        )
        live = model.objects.filter(pk=record.id).first()
        if not self.has_view_history_or_change_history_permission(request, live):
            raise PermissionDenied
        can_revert = (
            live is not None
            and record.history_type != "-"
            and self.has_change_permission(request, live)
        )
        if request.method == "POST":
            if not can_revert:
                raise PermissionDenied
            return self.revert(request, record, live)
        fields = [
            {
                "label": f.verbose_name,
                "then": display_value(record, f),
                "now": display_value(live, f) if live is not None else "(deleted)",
            }
            for f in shown_fields(model)
        ]
        for row in fields:
            row["differs"] = row["then"] != row["now"]
        context = {
            **self.admin_site.each_context(request),
            "title": f"{record.history_object} — revision of {record.history_date:%Y-%m-%d %H:%M}",
            "opts": self.opts,
            "record": record,
            "live": live,
            "fields": fields,
            "citations": self.citations_at(record),
            "can_revert": can_revert,
            "reason_field": REASON,
            "version_field": VERSION,
            "history_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[record.id]
            ),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "sahel/admin/revision.html", context)

    def citations_at(self, record) -> list | None:
        if not issubclass(self.model, CitableModel):
            return None
        rows = list(
            selectors.rows_as_of(Citation, record.history_date)
            .filter(content_type=ContentType.objects.get_for_model(self.model), object_id=record.id)
            .order_by("id")
        )
        sources = Source.objects.in_bulk({row.source_id for row in rows})
        for row in rows:
            row.source_label = str(sources.get(row.source_id, f"(deleted source {row.source_id})"))
        return rows

    def revert(self, request, record, live):
        reason = request.POST.get(REASON, "").strip()
        version = request.POST.get(VERSION, "")
        if not reason:
            messages.error(request, "Give a reason for the revert: it is kept in the history.")
            return HttpResponseRedirect(request.path)
        try:
            services.revert(
                self.model,
                record.id,
                record.history_id,
                user=request.user,
                reason=reason,
                expected_version=int(version) if version.isdigit() else None,
            )
        except StaleEditError as exc:
            messages.error(
                request,
                stale_message(self.model, live.pk, exc.expected_version, exc.current_version),
            )
            return HttpResponseRedirect(request.path)
        except (ValidationError, services.RestoreError, ObjectDoesNotExist) as exc:
            messages.error(request, f"Not reverted: {exc}")
            return HttpResponseRedirect(request.path)
        messages.success(
            request,
            f"Reverted to the revision of {record.history_date:%Y-%m-%d %H:%M:%S} UTC"
            + (", citations included." if issubclass(self.model, CitableModel) else "."),
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[live.pk])
        )

    def deleted_records(self):
        """The deletion record of every deleted object of this model, latest first."""
        history = self.model.history
        latest = (
            history.filter(id=OuterRef("id"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        return (
            history.filter(history_type="-", history_id=Subquery(latest))
            .select_related("history_user")
            .order_by("-history_date")
        )

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "records": self.deleted_records()[:200],
            "can_restore": self.has_add_permission(request),
            "reason_field": REASON,
        }
        return TemplateResponse(request, "sahel/admin/deleted.html", context)

    def restore_view(self, request, object_id):
        if request.method != "POST":
            raise Http404
        if not self.has_add_permission(request):
            raise PermissionDenied
        deleted_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted")
        reason = request.POST.get(REASON, "").strip()
        if not reason:
            messages.error(request, "Give a reason for the restore: it is kept in the history.")
            return HttpResponseRedirect(deleted_url)
        deletion = get_object_or_404(self.deleted_records(), id=object_id)
        was_public = getattr(deletion, "status", None) == PublicationStatus.PUBLISHED
        if was_public and not can_publish(request.user, self.model):
            # Restoring brings the claim back as it was: public again. Reviewers decide that.
            raise PermissionDenied("Only reviewers restore what was public.")
        try:
            obj = services.restore(self.model, object_id, user=request.user, reason=reason)
        except (services.RestoreError, services.NotDeletedError, ObjectDoesNotExist) as exc:
            messages.error(request, f"Not restored: {exc}")
            return HttpResponseRedirect(deleted_url)
        messages.success(request, f"Restored {obj} with what was deleted with it.")
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )


class CitedAdmin(TrackedAdmin):
    """Citable models: the citations inline, and citation changes on the history page."""

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), CitationInline]

    def citation_history_context(self, request, object_id) -> dict:
        rows = list(
            Citation.history.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=unquote(object_id),
            )
            .select_related("history_user", "source")
            .order_by("id", "history_date", "history_id")
        )
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            row.delta = (
                record_changes(row, before, Citation)
                if before is not None and row.history_type == "~"
                else []
            )
            previous[row.id] = row
        rows.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
        return {"citation_history": rows}


class ClaimAdmin(CitedAdmin):
    """Sourced claims: certainty and publication status, and the review workflow."""

    readonly_fields = ("status",)
    actions = ["publish_selected", "withdraw_selected", "delete_selected_with_reason"]

    def has_publish_permission(self, request, obj=None):
        return can_publish(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        # Editors delete drafts; what is or was public is for reviewers to take down.
        return (
            obj is None
            or obj.status == PublicationStatus.DRAFT
            or self.has_publish_permission(request)
        )

    def workflow_context(self, request) -> dict:
        return {"can_publish": self.has_publish_permission(request)}

    def check_workflow_buttons(self, request) -> None:
        if ("_publish" in request.POST or "_withdraw" in request.POST) and not (
            self.has_publish_permission(request)
        ):
            raise PermissionDenied("Only reviewers publish and withdraw.")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj, reason = form.instance, form.cleaned_data[REASON]
        if "_publish" in request.POST:
            # The reviewer has the page's claims before them: the draft names, ties and
            # participants shown inline are published with the claim.
            for formset in formsets:
                if issubclass(formset.model, ClaimModel):
                    drafts = formset.model.objects.filter(
                        **{formset.fk.name: obj}, status=PublicationStatus.DRAFT
                    )
                    for draft in drafts:
                        services.publish(
                            draft, user=request.user, reason=reason, expected_version=draft.version
                        )
            operation = services.publish
        elif "_withdraw" in request.POST:
            operation = services.withdraw
        else:
            return
        adopt(
            obj,
            operation(obj, user=request.user, reason=reason, expected_version=obj.version),
        )

    def _set_status(self, request, queryset, operation, done: str):
        reason = self.action_reason(request)
        if reason is None:
            return
        objs = list(queryset)
        try:
            with change_set(request.user, reason):
                for obj in objs:
                    operation(obj, user=request.user, reason=reason, expected_version=obj.version)
        except (StaleEditError, ValidationError, ObjectDoesNotExist) as exc:
            messages.error(request, f"Nothing was {done}: {exc}")
            return
        messages.success(request, f"{len(objs)} {self.opts.verbose_name_plural} {done}.")

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._set_status(request, queryset, services.publish, "published")

    @admin.action(description="Withdraw selected %(verbose_name_plural)s", permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        self._set_status(request, queryset, services.withdraw, "withdrawn")


def ordered_by_name_match(queryset, search_term):
    """Actors matching `search_term` by any of their names (drafts included) or by display
    name or slug, best name match first: the admin's search and autocomplete."""
    from actors.models import Name

    best = (
        selectors.matching_names(search_term, names=Name.objects.all())
        .filter(actor_id=OuterRef("id"))
        .order_by("rank")
        .values("rank")[:1]
    )
    return (
        queryset.annotate(search_rank=Subquery(best))
        .filter(
            Q(search_rank__isnull=False)
            | Q(name__icontains=search_term.strip())
            | Q(slug__icontains=search_term.strip())
        )
        .order_by(F("search_rank").asc(nulls_last=True), "name", "id")
    )


__all__ = [
    "CitationInline",
    "CitedAdmin",
    "ClaimAdmin",
    "ClaimInline",
    "TrackedAdmin",
    "TrackedInline",
    "can_publish",
    "fuzzy_date_filter",
    "ordered_by_name_match",
]

admin.site.site_header = "Sahel actor database — editors' workbench"
admin.site.site_title = "Sahel actor database"
admin.site.index_title = "Curation"


# -- accounts ----------------------------------------------------------------------------------


def wrote_history(user_ids) -> set:
    """Ids among `user_ids` of users who authored revisions (their names are the record)."""
    from sahel.models import tracked_models

    authors = set()
    for model in tracked_models():
        authors |= set(
            model.history.filter(history_user_id__in=user_ids)
            .values_list("history_user_id", flat=True)
            .distinct()
        )
    return authors


class AccountAdmin(UserAdmin):
    """Users who wrote history cannot be deleted (the history names them): deactivate them.
    The delete page and the bulk action say so instead of failing."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and wrote_history([obj.pk]):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        authors = wrote_history(list(queryset.values_list("pk", flat=True)))
        if authors:
            names = ", ".join(sorted(str(u) for u in queryset.model.objects.filter(pk__in=authors)))
            self.message_user(
                request,
                f"Not deleted: {names} wrote revisions, which name them. Deactivate them "
                "instead (untick “Active”).",
                messages.ERROR,
            )
        super().delete_queryset(request, queryset.exclude(pk__in=authors))


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)
