"""The review queue (/admin/review/): what waits for an editor or a reviewer, across every
kind of claim, in one list per question:

- drafts (with who changed them last, when and why), and drafts untouched for a while;
- withdrawn claims;
- claims without any citation (names included);
- disputed claims: certainty "disputed", or a citation that disputes or denies them.

Each row links to its page. Reviewers select rows and publish them in one change set,
with a reason, through `sahel.core.services.publish` (stale rows are refused: each row
carries the version it was listed at). Each section reads every kind of claim in one
UNION ALL query, and the counts of all sections in one query per kind: the page's query
count does not grow with its rows.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from sahel.admin.claims import ClaimAdmin
from sahel.admin.permissions import can_publish
from sahel.core import services
from sahel.core.history import StaleEditError, change_set
from sahel.core.models import Certainty, ClaimModel, PublicationStatus
from sources.models import Citation, Stance

PAGE_SIZE = 100
REASON = "change_reason"
SELECTED = "selected"


def stale_after() -> datetime.timedelta:
    """Drafts untouched for this long are listed as stale (setting SAHEL_STALE_DRAFT_DAYS)."""
    return datetime.timedelta(days=int(getattr(settings, "SAHEL_STALE_DRAFT_DAYS", 30)))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    help: str
    oldest_first: bool = False

    def condition(self, model, now) -> Q:
        """Rows of `model` (annotated by `_annotated`) that belong in this section."""
        draft = Q(status=PublicationStatus.DRAFT)
        if self.key == "drafts":
            return draft
        if self.key == "stale":
            return draft & Q(review_changed_at__lt=now - stale_after())
        if self.key == "withdrawn":
            return Q(status=PublicationStatus.WITHDRAWN)
        live = ~Q(status=PublicationStatus.WITHDRAWN)
        if self.key == "uncited":
            return live & Q(review_cited=False)
        if self.key == "disputed":
            return live & (Q(certainty=Certainty.DISPUTED) | Q(review_contested=True))
        raise ValueError(self.key)


SECTIONS = (
    Section("drafts", "Drafts", "Not yet published: invisible to the public."),
    Section("uncited", "Without a citation", "Claims (and names) that no source is cited for."),
    Section(
        "disputed",
        "Disputed",
        "Certainty 'disputed', or cited by a passage that disputes or denies them.",
    ),
    Section("withdrawn", "Withdrawn", "Taken down by a reviewer; kept with their history."),
    Section("stale", "Stale drafts", "Drafts nobody has changed for a while.", oldest_first=True),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def claim_admins(request) -> list[ClaimAdmin]:
    """The admins of the kinds of claims this user may see, in the models' order."""
    site = _site()
    found = []
    for model in apps.get_models():
        if issubclass(model, ClaimModel) and site.is_registered(model):
            model_admin = site.get_model_admin(model)
            if isinstance(model_admin, ClaimAdmin) and model_admin.has_view_permission(request):
                found.append(model_admin)
    return found


def _annotated(model_admin):
    """The claims of one admin's model with what the queue shows and filters by: their
    label, the last change (when, by whom, why), and whether they are cited at all or by
    a passage that disputes them."""
    model = model_admin.model
    last = model.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    citations = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    return model._default_manager.annotate(
        review_label=model_admin.review_label,
        review_changed_at=Subquery(last.values("history_date")[:1]),
        review_changed_by=Subquery(last.values("history_user__username")[:1]),
        review_reason=Subquery(last.values("history_change_reason")[:1]),
        review_cited=Exists(citations),
        review_contested=Exists(citations.filter(stance__in=[Stance.DISPUTES, Stance.DENIES])),
    )


def counts(admins, now) -> dict:
    """key of each section -> number of rows, over the admins' models (one query each)."""
    totals = dict.fromkeys(SECTIONS_BY_KEY, 0)
    for model_admin in admins:
        aggregates = {
            section.key: Count("pk", filter=section.condition(model_admin.model, now))
            for section in SECTIONS
        }
        for key, value in _annotated(model_admin).aggregate(**aggregates).items():
            totals[key] += value
    return totals


COLUMNS = (
    "review_kind",
    "review_pk",
    "review_version",
    "review_label",
    "review_status",
    "review_certainty",
    "review_changed_at",
    "review_changed_by",
    "review_reason",
)


