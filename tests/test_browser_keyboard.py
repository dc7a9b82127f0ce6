"""
Journeys made with the keyboard alone, in headless Chromium: each control is reached with Tab in a few presses,
worked with Enter or Space, and focus lands where the next step is.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Platform
from metrics.models import ImportBatch
from portfolio.dossiers.models import DossierVersion
from tests.accessibility import DESKTOP
from tests.accessibility import tab_to
from tests.factories import PASSWORD
from tests.factories import SocialAccountFactory

pytest_plugins = ["tests.browser", "tests.dossier_fixtures"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in_with_the_keyboard(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    page.focus("#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert reverse("login") not in page.url, page.inner_text("main")


def test_a_faculty_member_freezes_a_dossier_with_the_keyboard(chromium, live_server, alice, dossier):
    page = chromium.new_page(viewport=DESKTOP)
    sign_in_with_the_keyboard(page, live_server, "alice")
    page.goto(f"{live_server.url}{reverse('dossiers:versions', args=[dossier.pk])}")

    presses = tab_to(page, "Freeze as version 1")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert presses <= 25
    assert DossierVersion.objects.filter(dossier=dossier, number=1).exists()
    assert "Version 1" in page.inner_text("main")


EXPORT = Path(__file__).parent / "data" / "exports" / "account_analytics_content_2026-06-01_2026-07-15.csv"


def test_a_faculty_member_imports_an_export_with_the_keyboard(chromium, live_server, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = SocialAccountFactory(
        platform=Platform.objects.get(key="twitter"), handle="alicerad", faculty=alice.faculty
    )
    page = chromium.new_page(viewport=DESKTOP)
    sign_in_with_the_keyboard(page, live_server, "alice")

    # From the home page's link to the import page.
    tab_to(page, "Import an export file")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.focus("#id_account")
    page.keyboard.press("ArrowDown")  # the one account offered
    assert page.input_value("#id_account") == str(account.pk)
    # The file: a keyboard user presses Enter on the field and picks it in the system's dialog, which a headless
    # browser has not; the file is given to the field instead.
    page.set_input_files("#id_file", EXPORT)
    presses = tab_to(page, "Check the file")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEW

    tab_to(page, "Import these rows", limit=40)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert presses <= 6  # from the account: past the file and the optional fields to the button
    assert "Imported." in page.inner_text("main")
    assert ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).count() == 1
