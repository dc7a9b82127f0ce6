"""
Journeys made with the keyboard alone, in headless Chromium: each control is reached with Tab in a few presses,
worked with Enter or Space, and focus lands where the next step is.
"""

import pytest
from django.urls import reverse

from portfolio.dossiers.models import DossierVersion
from tests.accessibility import DESKTOP
from tests.accessibility import tab_to
from tests.factories import PASSWORD

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
