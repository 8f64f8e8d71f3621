"""Admins of citable models and of sourced claims: the citations inline, citation history,
and the review workflow (publish and withdraw, for reviewers)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import F

from sahel.admin.forms import REASON, adopt
from sahel.admin.inlines import CitationInline
from sahel.admin.permissions import can_publish
from sahel.admin.revisions import with_deltas
from sahel.admin.tracked import TrackedAdmin
from sahel.core import services
from sahel.core.history import StaleEditError, change_set
from sahel.core.models import ClaimModel, PublicationStatus
from sources.models import Citation


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
        return {"citation_history": with_deltas(rows, Citation)}


class ClaimAdmin(CitedAdmin):
    """Sourced claims: certainty and publication status, and the review workflow."""

    readonly_fields = ("status",)
    actions = ["publish_selected", "withdraw_selected", "delete_selected_with_reason"]
    # How the review queue (sahel.admin.review) names a row: an expression over it.
    review_label = F("pk")

    # The claim machinery's fields, after the claim's own (which come first on the page).
    claim_fields = ("certainty", "status", "editorial_note")

    def get_fieldsets(self, request, obj=None):
        *own, change = super().get_fieldsets(request, obj)
        if self.fieldsets:  # declared by the app: as declared
            return [*own, change]
        fieldsets, claim = [], []
        for title, options in own:
            fields = [f for f in options["fields"] if f not in self.claim_fields]
            claim += [f for f in options["fields"] if f in self.claim_fields]
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        if claim:
            ordered = [f for f in self.claim_fields if f in claim]
            fieldsets.append(("Certainty and review", {"fields": ordered}))
        return [*fieldsets, change]

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