def rows(admins, section: Section, now, page: int, may_publish: list[bool]) -> list[dict]:
    """One page of the section's rows over every kind of claim (one query);
    `may_publish[i]`: whether the user may publish claims of `admins[i]`."""
    parts = []
    for index, model_admin in enumerate(admins):
        parts.append(
            _annotated(model_admin)
            .filter(section.condition(model_admin.model, now))
            .annotate(
                review_kind=Value(index),
                review_pk=F("pk"),
                review_version=F("version"),
                review_status=F("status"),
                review_certainty=F("certainty"),
            )
            .values(*COLUMNS)
            .order_by()
        )
    if not parts:
        return []
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    order = "review_changed_at" if section.oldest_first else "-review_changed_at"
    start = (page - 1) * PAGE_SIZE
    found = list(union.order_by(order, "review_kind", "review_pk")[start : start + PAGE_SIZE])
    for row in found:
        model_admin = admins[row["review_kind"]]
        opts = model_admin.model._meta
        row["kind"] = opts.verbose_name
        row["url"] = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[row["review_pk"]]
        )
        row["key"] = f"{opts.label_lower}:{row['review_pk']}:{row['review_version']}"
        row["publishable"] = (
            may_publish[row["review_kind"]] and row["review_status"] != PublicationStatus.PUBLISHED
        )
    return found


def review_view(request):
    admins = claim_admins(request)
    if not admins:
        raise PermissionDenied("The review queue is for editors and reviewers.")
    if request.method == "POST":
        return publish_selected(request, admins)
    section = SECTIONS_BY_KEY.get(request.GET.get("section", ""), SECTIONS[0])
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    now = timezone.now()
    may_publish = [can_publish(request.user, a.model) for a in admins]
    totals = counts(admins, now)
    pages = max(1, -(-totals[section.key] // PAGE_SIZE))
    page = min(page, pages)
    context = {
        **_site().each_context(request),
        "title": "Review queue",
        "sections": [
            {"section": s, "count": totals[s.key], "current": s is section} for s in SECTIONS
        ],
        "section": section,
        "rows": rows(admins, section, now, page, may_publish),
        "page": page,
        "pages": pages,
        "can_publish": any(may_publish),
        "stale_days": stale_after().days,
        "reason_field": REASON,
        "selected_field": SELECTED,
    }
    return TemplateResponse(request, "sahel/admin/review.html", context)


def publish_selected(request, admins):
    """Publish the selected rows in one change set, with the reason typed on the page."""
    back = request.get_full_path()
    reason = request.POST.get(REASON, "").strip()
    selected = request.POST.getlist(SELECTED)
    if not selected:
        messages.error(request, "Select the claims to publish.")
        return HttpResponseRedirect(back)
    if not reason:
        messages.error(request, "Give a reason for publishing: it is kept in the history.")
        return HttpResponseRedirect(back)
    models = {a.model._meta.label_lower: a.model for a in admins}
    wanted = {}  # model -> {pk: version}
    for key in selected:
        try:
            label, pk, version = key.rsplit(":", 2)
            model = models[label]
            wanted.setdefault(model, {})[int(pk)] = int(version)
        except (KeyError, ValueError):
            messages.error(request, f"Nothing was published: {key!r} is not a claim of the queue.")
            return HttpResponseRedirect(back)
    for model in wanted:
        if not can_publish(request.user, model):
            raise PermissionDenied(f"Only reviewers publish {model._meta.verbose_name_plural}.")
    published = 0
    try:
        with change_set(request.user, reason):
            for model, versions in wanted.items():
                found = model._default_manager.in_bulk(list(versions))
                for pk, version in versions.items():
                    if pk not in found:
                        raise model.DoesNotExist(
                            f"{model._meta.verbose_name} {pk} was deleted since it was listed."
                        )
                    services.publish(
                        found[pk], user=request.user, reason=reason, expected_version=version
                    )
                    published += 1
    except StaleEditError as exc:
        messages.error(
            request,
            f"Nothing was published: {exc.model._meta.verbose_name} {exc.pk} was changed "
            f"since it was listed (version {exc.expected_version} → {exc.current_version}); "
            "look at it again.",
        )
        return HttpResponseRedirect(back)
    except (ValidationError, ObjectDoesNotExist) as exc:
        messages.error(request, f"Nothing was published: {_message(exc)}")
        return HttpResponseRedirect(back)
    messages.success(request, f"Published {published} claim{'s' if published != 1 else ''}.")
    return HttpResponseRedirect(back)


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


def _site():
    from django.contrib import admin

    return admin.site
