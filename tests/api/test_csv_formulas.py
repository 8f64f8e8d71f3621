"""CSV cells a spreadsheet would run as formulas get a leading quote; JSON is unchanged."""

import csv
import io

import pytest

from actors.models import Actor

pytestmark = pytest.mark.django_db


def test_csv_cells_cannot_run_as_formulas(api, make):
    make.actor(
        slug="formulas",
        name='=HYPERLINK("http://example.org","x")',
        description="@SUM(A1:A9)",
        status="published",
    )
    make.source(slug="formula-source", title="+1+2", publisher="-3")
    make.source(slug="cr-source", title="\rcarriage", publisher="\ttabbed")
    make.source(slug="fine-source", title="a=b, fine")
    actors = _csv(api, "/api/v1/actors/")
    actor = next(row for row in actors if row["slug"] == "formulas")
    assert actor["name"] == '\'=HYPERLINK("http://example.org","x")'
    assert actor["description"] == "'@SUM(A1:A9)"
    sources = {row["slug"]: row for row in _csv(api, "/api/v1/sources/")}
    assert sources["formula-source"]["title"] == "'+1+2"
    assert sources["formula-source"]["publisher"] == "'-3"
    assert sources["cr-source"]["title"] == "'\rcarriage"
    assert sources["cr-source"]["publisher"] == "'\ttabbed"
    assert sources["fine-source"]["title"] == "a=b, fine"  # only the first character counts
    # JSON keeps the data as it is.
    detail = api.get(f"/api/v1/actors/{Actor.objects.get(slug='formulas').pk}/").json()
    assert detail["description"] == "@SUM(A1:A9)"


def _csv(api, url):
    response = api.get(url, {"format": "csv", "page_size": 1000})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))
