import json

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from sahel.graphql.schema import schema
from sahel.read.snapshot import OneSnapshot

_DJANGO_JSON = DjangoJSONEncoder()
# Non-string keys as json.dumps writes them; dates and times through Django's encoder, as
# strawberry's own `encode_json` does (Django trims datetimes to milliseconds, "Z" for UTC).
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class SahelGraphQLView(OneSnapshot, GraphQLView):
    """strawberry's view; every query is answered from one snapshot (read-only: the
    schema has no mutations)."""

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
