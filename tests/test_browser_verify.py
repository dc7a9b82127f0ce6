"""
A reviewer holding a printed frozen dossier opens the address of its QR code in a real browser, reads the
version's record and downloads the original PDF, then checks that copy on the verification page. Headless Chromium
(the system's) against a live server.

Screenshots of the record (1280 and 390 pixels wide) and of the verdict are written to $BROWSER_SCREENSHOTS when
it is set (else to the test's temporary folder), to be looked at.
"""

import re

import pytest
import segno

from portfolio.dossiers.freezing import freeze

pytest_plugins = ["tests.browser", "tests.dossier_fixtures"]
# live_server needs a transactional database; serialized_rollback restores what the migrations seeded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def version(live_server, settings, dossier, alice):
    """Alice's frozen version, made before the browser starts: pyHanko signs in an event loop of its own, and
    Playwright's sync API keeps one running in the test's thread."""
    # The site's public address is the live server's: the QR code and every page print it.
    settings.SITE_URL = live_server.url
    return freeze(dossier=dossier, user=alice)


def test_a_reviewer_opens_the_qr_address_and_downloads_the_original(
    live_server, version, chromium, dossier, artifacts, tmp_path
):
    address = f"{live_server.url}/verify/v/{version.public_id}/"
    qr = re.search(r'<div class="dossier-verify__qr">(<svg.*?</svg>)</div>', version.html, re.S)
    assert qr, "page 1 carries a QR code"
    # The QR code on page 1 is exactly the code of this address (segno draws the same SVG for the same text).
    expected = segno.make(address, error="m").svg_inline(
        scale=3, border=2, omitsize=True, title="QR code of the verification address"
    )
    assert qr[1] == expected

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(address)
    assert page.locator("h1").inner_text() == "Frozen dossier: version 1"
    record = page.locator("dl.record").inner_text()
    for shown in ("Alice Adams", dossier.title, version.pdf_sha256, version.sha256, "Northfield"):
        assert shown in record
    page.screenshot(path=artifacts / "verify-record-1280.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the original PDF").click()
    downloaded = tmp_path / "original.pdf"
    download_info.value.save_as(downloaded)
    assert downloaded.read_bytes() == bytes(version.pdf)

    # The reviewer checks the downloaded copy: its own SHA-256 and its signature.
    page.get_by_role("link", name="verification page").click()
    page.get_by_label("Your copy of the dossier (PDF or HTML)").set_input_files(downloaded)
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_role("status").inner_text()
    assert "Unchanged: this file is version 1" in verdict
    assert "unchanged since it was signed" in verdict
    assert f"SHA-256 of the file you uploaded: {version.pdf_sha256}" in verdict
    page.screenshot(path=artifacts / "verify-unchanged-1280.png", full_page=True)

    narrow = chromium.new_page(viewport={"width": 390, "height": 844})
    narrow.goto(address)
    assert narrow.get_by_role("link", name="Download the original PDF").is_visible()
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    narrow.screenshot(path=artifacts / "verify-record-390.png", full_page=True)
