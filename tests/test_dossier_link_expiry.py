"""
Reviewer links that are easy to hand over: an expiry day is inclusive in the institution's time zone and reads back
as chosen, the whole address is shown with a copy button, and the faculty member's own checks are counted apart.
"""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from portfolio.dossiers import sharing
from portfolio.dossiers.models import ShareAccess
from portfolio.dossiers.models import ShareLink

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")  # Alice's institution, Northfield (tests/factories.py)


def versions_url(dossier) -> str:
    return f"/dossiers/{dossier.pk}/versions/"


def link_until(version, day: dt.date) -> ShareLink:
    return ShareLink.objects.create(
        version=version, recipient="Prof. Ana Silva", expires_at=sharing.end_of_day(day, NEW_YORK)
    )


def test_a_link_until_5_january_works_through_the_end_of_5_january_in_the_institutions_zone(version):
    link = link_until(version, dt.date(2027, 1, 5))
    last_moment = dt.datetime(2027, 1, 5, 23, 59, 59, tzinfo=NEW_YORK)
    midnight = dt.datetime(2027, 1, 6, 0, 0, tzinfo=NEW_YORK)
    assert link.is_usable(now=last_moment)
    assert not link.is_usable(now=midnight)
    # In UTC the 5th is long over by then: the institution's day counts, not the server's.
    assert last_moment.astimezone(dt.UTC).date() == dt.date(2027, 1, 6)
    assert list(ShareLink.objects.usable(now=last_moment)) == [link]
    assert not ShareLink.objects.usable(now=midnight).exists()


def test_the_last_day_reads_back_as_chosen(version):
    assert link_until(version, dt.date(2027, 1, 5)).last_day(NEW_YORK) == dt.date(2027, 1, 5)


def test_the_form_ends_the_chosen_day_in_the_institutions_zone_and_the_page_shows_that_day(
    dossier, version, alice, signed_in
):
    day = timezone.localdate(timezone=NEW_YORK) + dt.timedelta(days=10)
    client = signed_in(alice)
    response = client.post(
        f"{versions_url(dossier)}1/links/", {"v1-recipient": "Prof. Ana Silva", "v1-expires_on": day}
    )
    link = ShareLink.objects.get()
    assert response.status_code == 302
    assert link.expires_at == dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=NEW_YORK)
    page = client.get(versions_url(dossier)).content.decode()
    assert f"Open until {day:%-d %b %Y} (inclusive)" in page
    assert f"Open until {day + dt.timedelta(days=1):%-d %b %Y}" not in page


def test_the_whole_address_is_shown_with_a_copy_button(dossier, version, alice, signed_in):
    link = link_until(version, timezone.localdate() + dt.timedelta(days=10))
    page = signed_in(alice).get(versions_url(dossier)).content.decode()
    assert f"http://testserver/r/{link.token}/</textarea>" in page
    assert 'class="button button--secondary js-copy-link" data-copy="link-url-' in page
    assert "js/copy-link.js" in page


def test_openings_by_the_owner_and_an_admin_are_counted_apart_from_the_reviewers(
    client, dossier, version, alice, nora, signed_in
):
    link = link_until(version, timezone.localdate() + dt.timedelta(days=10))
    share = f"/r/{link.token}/"
    assert client.get(share).status_code == 200  # the reviewer, without a login
    assert client.get(share).status_code == 200
    assert signed_in(alice).get(share).status_code == 200
    assert signed_in(nora).get(share).status_code == 200

    accesses = ShareAccess.objects.order_by("accessed_at", "pk")
    assert [(access.opened_by, access.by_owner) for access in accesses] == [
        (None, False),
        (None, False),
        (alice, True),
        (nora, True),
    ]
    page = signed_in(alice).get(versions_url(dossier)).content.decode()
    assert "2 openings by the reviewer, 2 checks by you or an admin" in page
    assert "reviewer (not signed in)" in page


def test_a_signed_in_reviewer_of_the_department_counts_as_a_reader(client, dossier, version, bob, signed_in):
    dossier.submit()
    link = link_until(version, timezone.localdate() + dt.timedelta(days=10))
    assert signed_in(bob).get(f"/r/{link.token}/").status_code == 200
    access = ShareAccess.objects.get()
    assert (access.opened_by, access.by_owner) == (bob, False)
