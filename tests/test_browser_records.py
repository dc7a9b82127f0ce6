"""
A faculty member keeps her posts in a real browser: from the home page she opens her posts, sorts them by
engagement rate, corrects a caption and finds the change in the post's history. Headless Chromium (the
system's) against a live server; the posts list and the post page are screenshot at 1280 and 390 px wide, into
$BROWSER_SCREENSHOTS when it is set (else the test's temporary folder), to be looked at.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytest_plugins = ["tests.browser"]
# live_server needs a transactional database; serialized_rollback restores what the migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def alices_posts(alice_instagram):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 1, 1), followers=7100)
    for day, caption, impressions, likes in (
        (dt.date(2025, 3, 3), "Segond fracture: the avulsion that predicts an ACL tear", 6154, 292),
        (dt.date(2025, 5, 9), "A 47-year-old after a fall: which sign? #FridayQuizDay", 4560, 607),
        (dt.date(2025, 9, 1), "Technologists: say hello below!", 4564, 120),
    ):
        post = PostFactory(
            account=alice_instagram,
            external_id=caption[:6],
            caption=caption,
            published_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
        )
        PostMetricsFactory(post=post, captured_on=day + dt.timedelta(days=7), impressions=impressions, likes=likes)


def test_faculty_member_sorts_her_posts_and_corrects_a_caption(live_server, chromium, alice, alices_posts, artifacts):
    base = live_server.url
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="Open your posts").click()
    page.get_by_role("link", name=re.compile(r"^Rate by impressions\W+sort largest")).click()
    page.wait_for_url("**sort=-rate_impressions**")
    first_row = page.locator("table.records-posts tbody tr").first
    assert "47-year-old" in first_row.inner_text()  # 607 / 4,560 = 13.3%, the highest
    assert "13.3%" in first_row.inner_text()
    page.screenshot(path=artifacts / "records-posts-1280.png", full_page=True)

    first_row.get_by_role("link").first.click()
    assert page.get_by_text("Privacy check: this caption may identify a patient").is_visible()
    page.get_by_role("link", name="Edit caption, link, type and category").click()
    page.get_by_label("Caption", exact=True).fill("A patient after a fall: which sign? #FridayQuizDay")
    page.get_by_role("button", name="Save the post").click()
    page.wait_for_url("**/records/posts/*/")
    history = page.locator("section[aria-labelledby=history-title]")
    assert "by alice, entered by hand" in history.inner_text()
    assert "A patient after a fall" in history.inner_text()
    assert "A 47-year-old after a fall" in history.inner_text()
    page.screenshot(path=artifacts / "records-post-1280.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 900})
    for name, url in (("records-post-390.png", page.url), ("records-posts-390.png", f"{base}/records/")):
        page.goto(url)
        # Nothing wider than the screen: no sideways scrolling of the whole page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=artifacts / name, full_page=True)
