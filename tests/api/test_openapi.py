"""The OpenAPI schema describes what the endpoints answer, errors included."""

import pytest

pytestmark = pytest.mark.django_db


def test_history_errors_are_in_the_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    histories = [path for path in schema["paths"] if path.endswith("/history/")]
    assert len(histories) == 5
    for path in histories:
        assert {"400", "404"} <= set(schema["paths"][path]["get"]["responses"]), path
    assert api.get("/api/v1/actors/1/history/", {"page": "1"}).status_code == 400
