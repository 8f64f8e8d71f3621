"""perf/throughput.py's measuring, against a real HTTP server on the loopback (gunicorn
itself is started by `benchmark --throughput`; the deployment tests boot it)."""

import http.server
import threading
import urllib.request

import pytest

from perf import throughput


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b'{"data": {"ok": true}}'
    served = 0

    def do_GET(self):
        type(self).served += 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    handler = type("Handler", (_Handler,), {"served": 0})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, handler
    httpd.shutdown()
    httpd.server_close()


def test_every_request_is_sent_and_counted(server):
    httpd, handler = server
    request = urllib.request.Request(f"http://127.0.0.1:{httpd.server_port}/")
    result = throughput._measure("probe", request, concurrency=3, count=25)
    assert result.requests == 25
    assert handler.served == 25 + 3 * 2  # and the warm-up
    assert result.bytes == len(handler.body)
    assert result.per_second > 0
    table = throughput.table([result], 3)
    assert "| probe | 25 |" in table


def test_a_graphql_error_fails_the_measure(server):
    httpd, handler = server
    handler.body = (
        b'{"data": {"actors": {"nodes": []}}, "errors": [{"message": "Internal error."}]}'
    )
    request = urllib.request.Request(f"http://127.0.0.1:{httpd.server_port}/")
    with pytest.raises(RuntimeError, match="Internal error"):
        throughput._measure("probe", request, concurrency=2, count=5)
