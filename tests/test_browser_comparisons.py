"""
A reviewer in a real browser (headless Chromium, driven by Playwright) against a live server: chooses a
department and a platform, sorts the table, downloads the CSV and opens the best time to post. Screenshots of
each step are saved under the test's temporary folder (run with --basetemp to keep them somewhere known).

Chromium comes from the system (Debian's `chromium` package), never from `playwright install`.
"""

import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest

from tests.comparison_data import PERIOD
from tests.comparison_data import add_post
from tests.comparison_data import peers
from tests.comparison_data import personal_account
from tests.factories import PASSWORD

WEDNESDAY = dt.datetime(2024, 3, 6, 20, 0, tzinfo=dt.UTC)  # 15:00 in New York

pytest_plugins = ["tests.browser"]
# live_server needs a transactional database; serialized_rollback restores what the migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def radiology_accounts(northfield_radiology, northfield_nucmed):
    """
    Eight Instagram accounts and one on X in Northfield radiology (nuclear medicine has one too); each
    Instagram account posts on Mondays, and one of them once on a Wednesday afternoon.
    """
    accounts = peers(northfield_radiology, 8, prefix="rad")
    add_post(accounts[0], published_at=WEDNESDAY, snapshot={"impressions": 1000, "likes": 5})
    personal_account(northfield_radiology, handle="rad_on_x", key="twitter", rates=(0.09,))
    personal_account(northfield_nucmed, handle="nuc_only", rates=(0.02,))
    return accounts


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def shown_handles(page) -> list[str]:
    return [text.strip().split()[0] for text in page.locator("#compare-caption + thead + tbody th").all_inner_texts()]


def test_reviewer_filters_sorts_exports_and_sees_the_heatmap(
    browser_page, live_server, bob, northfield_radiology, radiology_accounts, tmp_path
):
    page = browser_page
    sign_in(page, live_server, "bob")

    page.get_by_role("link", name="Compare accounts").click()
    page.get_by_label("Departments").select_option(str(northfield_radiology.pk))
    page.get_by_label("Platform").select_option("instagram")
    for field, value in PERIOD.items():
        page.locator(f"#id_{field}").fill(value)
    page.get_by_role("button", name="Compare").click()
    page.screenshot(path=tmp_path / "1-filtered.png", full_page=True)

    handles = shown_handles(page)
    assert sorted(handles) == [f"@rad_{n}" for n in range(8)]  # the X account and nuclear medicine are left out
    assert handles[0] == "@rad_7"  # highest mean rate by impressions first

    page.get_by_role("link", name="Followers").first.click()
    page.screenshot(path=tmp_path / "2-sorted.png", full_page=True)
    assert "sort=-followers" in page.url
    assert page.locator('th[aria-sort="descending"]').first.inner_text().startswith("Followers")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert download.value.suggested_filename == "comparison-2024-01-01-2024-12-31-as-of-2024-12-31.csv"
    assert [row["handle"] for row in rows] == [handle.lstrip("@") for handle in shown_handles(page)]
    assert {row["platform"] for row in rows} == {"Instagram"}

    page.get_by_role("link", name="Best time to post").click()
    page.screenshot(path=tmp_path / "3-heatmap.png", full_page=True)
    heatmap = page.locator("table.heatmap")
    assert heatmap.is_visible()
    # Eight posts on Mondays at 9:00 in New York (before daylight time): a cell with a rate and its n.
    monday = heatmap.locator("tbody tr").first
    assert "n=8" in monday.inner_text()
    wednesday = heatmap.locator("tbody tr").nth(2).locator("td").nth(15)
    assert wednesday.inner_text().split() == ["not", "enough", "data,", "n=1"]
    assert os.path.getsize(tmp_path / "3-heatmap.png") > 10_000
