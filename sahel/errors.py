"""Error responses: JSON on every API path, HTML pages for people.

An API client (`/api/`, `/graphql/`, `/reconcile/`, `/healthz/`: setting `SAHEL_JSON_PATHS`,
matched by path prefix) never gets an HTML page, whatever went wrong: an unknown path (404),
a method the view does not take (405), a body over the limit (413, the limit named), a
request Django refuses (400), a failure (500, masked: the details go to the log only) or the
database being unreachable (503 with `Retry-After`). REST answers `{"detail": ...}` as DRF
does, GraphQL `{"errors": [{"message": ..., "extensions": {"code": ...}}]}` as a GraphQL
client expects. Every other page (the explorer, the admin) keeps Django's HTML error pages,
and answers 503 with `Retry-After` too while the database is down.

Two pieces: the error handlers (`handler400` ... `handler500` in `sahel/urls.py`, which
Django calls for an exception any view or middleware raised) and `JsonErrorsMiddleware`,
which refuses oversize bodies before a view reads them and turns the error responses that
are not JSON (strawberry's plain-text 400 and 405, Django's debug pages) into JSON.
"""

import http
import itertools
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.views import defaults

from sahel.core.outages import is_unavailable

# The error responses rewritten as JSON: Django's and the servers' pages, strawberry's
# plain-text refusals. An API's own error body (JSON: the REST views answer errors in JSON
# whatever format was asked) is left as it is.
_REWRITTEN_TYPES = ("text/html", "text/plain", "")
# Response headers an error keeps when it is rewritten as JSON.
_KEPT_HEADERS = ("Allow", "Retry-After", "Vary", "WWW-Authenticate")


def wants_json(request) -> bool:
    return request.path.startswith(tuple(settings.SAHEL_JSON_PATHS))


def _is_graphql(request) -> bool:
    return request.path.startswith("/graphql/")


def json_error(request, status: int, message: str, code: str, **extra) -> JsonResponse:
    if _is_graphql(request):
        body = {"errors": [{"message": message, "extensions": {"code": code, **extra}}]}
    else:
        body = {"detail": message, "code": code, **extra}
    return JsonResponse(body, status=status)


def _code(status: int) -> str:
    return http.HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")


def _retry_after() -> int:
    return settings.SAHEL_RETRY_AFTER_SECONDS


def database_unavailable(request) -> HttpResponse:
    seconds = _retry_after()
    message = f"The database is unavailable; try again in {seconds} seconds."
    if wants_json(request):
        response = json_error(request, 503, message, "DATABASE_UNAVAILABLE", retry_after=seconds)
    else:
        response = HttpResponse(
            "<!doctype html><html lang=en><head><title>Service unavailable</title></head>"
            f"<body><h1>Service unavailable</h1><p>{escape(message)}</p></body></html>",
            status=503,
        )
    response["Retry-After"] = str(seconds)
    return response


def too_large(request, length: int | None) -> JsonResponse:
    limit = settings.SAHEL_MAX_BODY_BYTES
    given = "" if length is None else f"{length} bytes, "
    return json_error(
        request,
        413,
        f"The request body is too large ({given}the limit is {limit} bytes).",
        "PAYLOAD_TOO_LARGE",
        limit_bytes=limit,
    )


# The error handlers (sahel/urls.py). Django calls them with the exception being handled.


def bad_request(request, exception, template_name="400.html"):
    if isinstance(exception, RequestDataTooBig) and wants_json(request):
        return too_large(request, None)
    if wants_json(request):
        return json_error(request, 400, "Bad request.", "BAD_REQUEST")
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    if wants_json(request):
        return json_error(request, 403, "Permission denied.", "FORBIDDEN")
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    if wants_json(request):
        return json_error(request, 404, f"Not found: {request.path}", "NOT_FOUND")
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    """A failure, masked; a 503 with `Retry-After` when it was the database being down.
    Django has logged the exception already (`django.request`)."""
    exception = sys.exc_info()[1]
    if exception is not None and is_unavailable(exception):
        return database_unavailable(request)
    if wants_json(request):
        return json_error(request, 500, "Internal server error.", "INTERNAL_SERVER_ERROR")
    return defaults.server_error(request, template_name)


def _message(response, status: int) -> str:
    """The text a plain-text error carried (strawberry's "Unable to parse request body as
    JSON"), else the status's phrase; never an HTML page's content."""
    if response.get("Content-Type", "").startswith("text/plain"):
        text = response.content.decode("utf-8", "replace").strip()
        if text and len(text) <= 300:
            return text
    if status == 405 and response.has_header("Allow"):
        return f"Method not allowed; allowed: {response['Allow']}."
    return f"{http.HTTPStatus(status).phrase}."


class JsonErrorsMiddleware:
    """On API paths: refuse an oversize body (413) before anything reads it, and give
    every error response that is not JSON as JSON. Sits near the top of MIDDLEWARE (below
    CORS, so an error is readable by a browser app on another origin)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not wants_json(request):
            return self.get_response(request)
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return json_error(
                request, 400, f"Content-Length {raw!r} is not a number.", "BAD_REQUEST"
            )
        if length > settings.SAHEL_MAX_BODY_BYTES:
            return too_large(request, length)
        return self.as_json(request, self.get_response(request))

    def as_json(self, request, response):
        status = response.status_code
        if response.streaming:
            return self.primed(response)
        if status < 400:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type not in _REWRITTEN_TYPES and response.content:
            return response  # the view's own error body
        if status == 500:  # Django's debug page (DEBUG=True): masked as in production
            converted = json_error(request, 500, "Internal server error.", "INTERNAL_SERVER_ERROR")
        else:
            converted = json_error(request, status, _message(response, status), _code(status))
        for header in _KEPT_HEADERS:
            if response.has_header(header):
                converted[header] = response[header]
        return converted

    def primed(self, response):
        """A stream (the export) whose first part is made here, so that a failure at its
        start (the database down when its snapshot opens) is answered by the error
        handlers like any other view's, instead of by the server's HTML 500 page."""
        chunks = iter(response.streaming_content)
        try:
            first = next(chunks)  # a failure here propagates to the handlers (the
            # generator that raised is finished: its snapshot is closed already)
        except StopIteration:
            response.streaming_content = iter(())
            return response
        response.streaming_content = itertools.chain([first], chunks)
        return response
