"""History pages, revisions, revert and restore: the part of `TrackedAdmin` that reads the
past (every write still goes through `sahel.core.services`, with a reason)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from sahel.admin.diffs import display_value, record_changes, shown_fields, stale_message
from sahel.admin.forms import REASON, VERSION
from sahel.admin.permissions import can_publish
from sahel.core import selectors, services
from sahel.core.history import StaleEditError
from sahel.core.models import CitableModel, ClaimModel, PublicationStatus
from sahel.read.parts import parts_of
from sources.models import Citation, Source


def with_deltas(rows: list, model) -> list:
    """History rows of several objects (ordered by object, then time), each given its
    `delta` against the object's previous row; returned newest first."""
    previous = {}
    for row in rows:
        before = previous.get(row.id)
        row.delta = (
            record_changes(row, before, model)
            if before is not None and row.history_type == "~"
            else []
        )
        previous[row.id] = row
    rows.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    return rows


def related_history(model):
    """`model.history` with what a row's label and diff read (its foreign keys)."""
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    return model.history.select_related("history_user", *relations)


def labelled(rows: list) -> list:
    """Give each historical row its `label`: the object's own words (`str()`), read from
    the related rows the query fetched (related_history), not one query a row."""
    for row in rows:
        instance = row.instance
        cache = row._state.fields_cache
        for field in instance._meta.concrete_fields:
            if field.is_relation and field.name in cache:
                instance._state.fields_cache[field.name] = cache[field.name]
        try:
            row.label = str(instance)
        except ObjectDoesNotExist:  # refers to a row deleted since
            row.label = f"{instance._meta.verbose_name} {row.id}"
    return rows


def part_condition(part, pk) -> Q:
    condition = Q(pk__in=[])
    for fk in part.fks:
        condition |= Q(**{f"{fk}_id": pk})
    return condition


def plan_summary(plan: dict, noun: str) -> str:
    """'names: 1 deleted, 1 restored' (empty when nothing changes)."""
    counts = [
        f"{len(plan[key])} {word}"
        for key, word in (
            ("restored", "restored"),
            ("changed", "changed back"),
            ("deleted", "deleted"),
        )
        if plan[key]
    ]
    return f"{noun}: {', '.join(counts)}" if counts else ""


def revert_message(record, plans: list[dict], left_alone: list[str]) -> str:
    """What a revert did, in words: the fields, then each of citations, names ..."""
    done = [item["summary"] for item in plans if item["summary"]]
    unchanged = [item["title"] for item in plans if not item["summary"]]
    text = f"Reverted to the revision of {record.history_date:%Y-%m-%d %H:%M:%S} UTC: its fields"
    if done:
        text += "; " + "; ".join(done)
    if unchanged:
        text += f" ({', '.join(unchanged)} as they were then already)"
    text += ". The publication status stays as it is."
    if left_alone:
        text += (
            f" {', '.join(left_alone).capitalize()} are not reverted: each is a claim of its "
            "own; revert it from its own history."
        )
    return text


class RevisionsMixin:
    """Of `TrackedAdmin`: readable diffs on the history page, one revision with a revert
    form, the deleted objects of the model and their restore."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                previous.history_delta_changes = record_changes(previous, current, self.model)
            previous = current

    def history_view(self, request, object_id, extra_context=None):
        extra = {
            **(extra_context or {}),
            **self.citation_history_context(request, object_id),
            "parts_history": self.parts_history(object_id),
        }
        return super().history_view(request, object_id, extra)

    def parts(self):
        """Names, identifiers, ties ... of this model's objects (sahel.read.parts)."""
        return parts_of(self.model)

    def parts_history(self, object_id) -> list[dict]:
        """Each part's history rows (drafts included: editors see their work), newest
        first, with diffs: one query a part."""
        try:
            pk = int(unquote(object_id))
        except ValueError:
            return []
        found = []
        for part in self.parts():
            rows = list(
                related_history(part.model)
                .filter(part_condition(part, pk))
                .order_by("id", "history_date", "history_id")
            )
            found.append(
                {
                    "part": part,
                    "title": part.model._meta.verbose_name_plural,
                    "rows": labelled(with_deltas(rows, part.model)),
                    "changelist": reverse(
                        f"admin:{part.model._meta.app_label}_{part.model._meta.model_name}_changelist"
                    ),
                }
            )
        return found

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
        edited: the only write here is a revert, through `sahel.core.services.revert`."""
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
            "parts_at": self.parts_at(record),
            "restores": self.revert_plan(record) if can_revert else [],
            "left_alone": self.left_alone(),
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

    def parts_at(self, record) -> list[dict]:
        """Each part as it stood at the revision (and whether a revert brings it back)."""
        found = []
        for part in self.parts():
            rows = list(
                selectors.rows_as_of(part.model, record.history_date)
                .filter(part_condition(part, record.id))
                .select_related(
                    *(f.name for f in part.model._meta.concrete_fields if f.is_relation)
                )
                .order_by("id")
            )
            found.append(
                {
                    "part": part,
                    "title": part.model._meta.verbose_name_plural,
                    "rows": labelled(rows),
                }
            )
        return found

    def revert_plan(self, record) -> list[dict]:
        """What a revert to `record` changes besides the object's own fields: its citations
        and owned parts (names, identifiers ...), each {title, plan, summary, model}."""
        plans = []
        if issubclass(self.model, CitableModel):
            condition = {
                "content_type": ContentType.objects.get_for_model(self.model),
                "object_id": record.id,
            }
            plan = services.revert_rows(Citation, condition, record.history_date)
            plans.append({"title": "citations", "plan": plan, "model": Citation})
        for part in self.parts():
            if part.owned:
                plan = services.revert_rows(
                    part.model, {part.fks[0]: record.id}, record.history_date
                )
                title = str(part.model._meta.verbose_name_plural)
                plans.append({"title": title, "plan": plan, "model": part.model})
        for item in plans:
            item["summary"] = plan_summary(item["plan"], item["title"])
        return plans

    def left_alone(self) -> list[str]:
        """Parts a revert leaves as they are (ties: claims of their own)."""
        return [str(p.model._meta.verbose_name_plural) for p in self.parts() if not p.owned]

    def revert(self, request, record, live):
        reason = request.POST.get(REASON, "").strip()
        version = request.POST.get(VERSION, "")
        if not reason:
            messages.error(request, "Give a reason for the revert: it is kept in the history.")
            return HttpResponseRedirect(request.path)
        plans = self.revert_plan(record)
        for item in plans:
            public = [
                obj
                for obj in item["plan"]["deleted"]
                if isinstance(obj, ClaimModel) and obj.status != PublicationStatus.DRAFT
            ]
            if public and not can_publish(request.user, item["model"]):
                messages.error(
                    request,
                    f"Not reverted: it would delete {item['title']} that are or were public "
                    f"({', '.join(str(o) for o in public)}); only reviewers take those down.",
                )
                return HttpResponseRedirect(request.path)
        try:
            services.revert(
                self.model,
                record.id,
                record.history_id,
                user=request.user,
                reason=reason,
                expected_version=int(version) if version.isdigit() else None,
                parts=[(p.model, p.fks[0]) for p in self.parts() if p.owned],
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
        messages.success(request, revert_message(record, plans, self.left_alone()))
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
