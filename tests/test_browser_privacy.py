"""A faculty member checks a draft caption before posting it, in a real browser, at desktop and phone widths."""

import datetime as dt
import os
from pathlib import Path

import pytest

from portfolio.privacy.rules import caption_flags
from tests.factories import PASSWORD

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DRAFT = (
    "🚨 Yesterday's trauma: 47-year-old man riding on a scooter struck by motor vehicle, grade 4 splenic "
    "laceration, embolized in our IR suite. #IR #trauma"
)


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [1280, 390])
def test_faculty_member_checks_a_draft_and_sees_each_flag_with_its_reason(
    live_server, chromium, alice, artifacts, width
):
    base = live_server.url
    page = chromium.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="Check a caption").first.click()
    page.get_by_label("Draft caption").fill(DRAFT)
    page.get_by_label("Planned publication (optional)").fill("2026-03-15T09:00")
    page.get_by_role("button", name="Check the caption").click()

    page.wait_for_selector("#result-title")
    flags = caption_flags(DRAFT, published_at=dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC))
    assert page.inner_text("#result-title") == f"{len(flags)} things that may identify a patient"
    assert page.locator(".privacy-caption mark a").all_inner_texts() == [flag.excerpt for flag in flags]
    reasons = page.locator(".privacy-flags").inner_text()
    assert "An age together with a mechanism of injury" in reasons
    assert "dates the event to Saturday 14 March 2026, 1 day before" in reasons
    assert "Safer:" in reasons
    # The caption stays in the form, to be fixed and checked again; the page is no wider than the screen.
    assert page.get_by_label("Draft caption").input_value() == DRAFT
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"privacy-check-{width}.png"), full_page=True)
