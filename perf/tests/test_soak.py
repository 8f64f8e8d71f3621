"""The soak's judgement (perf/soak.py): what counts as a failure, in and out of faults."""

import pytest

from perf.soak import Sample, Soak, Window, check_loopback, summarize


def sample(started, status=200, *, error=None, json_error=True, retry_after=False, page=False):
    return Sample(
        "op",
        "/api/v1/actors/" if not page else "/",
        started,
        started + 0.1,
        status=status,
        error=error,
        json_error=json_error,
        retry_after=retry_after,
        page=page,
    )


def report(samples, windows):
    soak = Soak("http://127.0.0.1:1", 10, 2, [], samples=samples, windows=windows)
    return summarize(soak, 10.0)


def test_an_outage_allows_only_successes_and_503s_with_retry_after():
    outage = Window("outage", 2.0, 4.0)
    found = report(
        [
            sample(1.0),
            sample(2.5, 503, retry_after=True),  # JSON 503: right
            sample(2.6, 503, retry_after=True, json_error=False, page=True),  # a page: right
            sample(2.7, 503, retry_after=False),  # no Retry-After: wrong
            sample(3.0, 500, json_error=False),  # an HTML 500: wrong
            sample(4.5),
            sample(5.0, 500),  # after the database is back: a failure
        ],
        [outage],
    )
    assert found["outage_json_503_with_retry_after"] == 1
    assert found["outage_html_503_with_retry_after"] == 1
    assert found["outage_other_responses"] == 2
    assert found["failures_after_database_back"] == 1
    assert found["server_errors_outside_faults"] == 1
    assert found["non_json_api_errors"] == 1


def test_dropped_connections_count_only_outside_a_worker_kill():
    kill = Window("worker-kill", 5.0, 6.5)
    found = report(
        [sample(5.2, None, error="RemoteDisconnected"), sample(8.0, None, error="X")], [kill]
    )
    assert found["connection_errors_in_faults"] == 1
    assert found["connection_errors_outside_faults"] == 1


def test_a_leak_is_counted():
    leaked = sample(1.0)
    leaked.leak = True
    assert report([leaked, sample(2.0)], [])["canary_leaks"] == 1


@pytest.mark.parametrize("url", ["http://example.org:8000", "http://10.0.0.1:8000"])
def test_only_the_loopback(url):
    with pytest.raises(ValueError, match="loopback"):
        check_loopback(url)
    check_loopback("http://127.0.0.1:8000")
