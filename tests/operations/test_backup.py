"""Backups (docs/operations.md) proven: a database loaded with the curated dataset is
backed up with the documented command, restored into a new database, and the API answers
the same from both — the whole export's sha256, a walk of the change feed, an `as_of`
answer. On PostgreSQL: pg_dump / pg_restore between scratch databases of the test server
(created and dropped here); on SQLite: the backup API, between files."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, env=None, **kwargs):
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result


def development(database_url: str) -> dict:
    return {**os.environ, "SAHEL_ENV": "development", "DEBUG": "0", "DATABASE_URL": database_url}


def digests(database_url: str, *others: str) -> list[dict]:
    out = run(
        sys.executable, "-m", "tests.operations.api_digest", *others, env=development(database_url)
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def assert_same_answers(original: dict, restored: dict):
    assert original["export_lines"] > 100, original
    assert original["feed_entries"] > 100, original
    assert original["as_of_count"] > 0, original  # JNIM's ties in 2018, as of then
    assert restored == original


@pytest.mark.slow
def test_a_backup_restores_to_identical_api_output(db, tmp_path):
    from django.db import connection

    if connection.vendor == "postgresql":
        postgresql_round_trip(connection.settings_dict, tmp_path)
    else:
        sqlite_round_trip(tmp_path)


def postgresql_round_trip(params, tmp_path):
    import psycopg

    user, host = params["USER"] or "postgres", params["HOST"] or "127.0.0.1"
    server = f"postgres://{user}@{host}:{params['PORT'] or 5432}"
    original, restored = (f"sahel_backup_{secrets.token_hex(4)}_{n}" for n in ("a", "b"))
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{original}"')
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        # The migrated schema, copied from the test database (faster than migrating), then
        # the curated dataset loaded as in production.
        dump_schema = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"{server}/{params['NAME']}"],
            capture_output=True,
            check=True,
            timeout=300,
        )
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", f"{server}/{original}"],
            input=dump_schema.stdout,
            capture_output=True,
            check=True,
            timeout=300,
        )
        run(sys.executable, "manage.py", "load_dataset", env=development(f"{server}/{original}"))

        # The commands of docs/operations.md.
        backup = tmp_path / "sahel.dump"
        run("pg_dump", "--format=custom", "--no-owner", f"--file={backup}", f"{server}/{original}")
        run(
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={server}/{restored}",
            str(backup),
        )

        before, after = digests(f"{server}/{original}", restored)
        assert_same_answers(before, after)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in (original, restored):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_round_trip(tmp_path):
    original, restored = tmp_path / "sahel.sqlite3", tmp_path / "restored.sqlite3"
    env = development(f"sqlite:///{original}")
    run(sys.executable, "manage.py", "migrate", "--noinput", env=env)
    run(sys.executable, "manage.py", "load_dataset", env=env)
    # The command of docs/operations.md (SQLite's online backup: consistent in WAL mode).
    backup = f"sqlite3.connect({str(original)!r}).backup(sqlite3.connect({str(restored)!r}))"
    run(sys.executable, "-c", f"import sqlite3; {backup}")
    assert sqlite3.connect(restored).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    before, after = digests(env["DATABASE_URL"], str(restored))
    assert_same_answers(before, after)
