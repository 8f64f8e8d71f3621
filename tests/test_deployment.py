"""Production configuration: what docker-compose runs, run here (Docker itself does not run
on CI): the same settings, the same entrypoint, the same server and health check."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SAHEL_ENV": "production",
    "DATABASE_URL": "postgres://sahel@db.invalid:5432/sahel",  # never connected to
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "sahel.example.org,127.0.0.1",
}


def run_manage(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_migrations_are_up_to_date(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.slow
def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_required_settings(missing):
    env = {**PRODUCTION_ENV, missing: ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set when SAHEL_ENV=production" in result.stderr


def test_compose_runs_the_entrypoint_with_production_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["environment"]["SAHEL_ENV"] == "production"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["healthcheck"]["test"] == ["CMD", "python", "bin/healthcheck"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["bin/docker-entrypoint"]' in dockerfile
    entrypoint = (ROOT / "bin" / "docker-entrypoint").read_text()
    assert "gunicorn --config gunicorn.conf.py sahel.wsgi:application" in entrypoint


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test looks at redirects itself


_opener = urllib.request.build_opener(_NoRedirect)


def get(url: str, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def scratch_database_url(tmp_path_factory, django_db_setup, django_db_blocker):
    """A database of its own for a server process: on PostgreSQL (as docker-compose runs it)
    a new database on the test server, dropped afterwards; else a scratch SQLite file."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('scratch') / 'prod.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"sahel_served_{secrets.token_hex(4)}"
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def served(tmp_path_factory, scratch_database_url):
    """bin/docker-entrypoint exactly as the container runs it (migrate, load the dataset,
    gunicorn), on a database of its own; yields (base URL, environment, log file)."""
    tmp_path = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": scratch_database_url,
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    log_path = tmp_path / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        ["bin/docker-entrypoint"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, log_path.read_text()
            try:
                status, _, body = get(f"{base}/healthz/")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        assert json.loads(body) == {"status": "ok"}
        yield base, env, log_path
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.mark.slow
@pytest.mark.one_backend
def test_entrypoint_serves_under_gunicorn_with_production_settings(served):
    """The container's own health check, the production protections, the dataset."""
    base, env, log_path = served
    health = subprocess.run([sys.executable, "bin/healthcheck"], cwd=ROOT, env=env, timeout=30)
    assert health.returncode == 0

    # Production protections are on: plain HTTP is redirected to HTTPS ...
    status, headers, _ = get(f"{base}/admin/login/")
    assert status == 301
    assert headers["Location"].startswith("https://")
    # ... and behind the TLS proxy the admin and its static files are served.
    status, headers, page = get(f"{base}/admin/login/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    css = next(
        part.split('"')[0]
        for part in page.decode().split('href="')[1:]
        if part.split('"')[0].endswith(".css")
    )
    assert get(f"{base}{css}", {"X-Forwarded-Proto": "https"})[0] == 200
    # An unknown host is refused, not served.
    assert get(f"{base}/healthz/", {"Host": "evil.example"})[0] == 400
    # The dataset was loaded by the entrypoint.
    assert "Dataset loaded" in log_path.read_text()


@pytest.mark.slow
@pytest.mark.one_backend
def test_graphql_over_http_with_a_third_party_client(served):
    """The real server process, queried over HTTP by `gql` (a GraphQL client that knows
    nothing of this project), introspection included."""
    from gql import Client, gql
    from gql.transport.requests import RequestsHTTPTransport

    base, _, _ = served
    transport = RequestsHTTPTransport(
        url=f"{base}/graphql/",
        headers={"X-Forwarded-Proto": "https"},  # as behind the TLS proxy
        timeout=30,
        retries=0,
    )
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        # fetch_schema_from_transport introspected the schema; gql validates queries on it.
        assert session.client.schema.query_type.fields.keys() >= {
            "actor",
            "actors",
            "affiliations",
            "events",
            "search",
            "network",
            "changes",
        }
        search = gql(
            """query($text: String!) {
              search(text: $text, first: 1) { totalCount nodes { slug
                affiliationsAsSubject { type { label } object { slug }
                  citations { quote source { title } } } } } }"""
        )
        search.variable_values = {"text": "Abou al-Hammam"}
        answer = session.execute(search)
        actor = answer["search"]["nodes"][0]
        assert actor["slug"] == "yahya-abu-al-hammam"
        assert any(t["citations"] for t in actor["affiliationsAsSubject"])
        network = session.execute(
            gql('{ network(actor: "jnim", depth: 2) { nodes { slug } edges { id } } }')
        )["network"]
        assert "yahya-abu-al-hammam" in {node["slug"] for node in network["nodes"]}
        # A query the schema does not allow is refused by the client itself ...
        from graphql import GraphQLError

        with pytest.raises(GraphQLError):
            session.execute(gql("{ actors { secretField } }"))
    # ... and by the server, without suggestions in production.
    raw = RequestsHTTPTransport(url=f"{base}/graphql/", headers={"X-Forwarded-Proto": "https"})
    raw.connect()
    try:
        refused = raw.execute(gql("{ actors { totalCont } }"))
    finally:
        raw.close()
    assert refused.data is None
    assert "totalCont" in refused.errors[0]["message"]
    assert "Did you mean" not in refused.errors[0]["message"]


def test_postgresql_sessions_run_without_jit_and_with_room_to_hash(db):
    """JIT recompiles the selectors' large queries on every request; below 64MB of
    work_mem their `IN (subquery)` visibility checks are not hashed (docs/benchmarks.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "64MB"


def slow_stream(environ, start_response):
    """A WSGI app that streams for 3 s, a line every 0.25 s (a long export, in small)."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    for number in range(12):
        time.sleep(0.25)
        yield f"line {number}\n".encode()


@pytest.mark.slow
@pytest.mark.one_backend
def test_a_stream_longer_than_the_worker_timeout_is_not_cut_off(tmp_path):
    """The container's gunicorn settings (gunicorn.conf.py) with a 1 s worker timeout
    serve a 3 s stream whole: the export of a large dataset streams for minutes, and a
    worker that falls silent while it streams (sync) is killed mid-file."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_TIMEOUT": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "tests.test_deployment:slow_stream",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                body = response.read().decode()
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert body.splitlines() == [f"line {number}" for number in range(12)], log_path.read_text()


@pytest.fixture(scope="module")
def generated_client(served, tmp_path_factory):
    """A Python client generated by openapi-python-client (which knows nothing of this
    project) from the schema the server serves, with the configuration the README gives;
    imported as `sahel_client`."""
    import importlib

    base, _, _ = served
    status, _, body = get(f"{base}/api/v1/schema/?format=json", {"X-Forwarded-Proto": "https"})
    assert status == 200
    tmp_path = tmp_path_factory.mktemp("generated")
    (tmp_path / "schema.json").write_bytes(body)
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(ROOT / "docs" / "openapi-python-client.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "sahel_client"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator warns about what it cannot represent (and then leaves it out).
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("sahel_client")
        client = package.Client(
            base_url=base,
            headers={"X-Forwarded-Proto": "https"},  # as behind the TLS proxy
            raise_on_unexpected_status=True,
            timeout=30,
        )
        yield package, client
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.partition(".")[0] == "sahel_client"]:
            del sys.modules[name]


@pytest.mark.slow
@pytest.mark.one_backend
def test_a_generated_client_reads_the_api_through_named_models(generated_client):
    """List, get, search, history, feed and export of the curated dataset through the
    generated client: one class per shape, the same in every answer."""
    import importlib

    _, client = generated_client
    models = importlib.import_module("sahel_client.models")

    def api(name):
        resource = name.partition("_")[0]
        return importlib.import_module(f"sahel_client.api.{resource}.{name}")

    # Named models, not inline classes per operation (397 of those before components).
    assert len(models.__all__) < 150
    assert not [name for name in models.__all__ if "Response200" in name]

    page = api("actors_list").sync(client=client, search="Abou al-Hammam", page_size=3)
    assert isinstance(page, models.ActorPage)
    found = page.results[0]
    assert found.slug == "yahya-abu-al-hammam"
    people = api("actors_list").sync(client=client, kind=[models.ActorsListKindItem.PERSON])
    assert people.count >= 1
    assert {actor.kind for actor in people.results} == {models.ActorKind.PERSON}

    jnim = api("actors_retrieve").sync("jnim", client=client)
    assert type(jnim) is type(found) is models.Actor
    assert isinstance(jnim.begin, models.FuzzyDate)
    assert jnim.begin.edtf == "2017"
    assert {type(name) for name in jnim.names} == {models.Name}
    assert isinstance(jnim.names[0].citations[0], models.Citation)
    assert isinstance(jnim.names[0].citations[0].source, models.SourceSummary)
    assert isinstance(jnim.area, models.PlaceSummary)

    history = api("actors_history_retrieve").sync("jnim", client=client)
    assert isinstance(history, models.ActorHistory)
    first = history.revisions[0]
    assert isinstance(first, models.ActorHistoryEntry)
    assert first.action == models.ActorHistoryEntryAction.CREATED
    assert type(first.data) is models.Actor
    assert first.data.slug == "jnim"

    ties = api("affiliations_list").sync(client=client, actor="jnim", valid_at="2018")
    assert isinstance(ties.results[0], models.Affiliation)
    assert {type(tie.subject) for tie in ties.results} == {models.ActorSummary}
    events = api("events_list").sync(client=client, actor="jnim")
    participants = [p for event in events.results for p in event.participants]
    assert {type(p) for p in participants} == {models.Participation}
    assert {type(p.actor) for p in participants} == {models.ActorSummary}

    # A refused parameter is the named Error model, saying what was wrong.
    refused = api("actors_list").sync(client=client, valid_at="2018-13")
    assert isinstance(refused, models.Error)
    assert "valid_at" in refused.additional_properties

    feed = api("changes_retrieve").sync(client=client, limit=2)
    assert isinstance(feed, models.ChangeFeedPage)
    change_models = {
        "actors": models.ActorChange,
        "affiliations": models.AffiliationChange,
        "events": models.EventChange,
        "places": models.PlaceChange,
        "sources": models.SourceChange,
    }
    assert feed.results
    for entry in feed.results:
        assert type(entry) is change_models[entry.resource.value]

    # The export, read as text: each line an ExportLine, the list's model with its resource.
    text = api("export_retrieve").sync(
        client=client, resource=[models.ExportRetrieveResourceItem.ACTORS]
    )
    *lines, end = [json.loads(line) for line in text.splitlines()]
    assert {line["resource"] for line in lines} == {"actors"}
    closing = models.ExportEnd.from_dict(end)  # the closing line: its own model
    assert (closing.resource.value, closing.records) == ("end", len(lines))
    exported = {line["slug"]: models.ActorLine.from_dict(line) for line in lines}
    assert exported["jnim"].names[0].name == jnim.names[0].name
    as_actor = models.Actor.from_dict(
        {k: v for k, v in exported["jnim"].to_dict().items() if k != "resource"}
    )
    assert as_actor == jnim
