"""The public, read-only REST API: one generic viewset that every resource configures.

A request reads `selectors.public(Model, as_of=...)`, narrows it with the resource's
FilterSet, orders it, takes a page and projects it. Every bad parameter is a 400 (or 404)
whose JSON body names the parameter.
"""

import contextlib
import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Collate, Lower
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from sahel import selectors
from sahel.api import changes, export
from sahel.api.conditional import ConditionalGetMixin
from sahel.api.filters import ListField
from sahel.api.renderers import CSVRenderer, GeoJSONRenderer
from sahel.api.schema import ProjectionSchema

MAX_PAGE_SIZE = 1000
_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII digits only, within a bigint


def parse_positive(
    raw: str | None, param: str, *, high: int | None = None, not_found: bool = False
) -> int:
    """A whole number from 1 (to `high`) from a query or path, or an error naming `param`."""
    if raw is not None and _DIGITS.fullmatch(raw):
        value = int(raw)
        if value >= 1 and (high is None or value <= high):
            return value
    bounds = f"from 1 to {high}" if high is not None else "from 1"
    error = {param: [f"{raw!r}: give a whole number {bounds}."]}
    raise exceptions.NotFound(error) if not_found else exceptions.ValidationError(error)


COMMON_PARAMETERS = {"page", "page_size", "ordering", "as_of", "format"}


def parse_as_of(request) -> datetime.datetime | None:
    """`as_of`: an ISO 8601 instant (2025-03-01T12:00:00Z) or a date (its start, UTC)."""
    raw = request.query_params.get("as_of")
    return None if raw is None else parse_instant(raw)


def parse_instant(raw: str) -> datetime.datetime:
    """An `as_of` value (REST `as_of`, GraphQL `asOf`): a past instant, in UTC."""
    try:
        instant = parse_datetime(raw)
        if instant is None and (day := parse_date(raw)) is not None:
            instant = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        instant = None
    if instant is None:
        raise exceptions.ValidationError(
            {
                "as_of": [
                    f"{raw!r} is not an ISO 8601 date or date-time (e.g. 2025-03-01 or "
                    "2025-03-01T12:00:00Z)."
                ]
            }
        )
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=datetime.UTC)
    try:
        instant = instant.astimezone(datetime.UTC)
    except OverflowError:
        raise exceptions.ValidationError({"as_of": [f"{raw!r} is out of range."]}) from None
    if instant > timezone.now():
        # The future is not reproducible: the answer would change as edits land.
        raise exceptions.ValidationError({"as_of": [f"{raw!r} is in the future."]})
    return instant


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        return (
            self.page_size if raw is None else parse_positive(raw, "page_size", high=MAX_PAGE_SIZE)
        )

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        parse_positive(raw, "page")
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            pages = self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            raise exceptions.NotFound(
                {"page": [f"Page {raw} is past the end: there are {pages} page(s)."]}
            ) from None


class OneSnapshot:
    """A view whose every response is read in one snapshot (`read_snapshot`)."""

    def dispatch(self, request, *args, **kwargs):
        with read_snapshot():
            return super().dispatch(request, *args, **kwargs)


