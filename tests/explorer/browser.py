"""What the browser tests share: chromium's launch arguments, the marks of a browser test,
and `OfflinePage`, a page that can reach only the live server (the `offline` fixture of
conftest.py opens them)."""

import os
import re
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
# Not localhost: Swagger UI asks its online validator for a badge unless the page is served
# from localhost or 127.0.0.1, so the pages are opened under this name (mapped to the live
# server's address) to see what a deployed site would load.
HOST = "sahel.test"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
]

BROWSER_MARKS = [
    pytest.mark.slow,
    pytest.mark.one_backend,
    # serialized_rollback: what the migrations wrote (the editors' groups) is back for the
    # tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # bin/test skips it on a machine without chromium; CI (.ci/run) installs it and
    # requires it.
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and os.environ.get("SAHEL_BROWSER_TESTS") != "required",
        reason=f"{CHROMIUM} is not installed (apt-get install chromium)",
    ),
]


def browser_test(test):
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class OfflinePage:
    """A page that reaches only the live server: any request to another origin (HTTP or a
    WebSocket) is aborted and recorded, and so are console errors, uncaught exceptions and
    the server's own error responses."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.origin = origin(base_url)
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        self.requested: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(20_000)
        self.context.route("**/*", self._route)
        self.context.route_web_socket(re.compile(".*"), self._web_socket)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("response", self._response)

    def _route(self, route):
        url = route.request.url
        if origin(url) == self.origin:
            self.requested.append(url)
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort("blockedbyclient")

    def _web_socket(self, socket):
        # No page here opens one; one to any origin would be a surprise worth failing on.
        self.elsewhere.append(socket.url)
        socket.close()

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location})")

    def _response(self, response):
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def goto(self, path: str):
        self.page.goto(f"{self.base_url}{path}")

    def settle(self):
        """Wait until nothing is loading any more, so that a late request (a font, the
        validator badge) has been attempted before the test looks."""
        self.page.wait_for_load_state("networkidle")

    def assert_offline(self):
        assert self.elsewhere == [], f"requests left the server: {self.elsewhere}"
        assert self.errors == [], self.errors
