"""Faults under traffic: the soak (perf/soak.py), short, against gunicorn with production
settings on a PostgreSQL cluster of its own (initdb in a temporary directory), restarted
mid-traffic; then a worker killed. Skipped only where PostgreSQL's binaries are missing."""

import json

import pytest

from perf import soak
from perf.cluster import Cluster, ClusterUnavailable


@pytest.fixture
def source_url(db):
    """The test database as committed (migrated, no claims: the editor writes its own),
    copied into the throwaway cluster: faster than migrating anew. Without PostgreSQL as
    the test database, the throwaway cluster is migrated instead."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    params = connection.settings_dict
    return (
        f"postgres://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )


@pytest.mark.slow
@pytest.mark.one_backend
def test_a_database_restart_and_a_worker_kill_under_traffic(source_url):
    try:
        Cluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server binaries: {exc}")
    report = soak.soak(
        duration=8,
        concurrency=4,
        throwaway=True,
        source_url=source_url,
        load=False,
        restart_db_at=2.0,
        down=2.0,
        kill_worker_at=6.0,
        editor_interval=0.25,
        pages=False,
        log=lambda message: None,
    )
    log = report.pop("server_log_tail")
    summary = json.dumps(report, indent=1)
    assert report["requests"] > 50, summary
    # While the database was down: JSON 503s with Retry-After (or answers already under
    # way), nothing else, and no HTML page.
    assert report["outage_json_503_with_retry_after"] > 0, summary
    assert report["outage_other_responses"] == 0, summary
    assert report["non_json_api_errors"] == 0, summary
    # Once it was back, not one failure: the broken connections were health-checked away.
    assert report["failures_after_database_back"] == 0, summary + log
    assert report["server_errors_outside_faults"] == 0, summary + log
    assert report["client_errors_outside_faults"] == 0, summary
    assert report["connection_errors_outside_faults"] == 0, summary
    assert report["canary_leaks"] == 0, summary
    # The editor's ticks interrupted by the outage were rolled back whole, and it went on.
    editor = report["editor"]
    assert editor["consistent"], summary
    assert editor["errors"] > 0, summary
    assert editor["ticks_after_errors"] > 0, summary
    assert editor["last_committed"] > 0, summary
    # The arbiter replaced the killed worker (counted over the whole log, not its tail).
    assert report["workers_booted"] > report["setup"]["workers"], summary + log
