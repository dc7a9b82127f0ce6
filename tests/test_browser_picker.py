"""
The highlight picker and reviewer links in a real browser: a faculty member sorts the picker by rate, adds the two
best posts with the keyboard alone (focus lands on each new highlight, the page does not reload), freezes the
dossier, creates a reviewer link and copies it. Headless Chromium against a live server; any Content-Security-
Policy violation fails the test (`tests/browser.py`).

Screenshots of the picker and of the versions and links page, at 1280 and 390 pixels wide, are written to
$BROWSER_SCREENSHOTS when it is set (else to the test's temporary folder), to be looked at.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from portfolio.dossiers.models import Dossier
from tests.factories import PASSWORD
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Caption start -> (day, impressions, likes): rates by impressions of 2%, 12%, 8% and 5%.
POSTS = {
    "Weekly anatomy quiz": (dt.date(2025, 2, 3), 5000, 100),
    "Segond fracture": (dt.date(2025, 3, 3), 2500, 300),
    "Board review thread": (dt.date(2025, 4, 7), 4000, 320),
    "Residents asked": (dt.date(2025, 5, 5), 2000, 100),
}


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def alices_posts(alice_instagram):
    posts = {}
    for caption, (day, impressions, likes) in POSTS.items():
        post = PostFactory(
            account=alice_instagram,
            caption=f"{caption} #MSKMonday",
            published_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
        )
        PostMetricsFactory(post=post, captured_on=day + dt.timedelta(days=7), impressions=impressions, likes=likes)
        posts[caption] = post
    return posts


def focused(page) -> str:
    """The focused element's text (a button's or a link's name as read)."""
    return page.evaluate("document.activeElement.textContent.replace(/\\s+/g, ' ').trim()")


def test_faculty_member_picks_the_best_posts_by_keyboard_freezes_and_copies_a_reviewer_link(
    live_server, chromium, alice, alices_posts, artifacts
):
    base = live_server.url
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # A new dossier.
    page.goto(f"{base}/dossiers/new/")
    page.get_by_label("Title").fill("Promotion to Associate Professor, 2027")
    page.get_by_label("Review period from").fill("2025-01-01")
    page.get_by_label("Review period to").fill("2025-12-31")
    page.get_by_label("Metrics as of").fill("2026-01-15")
    page.get_by_role("button", name="Create the dossier").click()
    page.wait_for_url(re.compile(r"/dossiers/\d+/edit/$"))
    dossier = Dossier.objects.get()
    highlights = f"{base}/dossiers/{dossier.pk}/highlights/"

    # Sort by date, then by rate: the best rate first.
    page.goto(highlights)
    page.get_by_role("link", name="Published", exact=True).click()
    page.wait_for_url(re.compile(r"sort=-published"))
    page.get_by_role("link", name="Rate", exact=True).click()
    page.wait_for_url(re.compile(r"/highlights/\?#candidates$"))  # best rate first is the default: no parameter
    assert page.locator("th[aria-sort='descending']").inner_text() == "Rate"
    rates = page.locator("#candidate-rows td[data-label='Rate']").all_inner_texts()
    assert rates == ["12.0%", "8.0%", "5.0%", "2.0%"]
    page.screenshot(path=artifacts / "picker-1280.png", full_page=True)

    # The keyboard alone, from the top of the page: the first "Highlight" button in three Tab presses.
    page.goto(page.url.split("#")[0])
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to main content"
    page.keyboard.press("Tab")
    assert focused(page) == "Skip to the posts to highlight"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page) == "Highlight the post of 3 Mar 2025 on Instagram"
    url_before = page.url
    page.keyboard.press("Enter")
    # No reload: the row is swapped in place and focus lands on the new highlight.
    # (Locators, not wait_for_function: the page's policy allows no evaluated strings.)
    page.locator("a[data-new-highlight]").wait_for()
    assert focused(page) == "Highlighted: the post of 3 Mar 2025: say why"
    assert page.url == url_before
    page.keyboard.press("Tab")
    assert focused(page) == "Highlight the post of 7 Apr 2025 on Instagram"
    page.keyboard.press("Enter")
    page.locator("a[data-new-highlight]").nth(1).wait_for()
    assert focused(page) == "Highlighted: the post of 7 Apr 2025: say why"
    assert [highlight.post for highlight in dossier.highlight_rows.order_by("position")] == [
        alices_posts["Segond fracture"],
        alices_posts["Board review thread"],
    ]
    assert page.get_by_role("status").filter(has_text="Post highlighted").count() == 1

    # Freeze, create a reviewer link and copy it.
    page.goto(f"{base}/dossiers/{dossier.pk}/versions/")
    page.get_by_role("button", name="Freeze as version 1").click()
    page.wait_for_url(re.compile(r"#version-1$"))
    page.get_by_label("Who the link is for").fill("Prof. Ana Silva, external reviewer")
    page.get_by_role("button", name="Create the link").click()
    page.wait_for_url(re.compile(r"#link-\d+-address$"))
    address = page.locator("textarea.share-url").input_value()
    assert re.fullmatch(rf"{re.escape(base)}/r/[\w-]{{43}}/", address)
    page.get_by_role("button", name="Copy the link").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    page.screenshot(path=artifacts / "versions-1280.png", full_page=True)

    # The same pages at a phone's width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "versions-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{highlights}?sort=-rate")
    page.screenshot(path=artifacts / "picker-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
