"""
A faculty member builds a dossier in a real browser, freezes it, downloads the PDF and gives a reviewer a
link; the reviewer opens it without an account. Headless Chromium (the system's, never a downloaded one)
against a live server.

Screenshots of the dossier page and the reviewer page, and the PDF with its first page as a PNG, are
written to $BROWSER_SCREENSHOTS when it is set (else to the test's temporary folder), to be looked at.
"""

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from metrics.models import Post
from portfolio.dossiers.models import DossierVersion
from portfolio.dossiers.models import ShareAccess
from tests.factories import PASSWORD
from tests.factories import AccountMetricsFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytest_plugins = ["tests.browser"]
# live_server needs a transactional database; serialized_rollback restores what the migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCRIPT_CAPTION = "<script>window.pwned = true</script> Which sign? #FridayQuizDay"


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
def alices_posts(alice_instagram):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 1, 1), followers=7100)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 6, 1), followers=8050)
    posts = {}
    worked_example = {
        "impressions": 6154,
        "likes": 184,
        "comments": 10,
        "shares": 11,
        "saves": 36,
        "profile_visits": 42,
        "follows": 9,
    }
    for day, external_id, caption, metrics in (
        (dt.date(2025, 3, 3), "segond", "Segond fracture: the avulsion that predicts an ACL tear", worked_example),
        (
            dt.date(2025, 5, 9),
            "quiz",
            SCRIPT_CAPTION,
            {"impressions": 4560, "reach": 3900, "likes": 150, "comments": 21},
        ),
        (
            dt.date(2025, 9, 1),
            "tech",
            "Technologists: say hello below!",
            {"impressions": 4564, "likes": 480, "comments": 127},
        ),
    ):
        post = PostFactory(
            account=alice_instagram,
            external_id=external_id,
            caption=caption,
            url=f"https://www.instagram.com/p/{external_id}/",
            published_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
        )
        PostMetricsFactory(post=post, captured_on=day + dt.timedelta(days=7), **metrics)
        posts[external_id] = post
    return posts


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_faculty_member_builds_freezes_and_shares_a_dossier_that_a_reviewer_opens(
    live_server, browser, alice, alices_posts, artifacts
):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "alice")

    # Build: the review period and the day the numbers are read.
    page.goto(f"{base}/dossiers/new/")
    page.get_by_label("Title").fill("Promotion to Associate Professor, 2027")
    page.get_by_label("Review period from").fill("2025-01-01")
    page.get_by_label("Review period to").fill("2026-06-30")
    page.get_by_label("Metrics as of").fill("2026-07-01")
    page.get_by_role("button", name="Create the dossier").click()
    page.wait_for_url(re.compile(r"/dossiers/\d+/edit/$"))
    dossier_id = int(re.search(r"/dossiers/(\d+)/", page.url).group(1))
    page.get_by_label("Scholarship philosophy").fill("I teach musculoskeletal imaging to residents on four continents.")
    page.get_by_role("button", name=re.compile("Save")).first.click()

    # Highlight two posts, one of them with a caption that holds a <script> tag.
    page.goto(f"{base}/dossiers/{dossier_id}/highlights/")
    for day in ("3 Mar 2025", "9 May 2025"):
        page.get_by_role("button", name=f"Highlight the post of {day}").click()
        # The picker's script swaps the row in place (test_browser_picker.py); the list above shows it on reload.
        page.locator(f"a[data-new-highlight]:has-text('{day}')").wait_for()
    page.reload()
    assert page.locator(".highlight-row").count() == 2

    # The dossier page shows the caption as text and runs no script from it.
    page.goto(f"{base}/dossiers/{dossier_id}/")
    assert page.get_by_text(SCRIPT_CAPTION.split(" Which")[0]).first.is_visible()
    assert page.evaluate("window.pwned") is None
    page.screenshot(path=artifacts / "dossier-page.png", full_page=True)

    # Freeze, then download the version's PDF.
    page.goto(f"{base}/dossiers/{dossier_id}/versions/")
    page.get_by_role("button", name="Freeze as version 1").click()
    page.wait_for_url(re.compile(r"#version-1$"))
    version = DossierVersion.objects.get(dossier_id=dossier_id)
    assert page.get_by_text(version.sha256).first.is_visible()
    with page.expect_download() as download:
        page.locator("#version-1").get_by_role("link", name="PDF").click()
    pdf_path = artifacts / "dossier-v1.pdf"
    download.value.save_as(pdf_path)
    assert pdf_path.read_bytes() == bytes(version.pdf)

    # A reviewer link, open until the default expiry.
    page.get_by_label("Who the link is for").fill("Prof. Ana Silva, external reviewer")
    page.get_by_role("button", name="Create the link").click()
    share_url = page.get_by_label(re.compile("The link for Prof. Ana Silva, external reviewer")).input_value()
    assert share_url.startswith(f"{base}/r/")

    # The reviewer, with no account, opens the link: the frozen document and its hash.
    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent="Reviewer browser").new_page()
    reviewer.goto(share_url)
    assert reviewer.get_by_text(version.sha256).first.is_visible()
    assert reviewer.get_by_role("heading", name="Promotion to Associate Professor, 2027").is_visible()
    assert reviewer.get_by_text(SCRIPT_CAPTION.split(" Which")[0]).first.is_visible()
    assert reviewer.evaluate("window.pwned") is None
    reviewer.screenshot(path=artifacts / "reviewer-page.png", full_page=True)
    with reviewer.expect_download() as reviewer_download:
        reviewer.get_by_role("link", name="Download the PDF").click()
    assert Path(reviewer_download.value.path()).read_bytes() == bytes(version.pdf)

    accesses = ShareAccess.objects.filter(link__version=version)
    assert accesses.count() == 2
    assert set(accesses.values_list("user_agent", flat=True)) == {"Reviewer browser"}
    assert Post.objects.get(external_id="quiz").caption == SCRIPT_CAPTION

    # The first page of the PDF as an image, when poppler's pdftoppm is there to draw it.
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf_path), str(artifacts / "dossier-pdf")],
            check=True,
        )
