"""No page loads anything from another origin: GraphiQL, Swagger UI and ReDoc in chromium
(driven by Playwright) against a live server, with every request that leaves the server
aborted and recorded; the vendored front-end tree against its pinned manifest; the static
files collected with the production storage."""

import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.explorer.browser import browser_test

ROOT = Path(__file__).resolve().parents[2]
UPDATE_VENDOR = ROOT / "bin" / "update-vendor"
ALLOWED_LICENCES = {"MIT", "BSD-2-Clause", "ISC", "Apache-2.0 OR MIT", "OFL-1.1"}


def load_update_vendor():
    """bin/update-vendor as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("update_vendor", str(UPDATE_VENDOR))
    spec = importlib.util.spec_from_loader("update_vendor", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


# --- The vendored tree -------------------------------------------------------------------


def test_vendored_tree_is_the_manifest_byte_for_byte():
    done = subprocess.run(
        [sys.executable, str(UPDATE_VENDOR), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "as in the manifest" in done.stdout


def test_check_finds_a_changed_a_missing_and_an_extra_file(tmp_path, monkeypatch):
    update_vendor = load_update_vendor()
    copy = tmp_path / "vendor"
    shutil.copytree(update_vendor.VENDOR, copy)
    monkeypatch.setattr(update_vendor, "VENDOR", copy)
    manifest = update_vendor.load_manifest()
    assert update_vendor.check(manifest) == []

    leaflet = copy / "leaflet" / "dist" / "leaflet.js"
    leaflet.write_bytes(leaflet.read_bytes().replace(b"Leaflet", b"Leafl3t", 1))
    (copy / "react" / "LICENSE").unlink()
    (copy / "react" / "umd" / "react.development.js").write_text("// not pinned\n")
    problems = update_vendor.check(manifest)
    assert "leaflet: leaflet/dist/leaflet.js differs from the manifest's sha256" in problems
    assert "react: react/LICENSE is missing" in problems
    assert "react/umd/react.development.js is not in the manifest" in problems

    manifest["packages"]["cytoscape"]["version"] = "9.9.9"  # bumped, never fetched
    assert any("9.9.9 is not locked" in problem for problem in update_vendor.check(manifest))


def test_every_package_has_its_licence_next_to_its_files_and_a_publishable_one():
    update_vendor = load_update_vendor()
    words = {  # a phrase of each licence's own text
        "MIT": "Permission is hereby granted, free of charge",
        "BSD-2-Clause": "BSD 2-Clause License",
        "ISC": "Permission to use, copy, modify, and/or distribute this software",
        "Apache-2.0 OR MIT": "Apache License",
        "OFL-1.1": "SIL Open Font License, Version 1.1",
    }
    for name, entry in update_vendor.load_manifest()["packages"].items():
        licence = entry["license"].split(" (")[0]  # "ISC (data: Natural Earth ...)"
        assert licence in ALLOWED_LICENCES, name
        assert entry["license_files"], name
        texts = " ".join(
            (update_vendor.VENDOR / entry["dir"] / path).read_text()
            for path in entry["license_files"]
        )
        assert words[licence] in texts, name


def test_the_source_map_comment_is_cut_and_nothing_else():
    update_vendor = load_update_vendor()
    js = b'!function(){"use strict"}();\n//# sourceMappingURL=leaflet.js.map\n'
    assert (
        update_vendor.strip_source_map("dist/leaflet.js", js) == b'!function(){"use strict"}();\n'
    )
    css = b".a{color:red}\n/*# sourceMappingURL=x.min.css.map */"
    assert update_vendor.strip_source_map("x.min.css", css) == b".a{color:red}\n"
    # Only a trailing comment on its own line; other files and other text are left alone.
    inline = b'var s="\\n//# sourceMappingURL=";\nf();\n'
    assert update_vendor.strip_source_map("a.js", inline) == inline
    assert update_vendor.strip_source_map("a.json", js) == js


def test_a_patch_applies_exactly_once_or_not_at_all():
    update_vendor = load_update_vendor()
    patch = {"file": "a.js", "replace": 'src:"https://cdn"', "with": 'src:"data:,"', "why": "."}
    assert update_vendor.apply_patch(b'x({src:"https://cdn"})', patch, "a@1") == (
        b'x({src:"data:,"})'
    )
    for data in (b"x()", b'[src:"https://cdn",src:"https://cdn"]'):
        with pytest.raises(update_vendor.VendorError, match="not once"):
            update_vendor.apply_patch(data, patch, "a@1")
    # The vendored ReDoc is patched: it names no other origin to load an image from.
    redoc = (update_vendor.VENDOR / "redoc" / "bundles" / "redoc.standalone.js").read_bytes()
    assert b"cdn.redoc.ly" not in redoc


@pytest.mark.slow
def test_collectstatic_with_the_production_storage(tmp_path):
    """WhiteNoise's CompressedManifestStaticFilesStorage rewrites the references in CSS and
    JS files and refuses a file whose reference is missing (a source map that is not
    vendored, a font or image a stylesheet names)."""
    env = {
        **os.environ,
        "SAHEL_ENV": "production",
        "DATABASE_URL": "postgres://sahel@db.invalid:5432/sahel",  # never connected to
        "SECRET_KEY": "collectstatic-only",
        "ALLOWED_HOSTS": "localhost",
        "STATIC_ROOT": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    leaflet_css = (tmp_path / paths["vendor/leaflet/dist/leaflet.css"]).read_text()
    hashed_layers = Path(paths["vendor/leaflet/dist/images/layers.png"]).name
    assert f"images/{hashed_layers}" in leaflet_css
    redoc_css = (tmp_path / paths["explorer/redoc.css"]).read_text()
    assert Path(paths["vendor/fontsource-montserrat/latin-700.css"]).name in redoc_css
    for name in ("graphiql/graphiql.min.js", "vis-timeline/styles/vis-timeline-graph2d.min.css"):
        assert (tmp_path / f"{paths[f'vendor/{name}']}.gz").exists(), name


# --- The pages' HTML (no browser needed) -------------------------------------------------


@pytest.mark.parametrize(
    ("url", "inline_script"),
    [
        ("/graphql/", False),
        ("/api/v1/schema/redoc/", False),
        # drf-spectacular's Swagger page starts Swagger UI with an inline script.
        ("/api/v1/schema/swagger/", True),
    ],
)
def test_pages_name_no_other_origin(db, client, url, inline_script):
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert references
    for reference in references:
        assert reference.startswith(("/static/", "data:")), reference
    assert "googleapis" not in html
    assert bool(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)) is inline_script


# --- In the browser ----------------------------------------------------------------------


@browser_test
def test_graphiql_renders_and_runs_a_query_offline(offline, make):
    make.actor(slug="sahel-brigade", name="Sahel Brigade", status="published")
    make.actor(slug="hidden-front", name="Hidden Front")  # a draft: never shown
    tab = offline()
    tab.goto("/graphql/")
    page = tab.page
    page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")
    assert page.title() == "GraphiQL · Sahel actor database"
    # The schema was introspected: the docs explorer lists the root type's fields.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    page.locator(".graphiql-doc-explorer").get_by_text("Query", exact=True).click()
    page.locator(".graphiql-doc-explorer").get_by_text("network", exact=True).wait_for()

    # Type a query (replacing the example) and run it.
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text('{ actors(ordering: "name") { totalCount nodes { slug name } } }')
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    result = page.locator(".graphiql-response")
    result.get_by_text('"Sahel Brigade"').wait_for()
    answer = json.loads(
        page.evaluate(
            "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
        )
    )
    assert answer == {
        "data": {
            "actors": {
                "totalCount": 1,
                "nodes": [{"slug": "sahel-brigade", "name": "Sahel Brigade"}],
            }
        }
    }
    # The query is in the address, to be shared (?q=, which GraphiQL updates as it is typed).
    page.wait_for_url(re.compile(r"\?q=%7B\+actors"))
    tab.settle()
    tab.assert_offline()
    assert any("/static/vendor/graphiql/graphiql.min.js" in url for url in tab.requested)

    # A shared link opens with its query in the editor.
    shared = offline()
    shared.page.goto(page.url)
    shared.page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    editor = shared.page.evaluate(
        "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()"
    )
    assert editor == '{ actors(ordering: "name") { totalCount nodes { slug name } } }'
    shared.settle()
    shared.assert_offline()


@browser_test
def test_swagger_ui_renders_the_schema_offline(offline):
    tab = offline()
    tab.goto("/api/v1/schema/swagger/")
    page = tab.page
    page.locator(".swagger-ui .info .title", has_text="Sahel actor database").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/actors/").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    # Try it out: the request goes to this server and its answer is shown.
    operation = page.locator(".opblock", has_text="List public actor records")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
    tab.settle()
    tab.assert_offline()
    assert f"{tab.base_url}/api/v1/actors/" in tab.requested
    # No "valid" badge: it would be an image from Swagger's online validator.
    assert page.locator(".swagger-ui img[src*='validator']").count() == 0


@browser_test
def test_redoc_renders_the_schema_offline_with_its_fonts(offline):
    tab = offline()
    tab.goto("/api/v1/schema/redoc/")
    page = tab.page
    page.locator("h1", has_text="Sahel actor database").wait_for()
    page.locator("[role=menuitem], .menu-content label", has_text="actors").first.wait_for()
    tab.settle()
    tab.assert_offline()
    # ReDoc's fonts come from the app (its page asked Google Fonts for them).
    fonts = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts]
                .filter((face) => face.status === "loaded")
                .map((face) => `${face.family} ${face.weight}`);
        }"""
    )
    assert {"Montserrat 400", "Roboto 400"} <= {font.strip("'\"") for font in fonts}
    assert any("/static/vendor/fontsource-montserrat/files/" in url for url in tab.requested)