class ResourceViewSet(OneSnapshot, ConditionalGetMixin, viewsets.ViewSet):
    """Configure: `projection`, optional `detail_projection`, `filterset_class`,
    `orderings` (public name -> columns) and `default_ordering`."""

    projection = None
    detail_projection = None
    filterset_class = None
    orderings: dict[str, tuple[str, ...]] = {}
    default_ordering: str = "id"
    lookup_value_regex = "[^/]+"
    renderer_classes = [JSONRenderer, CSVRenderer]
    schema = ProjectionSchema()

    @property
    def model(self):
        return self.projection.model

    def perform_content_negotiation(self, request, force=False):
        if request.query_params.get("format") == "" and not force:
            formats = ", ".join(r.format for r in self.get_renderers())
            raise exceptions.ValidationError({"format": [f"Empty: choose one of {formats}."]})
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(r.format for r in self.get_renderers())
            raise exceptions.NotFound(
                {"format": [f"{request.query_params.get('format')!r}: choose one of {formats}."]}
            ) from None

    def list(self, request):
        self._refuse_unknown_parameters(request)
        as_of = parse_as_of(request)
        queryset = selectors.public(self.model, as_of=as_of)
        filterset = self.filterset_class(request.query_params, queryset=queryset, as_of=as_of)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        queryset = self._order(filterset.qs, request)
        paginator = Pagination()
        rows = paginator.paginate_queryset(
            queryset.values(*self.projection.columns()), request, view=self
        )
        return paginator.get_paginated_response(self.projection.build_rows(list(rows), as_of=as_of))

    def retrieve(self, request, pk=None):
        _refuse_parameters_except(request, {"as_of", "format"})
        pk = _parse_id(pk)
        as_of = parse_as_of(request)
        projection = self.detail_projection or self.projection
        rows = projection.object_rows(pk, as_of=as_of)
        if not rows:
            raise exceptions.NotFound({"id": [f"No {self.model._meta.verbose_name} {pk}."]})
        return Response(projection.build_rows(rows, as_of=as_of)[0])

    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer])
    def history(self, request, pk=None):
        """Public revisions: each change set that changed what the public sees of this
        object, with its time, reason and the changed fields (old -> new). Citations,
        names and participants are part of the object and appear in its changes."""
        _refuse_parameters_except(request, {"format"})
        pk = _parse_id(pk)
        if not selectors.public(self.model).filter(id=pk).exists():
            raise exceptions.NotFound({"id": [f"No {self.model._meta.verbose_name} {pk}."]})
        return Response({"id": pk, "revisions": changes.object_history(self.projection, pk)})

    def _refuse_unknown_parameters(self, request):
        known = COMMON_PARAMETERS | set(self.filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [f"Unknown parameter. Known: {', '.join(sorted(known))}."]
                    for name in unknown
                }
            )
        repeatable = {
            name
            for name, spec in self.filterset_class.base_filters.items()
            if isinstance(spec.field_class, type) and issubclass(spec.field_class, ListField)
        }
        refuse_repeated(request, repeatable)

    def _order(self, queryset, request):
        return order_by_param(
            queryset,
            self.model,
            self.orderings,
            request.query_params.get("ordering"),
            default=self.default_ordering,
        )


def order_by_param(queryset, model, orderings: dict, raw: str | None, *, default: str):
    """Order by `raw` ("name,-begin": public names of `orderings`, - to reverse), or by
    `default`, or best search match first when searching. Shared by REST and GraphQL."""
    if raw == "":
        raise exceptions.ValidationError(
            {"ordering": [f"Empty: order by one of {', '.join(sorted(orderings))}."]}
        )
    if raw is None:
        if "search_rank" in queryset.query.annotations:
            return queryset  # best match first
        raw = default
    columns = []
    for term in raw.split(","):
        descending = term.startswith("-")
        name = term.removeprefix("-")
        if name not in orderings:
            raise exceptions.ValidationError(
                {
                    "ordering": [
                        f"{term!r}: order by one of "
                        f"{', '.join(sorted(orderings))} (prefix - to reverse)."
                    ]
                }
            )
        for column in orderings[name]:
            value = _sort_value(model, column)
            columns.append(
                value.desc(nulls_last=True) if descending else value.asc(nulls_last=True)
            )
    # Unknown dates last on every database (SQLite and PostgreSQL disagree otherwise).
    return queryset.order_by(*columns, "id")


def _sort_value(model, column: str):
    """Text sorts by its lowercase in code-point order, the same on every database
    (SQLite compares case-sensitively, PostgreSQL by its locale otherwise)."""
    if isinstance(model._meta.get_field(column), models.CharField | models.TextField):
        collation = "C" if connection.vendor == "postgresql" else "BINARY"
        return Collate(Lower(column), collation)
    return F(column)


def _parse_id(pk) -> int:
    return parse_positive(str(pk), "id", not_found=True)


def _refuse_parameters_except(request, allowed: set[str], repeatable: set[str] = frozenset()):
    unknown = set(request.query_params) - allowed
    if unknown:
        raise exceptions.ValidationError(
            {
                name: [f"Unknown parameter here (allowed: {', '.join(sorted(allowed))})."]
                for name in sorted(unknown)
            }
        )
    refuse_repeated(request, repeatable)


def refuse_repeated(request, repeatable: set[str]) -> None:
    """A single-valued parameter given twice is refused rather than half ignored."""
    repeated = sorted(
        name
        for name in request.query_params
        if name not in repeatable and len(request.query_params.getlist(name)) > 1
    )
    if repeated:
        raise exceptions.ValidationError(
            {name: ["Given more than once: give it once."] for name in repeated}
        )


