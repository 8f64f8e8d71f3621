import json
import re

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from sahel.graphql.schema import schema
from sahel.read.snapshot import OneSnapshot

_DJANGO_JSON = DjangoJSONEncoder()
# Non-string keys as json.dumps writes them; dates and times through Django's encoder, as
# strawberry's own `encode_json` does (Django trims datetimes to milliseconds, "Z" for UTC).
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NotText(ValueError):
    """The request holds a lone surrogate (JSON's "\\ud800"): no text, nothing a name,
    slug or date could be; the database cannot even be asked about it."""


def _check_text(value) -> None:
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            raise NotText(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


class SahelGraphQLView(OneSnapshot, GraphQLView):
    """strawberry's view; every query is answered from one snapshot (read-only: the
    schema has no mutations)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except NotText:
            error = {
                "message": "The request holds a lone surrogate (\\ud800 ...): it is not "
                "Unicode text. Send names and other values as text (UTF-8).",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
            return JsonResponse({"errors": [error]}, status=400)
        database_error = getattr(request, "sahel_database_error", None)
        if database_error is not None:
            # The database went away under a resolver (`limits.DatabaseUnavailable`): no
            # partial answer with a masked error, but the project's 503 (sahel/errors.py).
            raise database_error
        return response

    def decode_json(self, data: str | bytes) -> object:
        decoded = json.loads(data)
        _check_text(decoded)
        return decoded

    def encode_json(self, data: object) -> bytes:
        """strawberry's encoding (json.dumps with DjangoJSONEncoder), through orjson: the
        same document, a few times faster for the large responses of nested queries.
        orjson refuses what is not valid UTF-8, such as a lone surrogate a client sent
        (`"\\ud800"`) and an error message repeats: that document goes through json.dumps,
        which escapes it, as before."""
        try:
            return orjson.dumps(data, default=_DJANGO_JSON.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return json.dumps(data, cls=DjangoJSONEncoder).encode()


# Read-only: no mutations, no cookies needed; API clients POST without a CSRF token.
graphql_view = csrf_exempt(SahelGraphQLView.as_view(schema=schema, graphql_ide="graphiql"))
