"""The Content-Security-Policy (settings, CONTENT_SECURITY_POLICY) is sent with every page
and breaks none of them: chromium reports no violation on the admin (logging in, a change
form with its autocompletes and inlines), GraphiQL (running a query), Swagger UI, ReDoc and
the explorer's pages, and does report one when an inline script without the nonce is
injected (the check can fail)."""

from tests.explorer.browser import browser_test

# Every violation the page meets, kept on the window (read after each navigation).
LISTEN = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__violations = window.__violations || []).push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});"""


def visit(tab, path):
    response = tab.page.goto(f"{tab.base_url}{path}")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, (path, policy)
    assert "unsafe-eval" not in policy
    return response


def violations(tab) -> list:
    return tab.page.evaluate("window.__violations || []")


@browser_test
def test_no_page_violates_the_content_security_policy(offline, make, django_user_model):
    jnim = make.actor(slug="sahel-brigade", name="Sahel Brigade", status="published")
    other = make.actor(slug="old-front", name="Old Front", status="published")
    make.affiliation(jnim, other, status="published", start="2015")
    django_user_model.objects.create_superuser("chief", password="pw-chief-1")
    tab = offline()
    tab.context.add_init_script(LISTEN)
    page = tab.page
    seen = {}

    # The admin: its login form (a real login, through the throttle), then a change form.
    visit(tab, "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "pw-chief-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    seen["admin index"] = violations(tab)
    visit(tab, "/admin/actors/actor/add/")
    page.locator("#id_area + .select2").click()  # an autocomplete (select2, jQuery)
    page.locator(".select2-container--open .select2-search__field").wait_for()
    page.keyboard.press("Escape")
    page.locator("#names-group .add-row a").click()  # an inline row added by script
    seen["admin change form"] = violations(tab)

    visit(tab, "/graphql/")
    page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text("{ actors { totalCount } }")
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    page.locator(".graphiql-response").get_by_text('"totalCount"').wait_for()
    seen["GraphiQL"] = violations(tab)

    visit(tab, "/api/v1/schema/swagger/")
    page.locator(".swagger-ui .info .title", has_text="Sahel actor database").wait_for()
    seen["Swagger UI"] = violations(tab)

    visit(tab, "/api/v1/schema/redoc/")
    page.locator("h1", has_text="Sahel actor database").wait_for()
    tab.settle()
    seen["ReDoc"] = violations(tab)

    visit(tab, "/")
    page.locator("form[role=search], input[type=search]").first.wait_for()
    seen["explorer home"] = violations(tab)
    visit(tab, "/actors/sahel-brigade/")
    tab.settle()
    seen["explorer actor"] = violations(tab)

    assert all(found == [] for found in seen.values()), seen
    tab.assert_offline()  # console errors included: chromium logs each refusal there too

    # The check can fail: an inline script without the nonce is refused and reported.
    ran = page.evaluate(
        """() => { const script = document.createElement("script");
        script.textContent = "window.__ran = true"; document.body.append(script);
        return window.__ran === true; }"""
    )
    assert ran is False
    page.wait_for_function("(window.__violations || []).length > 0")
    assert violations(tab)[0].startswith("script-src")
