"""
The demo dossier, frozen, as a committee receives it: at most 12 pages, page 1 the summary and not more than half
empty, no page but the last more than half empty, and signed by the demo institution's own key (seed_demo made it).
The figures are printed (run with -s to read them).
"""

from io import BytesIO
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from accounts.models import Institution
from portfolio.demo.build import DEMO_SLUGS
from portfolio.dossiers import exports
from portfolio.dossiers import signing
from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.layout import page_fills
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import SigningCredential
from portfolio.dossiers.verification import version_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PAGE_BUDGET = 12
MOST_BLANK = 0.5


@pytest.fixture
def demo_version(db, settings):
    # Each test's own demo, rolled back with the test: the demo's history records would otherwise outlive it and
    # stand in the way of every later test that counts them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--today", "2026-03-02", stdout=StringIO())
    dossier = Dossier.objects.select_related("faculty__user").get()
    # The demo highlights a caption the privacy check flags, for the builder to show: its author has read it.
    dossier.highlight_rows.update(privacy_acknowledged_by=dossier.faculty.user, privacy_acknowledged_at=timezone.now())
    return freeze(dossier=dossier, user=dossier.faculty.user)


@pytest.fixture
def pages(demo_version):
    footer = exports.version_footer(
        number=demo_version.number, verify_url=version_url(demo_version.public_id), sha256=demo_version.sha256
    )
    return page_fills(demo_version.html, footer=footer)


def test_the_demo_dossier_fits_the_committees_page_budget(demo_version, pages):
    stored_pages = len(PdfFileReader(BytesIO(bytes(demo_version.pdf))).root["/Pages"]["/Kids"])
    print(f"\nDemo dossier: {len(pages)} pages; page 1 {pages[0].blank:.0%} blank")
    for page in pages:
        print(f"  page {page.number:>2}: {page.blank:>4.0%} blank  {' '.join(page.text.split())[:60]}")

    assert stored_pages == len(pages)
    assert len(pages) <= PAGE_BUDGET
    assert [page.number for page in pages[:-1] if page.blank > MOST_BLANK] == []


def test_page_one_is_the_summary_with_how_to_verify(demo_version, pages):
    first = " ".join(pages[0].text.split())

    assert pages[0].blank <= MOST_BLANK
    for shown in ("Summary", "Highlighted contributions", "Checks:", "How to verify this document"):
        assert shown in first
    assert version_url(demo_version.public_id) in first
    assert first.index("Summary") < first.index("How to verify this document") < first.index("Scholarship philosophy")


def test_seed_demo_gives_each_demo_institution_its_own_key_and_it_signs(demo_version):
    institutions = Institution.objects.filter(slug__in=DEMO_SLUGS)
    credentials = SigningCredential.objects.filter(institution__in=institutions, is_active=True)

    assert credentials.count() == institutions.count()
    assert demo_version.signing_credential in credentials
    assert signing.check_signature(bytes(demo_version.pdf)).valid
