"""
A faculty member attaches a screenshot of a highlighted post in a real browser, sees the image check's flag,
is refused the freeze until she resolves it, and the frozen PDF shows the screenshot beside the post.

Screenshots of the highlights tab (1280 and 390 px wide) and the PDF's highlight page are written to
$BROWSER_SCREENSHOTS when it is set (else to the test's temporary folder), to be looked at.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portfolio.dossiers.models import DossierVersion
from portfolio.privacy.images import MISSING_TESSERACT
from portfolio.privacy.images import tesseract_available
from tests.factories import DossierFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.images import picture_bytes
from tests.test_browser_dossier import sign_in

pytest_plugins = ["tests.browser"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not tesseract_available(), reason=MISSING_TESSERACT),
]


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def alices_dossier(alice, alice_instagram, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    post = PostFactory(
        account=alice_instagram,
        external_id="segond",
        caption="Segond fracture: the avulsion that predicts an ACL tear #MSKMonday",
        url="https://www.instagram.com/p/segond/",
        published_at=dt.datetime(2025, 3, 3, 15, tzinfo=dt.UTC),
    )
    PostMetricsFactory(post=post, captured_on=dt.date(2025, 3, 10), impressions=6154, likes=184, comments=10)
    dossier = DossierFactory(
        faculty=alice.faculty,
        title="Promotion to Associate Professor, 2027",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 6, 30),
        as_of=dt.date(2026, 7, 1),
    )
    dossier.accounts.add(alice_instagram)
    HighlightFactory(dossier=dossier, post=post, position=1)
    return dossier


def test_a_screenshot_with_a_burned_in_mrn_is_flagged_and_blocks_freezing_until_resolved(
    live_server, chromium, alices_dossier, artifacts, tmp_path
):
    base = live_server.url
    flagged = tmp_path / "pacs-screenshot.png"
    flagged.write_bytes(picture_bytes(size=(480, 360), lines=("SMITH^JOHN", "MRN: 00482913", "DOB: 03/14/1961")))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, "alice")

    page.goto(f"{base}/dossiers/{alices_dossier.pk}/highlights/")
    page.get_by_label("Screenshot of the post as it appeared").set_input_files(str(flagged))
    page.get_by_label("Public link to the post").fill(
        "https://web.archive.org/web/2025/https://www.instagram.com/p/segond/"
    )
    page.get_by_role("button", name="Save the evidence of this post").click()
    page.wait_for_load_state()

    assert page.get_by_text("Image check: this screenshot may identify a patient").is_visible()
    assert page.get_by_text(re.compile("MRN: 00482913")).first.is_visible()
    page.screenshot(path=artifacts / "evidence-highlights-1280.png", full_page=True)
    narrow = chromium.new_context(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
    phone = narrow.new_page()
    phone.goto(f"{base}/dossiers/{alices_dossier.pk}/highlights/")
    phone.screenshot(path=artifacts / "evidence-highlights-390.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Freezing is refused while the flag stands.
    page.goto(f"{base}/dossiers/{alices_dossier.pk}/versions/")
    assert page.get_by_text("Before you can freeze: screenshots").is_visible()
    page.get_by_role("button", name="Freeze as version 1").click()
    assert page.get_by_role(
        "heading", name="Not frozen: a highlighted post's screenshot may identify a patient"
    ).is_visible()
    assert not DossierVersion.objects.exists()

    # She checks it and acknowledges the flags; the freeze goes through.
    page.goto(f"{base}/dossiers/{alices_dossier.pk}/highlights/")
    page.get_by_role("button", name="I checked: acknowledge the screenshot's flags").click()
    page.wait_for_load_state()
    assert page.get_by_text(re.compile("Screenshot flags acknowledged by Alice Adams")).is_visible()
    page.goto(f"{base}/dossiers/{alices_dossier.pk}/versions/")
    page.get_by_role("button", name="Freeze as version 1").click()
    page.wait_for_url(re.compile(r"#version-1$"))
    version = DossierVersion.objects.get()
    kept = version.evidence.get()
    assert page.get_by_text(kept.image_sha256).is_visible()
    page.screenshot(path=artifacts / "evidence-versions-1280.png", full_page=True)

    # The version's document shows the screenshot beside the post.
    page.goto(f"{base}/dossiers/{alices_dossier.pk}/versions/1/")
    thumbnail = page.get_by_role("img", name=re.compile("Screenshot of the post as it appeared"))
    assert thumbnail.is_visible()
    assert thumbnail.evaluate("image => image.naturalWidth") > 0
    page.locator(".dossier-highlight").first.screenshot(path=artifacts / "evidence-document-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".dossier-highlight").first.screenshot(path=artifacts / "evidence-document-390.png")
    pdf_path = artifacts / "evidence-v1.pdf"
    pdf_path.write_bytes(bytes(version.pdf))
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(pdf_path), str(artifacts / "evidence-pdf")],
            check=True,
        )
