"""
The browser tests' Chromium: the system's (Debian's `chromium` package, which `make install` installs),
never one downloaded by a test tool. Tests that use `chromium` are marked `browser` by their module.

Modules register it with `pytest_plugins = ["tests.browser"]`. Browser tests run against pytest-django's
`live_server`, so their database is transactional and emptied after each test: mark them
`django_db(transaction=True, serialized_rollback=True)`, which also restores what the migrations seeded
(platforms, the default scoring profile, benchmarks) before each one, so test order does not matter.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps trying to reach Google's services, which a closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def watch_for_policy_violations(browser, violations: list[str]) -> None:
    """Every page the test opens, through `new_page` or a context's, reports the Content-Security-Policy
    violations Chromium writes to its console ("Refused to ... because it violates the following Content Security
    Policy directive") into `violations`."""

    def watch(page):
        page.on("console", lambda message: _keep_violation(message.text, page.url, violations))
        return page

    new_page, new_context = browser.new_page, browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", watch)
        return context

    browser.new_page = lambda *args, **kwargs: watch(new_page(*args, **kwargs))
    browser.new_context = watched_context


def _keep_violation(text: str, url: str, violations: list[str]) -> None:
    if "Content Security Policy" in text:
        violations.append(f"{url}: {text}")


@pytest.fixture
def chromium(monkeypatch):
    """A headless Chromium browser (Playwright's `Browser`), closed after the test, which then fails if any page
    reported a Content-Security-Policy violation."""
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: install it with `apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        violations = []
        watch_for_policy_violations(browser, violations)
        yield browser
        browser.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def artifacts(tmp_path) -> Path:
    """Where a browser test writes its screenshots to be looked at: $BROWSER_SCREENSHOTS, else its temporary folder."""
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
