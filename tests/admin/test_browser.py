"""The editors' workflow end to end, in a real browser (Debian's chromium driven by
Playwright) against a live server: an editor creates an actor with a name, a tie and a
citation; a reviewer publishes it; the REST API shows it; the editor changes it with a
reason; the history shows the diff; a revert brings back the old value and its citation;
two editors at once: the second save is refused and keeps its input. On the way, in a
1,366 px window: a misquote is answered with the source's nearest passage, the change form
fits without horizontal scrolling, and the review queue lists the new draft.

Takes the README's screenshots, docs/admin-*.png (rewritten when missing or with
SAHEL_UPDATE_SCREENSHOT=1)."""

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from actors.models import Actor
from sahel.core import services
from sources.models import Citation, Source
from tests.admin.conftest import staff_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(settings.BASE_DIR) / "docs"
SCREENSHOT = DOCS / "admin-workflow.png"
WINDOW = {"width": 1366, "height": 768}  # the laptop screen editors use
SOURCE_TEXT = (
    "The Sahel Brigade was founded in 2016 by Abu Example.\n"
    "In 2019 the Sahel Brigade pledged allegiance to the Old Front."
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.one_backend,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # bin/test skips it on a machine without chromium; CI (.ci/run) installs it and
    # requires it.
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and os.environ.get("SAHEL_BROWSER_TESTS") != "required",
        reason=f"{CHROMIUM} is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture
def browser(live_server, monkeypatch):
    from playwright import sync_api

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are synchronous all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server's request threads must not keep connections open past the test
    # (PostgreSQL would refuse to drop the test database).
    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 0)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # The test's ORM calls ran in Playwright's context, on a connection of their own.
        connections.close_all()


def log_in(browser, base_url, username):
    context = browser.new_context(viewport=WINDOW)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def autocomplete(page, select_id, text, choice):
    """Pick `choice` in a select2 autocomplete widget by typing `text`."""
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=choice).first.click()


def saved(page):
    """Wait for the page after a save; fail with the form's errors if it was refused."""
    page.wait_for_selector(".messagelist .success, .errornote, .messagelist .error")
    if page.locator(".messagelist .success").count() == 0:
        errors = page.locator(".errornote, .errorlist, .messagelist .error").all_inner_texts()
        pytest.fail(f"not saved: {errors}")


def add_inline_row(page, prefix):
    page.locator(f"#{prefix}-group .add-row a").click()


def overflowing(page) -> list[str]:
    """Visible elements of the page's content that reach past the window's right edge, and
    whether the page scrolls sideways."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const found = [];
          if (document.documentElement.scrollWidth > width) found.push("the page scrolls sideways");
          for (const el of document.querySelectorAll("#content-main *")) {
            const box = el.getBoundingClientRect();
            if (box.width && box.height && box.right > width + 1) {
              found.push(`${el.tagName}#${el.id || el.className}: ${Math.round(box.right)}px`);
            }
          }
          return found.slice(0, 10);
        }"""
    )


def take(page, path: Path, tmp_path: Path, **options) -> Path:
    """A README screenshot, rewritten when missing or asked for (SAHEL_UPDATE_SCREENSHOT=1
    bin/test tests/admin), so that test runs leave the working tree clean."""
    target = (
        path
        if not path.exists() or os.environ.get("SAHEL_UPDATE_SCREENSHOT") == "1"
        else tmp_path / path.name
    )
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target), **options)
    return target