LIBRARIES_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>vendored libraries</title>
<link rel="stylesheet" href="{static}vendor/leaflet/dist/leaflet.css">
<link rel="stylesheet" href="{static}vendor/vis-timeline/styles/vis-timeline-graph2d.min.css">
<script src="{static}vendor/cytoscape/dist/cytoscape.min.js"></script>
<script src="{static}vendor/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js"></script>
<script src="{static}vendor/leaflet/dist/leaflet.js"></script>
<script src="{static}vendor/topojson-client/dist/topojson-client.min.js"></script>
</head><body>
<div id="graph" style="width: 400px; height: 300px"></div>
<div id="timeline"></div>
<div id="map" style="width: 600px; height: 400px"></div>
<script>
window.drawn = (async () => {{
  const cy = cytoscape({{
    container: document.getElementById("graph"),
    elements: [
      {{ data: {{ id: "a", label: "A" }} }},
      {{ data: {{ id: "b", label: "B" }} }},
      {{ data: {{ id: "ab", source: "a", target: "b" }} }},
    ],
    style: [{{ selector: "edge", style: {{ "line-style": "dotted", label: "leader of" }} }}],
    layout: {{ name: "cose", animate: false }},
  }});
  const items = new vis.DataSet([
    {{ id: 1, content: "a tie", start: "2012-01-01", end: "2015-12-31" }},
    {{ id: 2, content: "an event", start: "2016-03-01" }},
  ]);
  new vis.Timeline(document.getElementById("timeline"), items, {{}});
  const atlas = await (await fetch("{static}vendor/world-atlas/countries-50m.json")).json();
  const countries = topojson.feature(atlas, atlas.objects.countries);
  const map = L.map("map").setView([17, -4], 4);
  L.geoJSON(countries).addTo(map);
  L.marker([16.77, -3.01]).addTo(map);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {{
    nodes: cy.nodes().length,
    edges: cy.edges().length,
    items: document.querySelectorAll("#timeline .vis-item-content").length,
    ranges: document.querySelectorAll("#timeline .vis-item.vis-range").length,
    mali: countries.features.some((feature) => feature.properties.name === "Mali"),
    outlines: document.querySelectorAll("#map path.leaflet-interactive").length,
    markers: document.querySelectorAll("#map img.leaflet-marker-icon").length,
  }};
}})();
</script>
</body></html>
"""


@browser_test
def test_the_graph_timeline_and_map_libraries_draw_offline(offline):
    """The vendored browser builds work without a bundler or a CDN: a graph, a timeline
    with a range, and a map of the Natural Earth outlines with a marker (whose images
    Leaflet finds next to its stylesheet)."""
    from django.templatetags.static import static

    tab = offline()
    url = f"{tab.base_url}/libraries-under-test/"
    html = LIBRARIES_PAGE.format(static=static(""))
    tab.page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    tab.page.goto(url)
    drawn = tab.page.evaluate("window.drawn")
    assert drawn["nodes"] == 2
    assert drawn["edges"] == 1
    assert drawn["items"] == 2
    assert drawn["ranges"] == 1
    assert drawn["mali"] is True
    assert drawn["outlines"] > 200  # one path per country
    assert drawn["markers"] == 1
    tab.settle()
    tab.assert_offline()
    assert any(url.endswith("/images/marker-icon.png") for url in tab.requested)
