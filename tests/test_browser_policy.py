"""
The Content-Security-Policy in a real browser: the API's documentation page runs (its set-up script carries the
response's nonce) and loads everything from this site, offline; a script slipped into a page is refused, and the
browser fixture (tests/browser.py) turns such a refusal into a failed test.
"""

import pytest

from tests.browser import CHROMIUM
from tests.browser import CHROMIUM_ARGS
from tests.browser import watch_for_policy_violations
from tests.factories import PASSWORD

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_api_docs_page_renders_offline_within_the_policy(chromium, live_server):
    page = chromium.new_page()
    outside = []
    page.on(
        "request", lambda request: outside.append(request.url) if not request.url.startswith(live_server.url) else None
    )

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)

    assert "SoMe Portfolio API" in page.inner_text(".swagger-ui .info .title")
    assert [url for url in outside if not url.startswith("data:")] == []


def test_an_inline_script_slipped_into_a_page_is_refused_and_reported(chromium, live_server):
    # A second browser of our own, so that the refusal this test provokes is counted here, not by the fixture.
    reported = []
    browser = chromium.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    watch_for_policy_violations(browser, reported)
    page = browser.new_page()
    page.goto(f"{live_server.url}/methods/")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = true';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.ran === undefined")
    assert any("Content Security Policy" in text for text in reported)
    browser.close()


def test_the_admin_pages_run_within_the_policy(chromium, live_server, root, alice):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    for path in [
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{alice.pk}/change/",
        "/admin/accounts/faculty/",
        f"/admin/accounts/faculty/{alice.faculty.pk}/change/",
        "/admin/accounts/membership/add/",
        "/admin/accounts/platform/add/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert response.status == 200, path
    # The fixture fails the test if any of these pages reported a Content-Security-Policy violation.
