"""Reviewer links: who creates and revokes them, what the reviewer sees, what answers 404, and the access log."""

import datetime as dt
import hashlib
import logging

import pytest
from django.utils import timezone

from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.models import ShareAccess
from portfolio.dossiers.models import ShareLink
from tests.factories import UserFactory

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

REVIEWER_AGENT = "Mozilla/5.0 (external reviewer)"


@pytest.fixture
def link(version, alice):
    return ShareLink.objects.create(
        version=version,
        recipient="Prof. Ana Silva",
        expires_at=timezone.now() + dt.timedelta(days=30),
        created_by=alice,
    )


def versions_url(dossier) -> str:
    return f"/dossiers/{dossier.pk}/versions/"


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_faculty_member_creates_a_link_to_a_version(dossier, version, alice, signed_in):
    response = signed_in(alice).post(
        f"{versions_url(dossier)}1/links/", {"v1-recipient": "Prof. Ana Silva", "v1-expires_on": in_days(14)}
    )

    link = ShareLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{versions_url(dossier)}#link-{link.pk}-address"
    assert (link.version, link.recipient, link.created_by) == (version, "Prof. Ana Silva", alice)
    # Open all of the last day, in the institution's time zone (test_dossier_link_expiry.py).
    zone = dossier.zone()
    assert link.last_day(zone) == timezone.localdate(timezone=zone) + dt.timedelta(days=14)


def test_a_refused_link_form_comes_back_filled_in_with_its_errors(dossier, version, alice, signed_in):
    response = signed_in(alice).post(
        f"{versions_url(dossier)}1/links/", {"v1-recipient": "Prof. Ana Silva", "v1-expires_on": in_days(400)}
    )

    assert response.status_code == 400
    assert not ShareLink.objects.exists()
    page = response.content.decode()
    assert "A link may stay open for a year at most." in page
    assert 'value="Prof. Ana Silva"' in page


def test_institution_admin_creates_a_link_for_a_faculty_member(dossier, version, nora, signed_in):
    response = signed_in(nora).post(
        f"{versions_url(dossier)}1/links/", {"v1-recipient": "Committee", "v1-expires_on": in_days(7)}
    )

    assert response.status_code == 302
    assert ShareLink.objects.get().created_by == nora


def test_reviewer_of_the_department_reads_the_versions_but_cannot_create_links(dossier, version, bob, signed_in):
    dossier.submit()
    client = signed_in(bob)

    assert client.get(versions_url(dossier)).status_code == 200
    response = client.post(f"{versions_url(dossier)}1/links/", {"v1-recipient": "Me", "v1-expires_on": in_days(7)})
    assert response.status_code == 403
    assert client.post(f"/dossiers/{dossier.pk}/freeze/").status_code == 403
    assert not ShareLink.objects.exists()


