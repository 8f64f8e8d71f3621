"""The public, read-only REST API: one generic viewset that every resource configures.

A request reads `selectors.public(Model, as_of=...)`, narrows it with the resource's
FilterSet, orders it, takes a page and projects it. Every bad parameter is a 400 (or 404)
whose JSON body names the parameter.
"""

import datetime
import re

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from sahel.core import selectors
from sahel.read import changes, export, ftm, popolo, tables
from sahel.read.filters import ListField, no_such
from sahel.read.ordering import order_by_param
from sahel.read.params import parse_instant
from sahel.read.resources import Resource, projections
from sahel.read.search import SEARCH_COLUMNS, search_match
from sahel.read.snapshot import OneSnapshot
from sahel.rest.conditional import ConditionalGetMixin
from sahel.rest.renderers import CSVRenderer, GeoJSONRenderer
from sahel.rest.schema import ProjectionSchema

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


class JsonErrors:
    """Errors are JSON whatever format was asked (`?format=csv`, `geojson`): a client gets
    the parameter and what was wrong with it, as on every API path."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class ResourceViewSet(JsonErrors, OneSnapshot, ConditionalGetMixin, viewsets.ViewSet):
    """A resource (`sahel.read.resources.Resource`: projection, FilterSet, orderings) as a
    list, a detail and a history; also as GeoJSON when it has a location."""

    resource: Resource | None = None
    lookup_value_regex = "[^/]+"
    renderer_classes = [JSONRenderer, CSVRenderer]
    schema = ProjectionSchema()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.resource is not None and cls.resource.geo:
            cls.renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]

    @property
    def model(self):
        return self.resource.model

    @property
    def projection(self):
        return self.resource.projection

    @property
    def detail_projection(self):
        return self.resource.detail_projection

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
        filterset = self.resource.filterset(request.query_params, queryset=queryset, as_of=as_of)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        queryset = self._order(filterset.qs, request)
        paginator = Pagination()
        searching = SEARCH_COLUMNS[0] in queryset.query.annotations
        columns = [*self.projection.columns(), *(SEARCH_COLUMNS if searching else ())]
        rows = list(paginator.paginate_queryset(queryset.values(*columns), request, view=self))
        items = self.projection.build_rows(rows, as_of=as_of)
        if searching:
            for item, row in zip(items, rows, strict=True):
                item["match"] = search_match(row)
        return paginator.get_paginated_response(items)

    def retrieve(self, request, pk=None):
        # One object, by id or slug (`/actors/12/`, `/actors/jnim/`). (A docstring here would
        # replace the resource's own description in the OpenAPI schema.)
        _refuse_parameters_except(request, {"as_of", "format"})
        as_of = parse_as_of(request)
        projection = self.resource.detail
        rows = projection.object_rows(self._object_id(pk, as_of), as_of=as_of)
        if not rows:
            raise self._not_found(pk, as_of)
        return Response(projection.build_rows(rows, as_of=as_of)[0])

    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer])
    def history(self, request, pk=None):
        """Public revisions: each change set that changed what the public sees of this
        object, with its time, reason and the changed fields (old -> new). Citations,
        names and participants are part of the object and appear in its changes."""
        _refuse_parameters_except(request, {"format"})
        object_id = self._object_id(pk)
        if not selectors.public(self.model).filter(id=object_id).exists():
            raise self._not_found(pk)
        revisions = changes.object_history(self.projection, object_id)
        return Response({"id": object_id, "revisions": revisions})

    def _object_id(self, raw: str, as_of=None) -> int:
        """The id named by the path: an id as it is (its row is read next), a slug looked up
        among the public objects at `as_of` (hidden, absent or not yet created: 404 alike)."""
        if _DIGITS.fullmatch(raw):
            return int(raw)
        found = selectors.public(self.model, as_of=as_of).filter(slug=raw)
        pk = found.values_list("id", flat=True).first()
        if pk is None:
            raise self._not_found(raw, as_of)
        return pk

    def _not_found(self, raw: str, as_of=None) -> exceptions.NotFound:
        return exceptions.NotFound({"id": [no_such(self.model, [raw], as_of=as_of)]})

    def _refuse_unknown_parameters(self, request):
        filters = self.resource.filterset.base_filters
        known = COMMON_PARAMETERS | set(filters)
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
            for name, spec in filters.items()
            if isinstance(spec.field_class, type) and issubclass(spec.field_class, ListField)
        }
        refuse_repeated(request, repeatable)

    def _order(self, queryset, request):
        return order_by_param(
            queryset,
            self.model,
            self.resource.orderings,
            request.query_params.get("ordering"),
            default=self.resource.default_ordering,
        )


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


EXPORT_FORMATS = ("jsonl", "ftm", "popolo", "csv")


class ExportView(JsonErrors, APIView):
    """The whole public dataset, in one snapshot. `?format=jsonl` (the default): JSON Lines,
    streamed, one object a line, each with its `resource`, then a closing line
    `{"resource": "end", "records": N, "as_of": T}`. `?format=ftm`: FollowTheMoney entities
    as JSON Lines. `?format=popolo`: one Popolo JSON document. `?format=csv&table=T`: one
    flat table (scalar columns, joined by id: actors, actor_names, citations ...).
    `?resource=actors,events` picks resources (JSON Lines and FtM); `?as_of=` reads the
    past."""

    def perform_content_negotiation(self, request, force=False):
        # `format` names the export's format, not a renderer; errors are JSON.
        return JSONRenderer(), JSONRenderer.media_type

    def get(self, request):
        _refuse_parameters_except(
            request, {"resource", "as_of", "format", "table"}, repeatable={"resource"}
        )
        kind = request.query_params.get("format", "jsonl")
        if kind not in EXPORT_FORMATS:
            raise exceptions.ValidationError(
                {"format": [f"{kind!r}: choose one of {', '.join(EXPORT_FORMATS)}."]}
            )
        if kind in {"popolo", "csv"} and "resource" in request.query_params:
            raise exceptions.ValidationError(
                {"resource": [f"Not with format={kind}: it holds every resource."]}
            )
        if kind != "csv" and "table" in request.query_params:
            raise exceptions.ValidationError({"table": ["Only with format=csv."]})
        as_of = parse_as_of(request)
        resources = projections()
        field = ListField(choices=[(name, name) for name in resources])
        try:
            names = field.clean(
                field.widget.value_from_datadict(request.query_params, {}, "resource")
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"resource": exc.messages}) from None
        chosen = {name: resources[name] for name in names or resources}
        stamp = (as_of or timezone.now()).strftime("%Y%m%dT%H%M%SZ")
        if kind == "popolo":
            body = orjson.dumps(popolo.document(resources, as_of), option=orjson.OPT_UTC_Z)
            return _attachment(HttpResponse(body, content_type="application/json"), stamp, kind)
        if kind == "csv":
            table = request.query_params.get("table")
            known = tables.layout(resources)[1]
            if table not in known:
                given = "Required with format=csv" if table is None else repr(table)
                raise exceptions.ValidationError(
                    {"table": [f"{given}: choose one of {', '.join(known)}."]}
                )
            response = StreamingHttpResponse(
                export.joined(tables.table_csv(resources, table, as_of)),
                content_type="text/csv; charset=utf-8",
            )
            return _attachment(response, stamp, f"{table}.csv")
        lines = export.document(chosen, as_of) if kind == "jsonl" else ftm.lines(chosen, as_of)
        response = StreamingHttpResponse(
            export.joined(lines), content_type="application/x-ndjson; charset=utf-8"
        )
        return _attachment(response, stamp, "jsonl" if kind == "jsonl" else "ftm.json")


def _attachment(response, stamp: str, suffix: str):
    suffix = {"popolo": "popolo.json"}.get(suffix, suffix)
    response["Content-Disposition"] = f'attachment; filename="sahel-{stamp}.{suffix}"'
    return response


class ChangesView(JsonErrors, OneSnapshot, ConditionalGetMixin, APIView):
    """Every change to public data in commit order: `?since=<cursor>` resumes after the
    last change set seen. Each entry is one resource object created, updated (with the
    changed fields) or removed (unpublished, withdrawn, deleted: no content)."""

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
        entries, next_cursor, exhausted = changes.feed_page(cursor, int(raw_limit), projections())
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