class GeoResourceViewSet(ResourceViewSet):
    """A resource with a location: also served as GeoJSON (?format=geojson)."""

    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]


@contextlib.contextmanager
def read_snapshot():
    """A read-only transaction in which every read sees the same snapshot; yields whether
    it could open one. Every public read runs in one (`OneSnapshot`, the GraphQL view): a
    response is built by several queries (a page, then its children, citations, sources),
    and without it an edit committed between two of them would mix two states in one
    answer (a name published a moment ago under an actor withdrawn a moment ago).
    Inside a transaction already open (a test's) it cannot: that transaction's isolation
    was chosen by whoever opened it (the export then reads as of an instant instead)."""
    if connection.in_atomic_block:
        yield False
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield True
    elif connection.vendor == "sqlite":
        # The settings begin transactions IMMEDIATE (the write lock) for writers; a reader
        # begins DEFERRED and takes no lock until it reads. In WAL mode (settings) its reads
        # see the snapshot of its first read and writers do not wait for it.
        connection.ensure_connection()  # reads transaction_mode from the settings
        atomic, mode = transaction.atomic(), connection.transaction_mode
        with contextlib.ExitStack() as stack:
            connection.transaction_mode = "DEFERRED"
            try:
                atomic.__enter__()
            finally:
                connection.transaction_mode = mode
            stack.push(atomic)  # commits, or rolls back on an error or a close()
            yield True
    else:
        yield False


class ExportView(APIView):
    """The whole public dataset as JSON Lines, streamed: one object a line, each with its
    `resource`. `?resource=actors,events` picks resources; `?as_of=` reads the past."""

    resources: dict = {}  # resource name -> projection, set by sahel.api.urls

    def get(self, request):
        _refuse_parameters_except(request, {"resource", "as_of"}, repeatable={"resource"})
        as_of = parse_as_of(request)
        field = ListField(choices=[(name, name) for name in self.resources])
        try:
            names = field.clean(
                field.widget.value_from_datadict(request.query_params, {}, "resource")
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"resource": exc.messages}) from None
        names = names or list(self.resources)
        stamp = (as_of or timezone.now()).strftime("%Y%m%dT%H%M%SZ")
        response = StreamingHttpResponse(
            export.joined(self._lines(names, as_of)),
            content_type="application/x-ndjson; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="sahel-{stamp}.jsonl"'
        return response

    def _lines(self, names, as_of):
        # One snapshot: edits committed while the export streams do not show in its later
        # lines. Live rows in one read-only transaction, held until the stream ends or is
        # closed (a client that goes away closes it); failing that, as of this instant.
        with read_snapshot() as snapshot:
            if as_of is None and not snapshot:
                as_of = timezone.now()
            for name in names:
                yield from export.lines(name, self.resources[name], as_of)


class ChangesView(OneSnapshot, ConditionalGetMixin, APIView):
    """Every change to public data in commit order: `?since=<cursor>` resumes after the
    last change set seen. Each entry is one resource object created, updated (with the
    changed fields) or removed (unpublished, withdrawn, deleted: no content)."""

    resources: dict = {}  # resource name -> projection, set by sahel.api.urls

    def get(self, request):
        _refuse_parameters_except(request, {"since", "limit", "format"})
        cursor = None
        if since := request.query_params.get("since"):
            try:
                cursor = changes.decode_cursor(since)
            except ValueError as exc:
                raise exceptions.ValidationError({"since": [str(exc)]}) from None
        raw_limit = request.query_params.get("limit", "100")
        parse_positive(raw_limit, "limit", high=MAX_PAGE_SIZE)
        entries, next_cursor, exhausted = changes.feed_page(cursor, int(raw_limit), self.resources)
        encoded = changes.encode_cursor(next_cursor)
        url = reverse("changes", request=request)
        return Response(
            {
                "cursor": encoded,
                "next": None if exhausted else f"{url}?since={encoded}&limit={raw_limit}",
                "results": entries,
            }
        )


def exception_handler(exc, context):
    """DRF's handler, plus Django ValidationErrors (raised by shared parsing code) as 400s."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    return drf_exception_handler(exc, context)