def test_another_institution_gets_404_for_the_versions_page_and_its_actions(dossier, version, link, charlie, signed_in):
    client = signed_in(charlie)

    assert client.get(versions_url(dossier)).status_code == 404
    assert client.get(f"{versions_url(dossier)}1/").status_code == 404
    assert client.get(f"{versions_url(dossier)}1/download/pdf/").status_code == 404
    assert client.post(f"/dossiers/{dossier.pk}/freeze/").status_code == 404
    assert client.post(f"/dossiers/{dossier.pk}/links/{link.pk}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_reviewer_opens_the_link_without_a_login_and_sees_the_frozen_document_and_its_hash(link, version, client):
    response = client.get(f"/r/{link.token}/", HTTP_USER_AGENT=REVIEWER_AGENT, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    page = response.content.decode()
    assert version.html[:200] in page
    assert f"<code>{version.sha256}</code>" in page
    assert f'href="/r/{link.token}/pdf/"' in page
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    access = ShareAccess.objects.get()
    assert (access.link, access.ip, access.user_agent) == (link, "203.0.113.7", REVIEWER_AGENT)


def test_the_reviewer_page_is_the_stored_document_with_only_the_banner_added(link, version, client):
    page = client.get(f"/r/{link.token}/").content.decode()

    start = page.index('<aside class="frozen-banner"')
    banner_end = page.index("</aside>", start) + len("</aside>")
    # The banner's own <style> comes just before it.
    style_start = page.rindex("<style>", 0, start)
    assert page[:style_start] + page[banner_end:] == version.html


def test_reviewer_downloads_the_pdf_and_html_through_the_same_token_and_each_opening_is_logged(link, version, client):
    pdf = client.get(f"/r/{link.token}/pdf/")
    html = client.get(f"/r/{link.token}/html/")

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(version.pdf)
    assert hashlib.sha256(html.content).hexdigest() == version.sha256
    assert ShareAccess.objects.filter(link=link).count() == 2


@pytest.mark.parametrize("path", ["", "pdf/", "html/"])
def test_expired_revoked_and_unknown_links_answer_404_and_log_nothing(link, client, path):
    expired = ShareLink.objects.create(
        version=link.version, recipient="Late", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    revoked = ShareLink.objects.create(
        version=link.version, recipient="Withdrawn", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    revoked.revoked_at = timezone.now()
    revoked.save()

    for token in (expired.token, revoked.token, link.token[:-1] + "x", "not-a-token"):
        assert client.get(f"/r/{token}/{path}").status_code == 404
    assert not ShareAccess.objects.exists()


def test_revoking_closes_the_link_at_once(dossier, link, alice, signed_in, client):
    assert client.get(f"/r/{link.token}/").status_code == 200

    response = signed_in(alice).post(f"/dossiers/{dossier.pk}/links/{link.pk}/revoke/")

    assert response.status_code == 302
    assert client.get(f"/r/{link.token}/").status_code == 404


def test_versions_page_shows_links_with_their_access_log(dossier, version, link, alice, signed_in, client):
    client.get(f"/r/{link.token}/", HTTP_USER_AGENT=REVIEWER_AGENT, REMOTE_ADDR="198.51.100.4")

    page = signed_in(alice).get(versions_url(dossier)).content.decode()

    assert "Prof. Ana Silva" in page
    assert "198.51.100.4" in page
    assert REVIEWER_AGENT in page
    assert f"/r/{link.token}/" in page
    assert version.sha256 in page


def test_reviewer_of_the_department_does_not_see_the_link_addresses(dossier, link, bob, signed_in):
    dossier.submit()
    page = signed_in(bob).get(versions_url(dossier)).content.decode()

    assert "Prof. Ana Silva" in page
    assert link.token not in page


def test_versions_page_runs_the_same_queries_whatever_the_number_of_versions_links_and_accesses(
    dossier, alice, signed_in, django_assert_num_queries
):
    for _ in range(3):
        version = freeze(dossier=dossier, user=alice)
        for recipient in ("Reviewer A", "Reviewer B"):
            link = ShareLink.objects.create(
                version=version, recipient=recipient, expires_at=timezone.now() + dt.timedelta(days=3)
            )
            ShareAccess.objects.bulk_create(ShareAccess(link=link, ip="192.0.2.1") for _ in range(3))
    client = signed_in(alice)

    # Session, user, roles (2), dossier, may change, the institution's time zone (the links' last days), versions,
    # their links, the links' accesses, the evidence they keep, highlights, the highlights' screenshots (for the
    # freeze check), and the privacy policies of the faculty member's institutions.
    with django_assert_num_queries(14):
        response = client.get(versions_url(dossier))

    assert response.status_code == 200
    assert response.content.decode().count("Reviewer A") >= 3


def test_client_address_is_read_from_the_proxy_header_only_when_configured(link, client, settings):
    client.get(f"/r/{link.token}/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.USE_X_FORWARDED_FOR = True
    client.get(f"/r/{link.token}/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    client.get(f"/r/{link.token}/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not an address")

    assert list(ShareAccess.objects.order_by("pk").values_list("ip", flat=True)) == ["10.0.0.2", "203.0.113.9", None]


def test_the_version_page_needs_a_login(dossier, version, client):
    response = client.get(f"{versions_url(dossier)}1/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_faculty_member_without_a_role_here_gets_404(dossier, version, signed_in):
    stranger = UserFactory(username="stranger")

    assert signed_in(stranger).get(versions_url(dossier)).status_code == 404


def test_opening_a_link_is_logged_with_its_id_and_version_not_its_token_or_the_address(client, link, caplog):
    caplog.set_level(logging.INFO, logger="portfolio")

    response = client.get(f"/r/{link.token}/", REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT=REVIEWER_AGENT)

    assert response.status_code == 200
    [record] = [record for record in caplog.records if record.name == "portfolio.dossiers.sharing"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == f"Reviewer link {link.pk} opened: version {link.version_id}"
    for private in (link.token, "203.0.113.5", REVIEWER_AGENT, "Ana Silva", "alice@northfield.example", "Segond"):
        assert private not in caplog.text


def test_a_dead_link_leaves_its_token_out_of_the_log(client, link, caplog):
    link.revoked_at = timezone.now()
    link.save()

    assert client.get(f"/r/{link.token}/").status_code == 404
    assert client.get(f"/r/{link.token}/pdf/").status_code == 404
    assert link.token not in caplog.text
