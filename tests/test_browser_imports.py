"""
A faculty member imports a real-looking Instagram export in a real browser: from the home page to the
upload form, the preview with the rows as they will be stored, the confirmation and the history. Headless
Chromium (the system's) against a live server, at 1280 and at 390 px wide.

Screenshots of the preview and the history are written to $BROWSER_SCREENSHOTS when it is set (else to the
test's temporary folder), to be looked at.
"""

import re
from pathlib import Path

import pytest

from metrics.models import ImportBatch
from metrics.models import Post
from tests.factories import SocialAccountFactory
from tests.factories import platform
from tests.test_browser_dossier import sign_in

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Instagram's content export for September 2026, named as Meta names it; its rows name the account "alicerad".
EXPORT = Path(__file__).parent / "data" / "exports" / "Sep-01-2026_Sep-30-2026_1234567890123456.csv"


@pytest.fixture
def alicerad(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return SocialAccountFactory(platform=platform("instagram"), handle="alicerad", faculty=alice.faculty)


@pytest.mark.parametrize("width", [1280, 390])
def test_faculty_member_imports_an_export_from_the_home_page(live_server, chromium, alicerad, artifacts, width):
    base = live_server.url
    page = chromium.new_page(viewport={"width": width, "height": 900})
    sign_in(page, base, "alice")

    page.get_by_role("link", name="Import an export file").click()
    page.wait_for_url(f"{base}/imports/")
    page.get_by_label("Account").select_option(label="@alicerad on Instagram (Alice Adams)")
    page.get_by_label("Export file").set_input_files(EXPORT)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))

    # The preview: nothing written yet, the rows as they will be stored.
    assert page.get_by_role("heading", name=re.compile("The first 3 rows, as they will be stored")).is_visible()
    sample = page.locator("table.sample-rows tbody tr")
    assert sample.count() == 3
    assert "18182686576415017" in sample.first.inner_text()
    assert "carousel" in sample.first.inner_text()
    assert "likes 184" in sample.first.inner_text()
    assert not Post.objects.exists()
    page.screenshot(path=artifacts / f"import-preview-{width}.png", full_page=True)

    page.get_by_role("button", name="Import these rows").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert page.get_by_text("Imported.").is_visible()
    assert Post.objects.filter(account=alicerad).count() == 3

    page.get_by_role("link", name="Import another file").click()
    history = page.locator("#history-caption")
    assert history.inner_text().startswith("2 imports")
    assert page.get_by_role("link", name=EXPORT.name).count() == 2  # the preview and the import keep the file
    assert ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).count() == 1
    page.screenshot(path=artifacts / f"import-history-{width}.png", full_page=True)
    # At 390 px the page itself does not scroll sideways; the history table scrolls in its own region.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
