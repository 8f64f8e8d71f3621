"""`TrackedAdmin`: the admin of every tracked model. Every save, delete, revert and restore
goes through `sahel.core.services` inside one change set carrying the editor and the reason
typed on the form; a stale save is refused on the form itself, which keeps the input."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from sahel.admin.explorer_links import explorer_links
from sahel.admin.forms import (
    REASON,
    VERSION,
    ReasonActionForm,
    ReasonForm,
    adopt,
    all_values,
    explain_edtf,
    form_values,
)
from sahel.admin.revisions import RevisionsMixin
from sahel.admin.search import actors_named
from sahel.core import services
from sahel.core.history import StaleEditError, change_set


class TrackedAdmin(RevisionsMixin, SimpleHistoryAdmin):
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
    # The explorer's page of an object (the URL name under "explorer:", by slug) and its
    # sections (title, anchor): linked from the change form (sahel.admin.explorer_links).
    explorer_page: str | None = None
    explorer_sections: tuple[tuple[str, str], ...] = ()

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if self.explorer_page else None
        if obj is not None:
            extra_context = {**(extra_context or {}), "explorer": explorer_links(self, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

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