def test_the_editors_workflow_in_a_browser(browser, live_server, tmp_path):
    started = time.monotonic()
    editor = staff_user("editor", "editor")
    reviewer = staff_user("reviewer", "reviewer")
    for user, password in ((editor, "pw-editor-1"), (reviewer, "pw-reviewer-1")):
        user.set_password(password)
        user.save()
    services.create(
        Source,
        user=None,
        reason="seed",
        slug="brigade-report",
        title="Brigade report",
        kind="report",
        text=SOURCE_TEXT,
    )
    old_front = services.create(
        Actor,
        user=None,
        reason="seed",
        slug="old-front",
        name="Old Front",
        kind="organization",
        status="published",
    )
    from affiliations.models import AffiliationType

    services.create(
        AffiliationType,
        user=None,
        reason="seed",
        slug="member-of",
        label="member of",
        inverse_label="has member",
    )
    base = live_server.url

    # 1. The editor creates an actor with a name, a tie and a citation.
    page = log_in(browser, base, "editor")
    page.goto(f"{base}/admin/actors/actor/add/")
    page.locator("#id_name").press_sequentially("Sahel Brigade")
    assert page.input_value("#id_slug") == "sahel-brigade"  # prepopulated from the name
    page.select_option("#id_kind", "organization")
    page.fill("#id_description", "Founded in 2016.")
    page.fill("#id_begin", "2016")
    add_inline_row(page, "names")
    page.fill("#id_names-0-name", "Katibat al-Sahil")
    page.select_option("#id_names-0-kind", "translation")
    add_inline_row(page, "affiliations_as_subject")
    page.fill("#id_affiliations_as_subject-0-slug", "sahel-brigade--member-of--old-front")
    autocomplete(page, "id_affiliations_as_subject-0-type", "member", "member of")
    autocomplete(page, "id_affiliations_as_subject-0-object", "old fr", "Old Front")
    page.fill("#id_affiliations_as_subject-0-start", "2019")
    citations = "sources-citation-content_type-object_id"
    add_inline_row(page, citations)
    autocomplete(page, f"id_{citations}-0-source", "brigade", "Brigade report")
    # A misquote first: refused, with the source's nearest passage to copy.
    page.fill(f"#id_{citations}-0-quote", "The Sahel Brigade was set up in 2016")
    page.fill(f"#id_{citations}-0-locator", "para. 1")
    page.fill("#id_change_reason", "New group, from the brigade report")
    assert overflowing(page) == []  # the add form, rows included, fits the window
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    errors = page.locator(f"#{citations}-group .errorlist").inner_text()
    assert "not verbatim" in errors
    assert "Nearest in the source: “The Sahel Brigade was founded in 2016”" in errors
    page.fill(f"#id_{citations}-0-quote", "The Sahel Brigade was founded in 2016")
    page.click("input[name=_continue]")
    saved(page)
    # The change form, with its names, tie and citation, fits a 1,366 px window.
    assert overflowing(page) == []
    take(page, DOCS / "admin-change-form.png", tmp_path, full_page=True)
    actor = Actor.objects.get(slug="sahel-brigade")
    assert actor.status == "draft"
    assert actor.names.get().name == "Katibat al-Sahil"
    assert actor.affiliations_as_subject.get().object == old_front
    assert Citation.objects.filter(object_id=actor.pk).count() == 1

    # 2. The review queue lists the new draft (with who and why); a reviewer publishes
    # it, with the draft name and tie on its page.
    review = log_in(browser, base, "reviewer")
    review.goto(f"{base}/admin/review/")
    queue = review.locator("#review-rows").inner_text()
    assert "Sahel Brigade" in queue
    assert "Katibat al-Sahil (a name of Sahel Brigade)" in queue
    assert "New group, from the brigade report" in queue
    assert (
        review.locator("#review-sections [data-section=drafts]").get_attribute("data-count") == "3"
    )
    assert overflowing(review) == []
    take(review, DOCS / "admin-review.png", tmp_path, full_page=True)
    review.goto(f"{base}/admin/actors/actor/?status__exact=draft")
    review.locator("#result_list a", has_text="Sahel Brigade").click()
    review.fill("#id_change_reason", "Checked against the report")
    review.click("input[name=_publish]")
    saved(review)
    actor.refresh_from_db()
    assert actor.status == "published"

    # 3. The REST API shows it, with its citation.
    response = page.request.get(f"{base}/api/v1/actors/{actor.pk}/")
    assert response.status == 200
    body = json.loads(response.text())
    assert body["name"] == "Sahel Brigade"
    assert "Katibat al-Sahil" in [n["name"] for n in body["names"]]
    ties = page.request.get(f"{base}/api/v1/affiliations/?actor=sahel-brigade")
    assert json.loads(ties.text())["count"] == 1
    assert body["citations"][0]["quote"] == "The Sahel Brigade was founded in 2016"

    # 4. The editor changes it with a reason (and drops the citation).
    page.goto(f"{base}/admin/actors/actor/{actor.pk}/change/")
    page.fill("#id_description", "Founded in 2016; joined the Old Front in 2019.")
    page.check(f"#id_{citations}-0-DELETE")
    page.fill("#id_change_reason", "Add the 2019 pledge")
    page.click("input[name=_continue]")
    saved(page)
    assert not Citation.objects.filter(object_id=actor.pk).exists()

    # 5. The history shows who, when, why and the diff.
    page.goto(f"{base}/admin/actors/actor/{actor.pk}/history/")
    history = page.locator("#change-history")
    assert "Add the 2019 pledge" in history.inner_text()
    assert re.search(
        r"Description:\s*Founded in 2016\.\s*→\s*Founded in 2016; joined", history.inner_text()
    )
    assert "Deleted" in page.locator("#citation-history").inner_text()
    assert "Katibat al-Sahil" in page.locator("#names-history").inner_text()
    screenshot = take(page, SCREENSHOT, tmp_path, full_page=True)

    # 6. A revert to the first revision brings back the old value with its citation.
    page.locator(
        "#change-history tbody tr:last-child td:first-child a"
    ).click()  # the oldest revision
    page.wait_for_selector("#revert-form")
    assert (
        "The Sahel Brigade was founded in 2016" in page.locator("#revision-citations").inner_text()
    )
    page.fill("#id_change_reason", "The pledge is not sourced yet")
    page.click("input[name=_revert]")
    saved(page)
    actor.refresh_from_db()
    assert actor.description == "Founded in 2016."
    assert actor.status == "published"
    assert Citation.objects.get(object_id=actor.pk).quote == "The Sahel Brigade was founded in 2016"
    assert page.locator(f"#id_{citations}-0-quote").input_value() == (
        "The Sahel Brigade was founded in 2016"
    )

    # 7. Two editors at once: the second save is refused and keeps its input.
    url = f"{base}/admin/actors/actor/{actor.pk}/change/"
    page.goto(url)
    review.goto(url)
    review.fill("#id_description", "The reviewer's wording.")
    review.fill("#id_change_reason", "Reword")
    review.click("input[name=_continue]")
    saved(review)
    page.fill("#id_description", "The editor's own careful wording.")
    page.fill("#id_change_reason", "My wording")
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote")
    assert "changed by someone else" in page.content()
    assert "Founded in 2016. → The reviewer's wording." in page.content()
    assert page.input_value("#id_description") == "The editor's own careful wording."
    assert page.input_value("#id_change_reason") == "My wording"
    actor.refresh_from_db()
    assert actor.description == "The reviewer's wording."

    assert time.monotonic() - started < 60
    assert os.path.getsize(screenshot) > 10_000
