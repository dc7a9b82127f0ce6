"""How a dossier's PDF fills its pages, measured on the layout the PDF is written from (`layout.page_fills`)."""

from io import BytesIO
from io import StringIO

import pytest
from django.core.management import CommandError
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from portfolio.dossiers import exports
from portfolio.dossiers.layout import page_fills
from portfolio.dossiers.verification import version_url

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def test_the_measured_pages_are_the_pdfs_pages_and_carry_header_and_footer(version):
    footer = exports.version_footer(number=1, verify_url=version_url(version.public_id), sha256=version.sha256)

    pages = page_fills(version.html, footer=footer, header="A header")

    assert len(pages) == len(PdfFileReader(BytesIO(bytes(version.pdf))).root["/Pages"]["/Kids"])
    assert all("A header" in page.text and f"of {len(pages)}" in page.text for page in pages)
    assert all(0 <= page.blank <= 1 for page in pages)
    assert pages[0].blank < 0.5
    assert pages[-1].blank > 0  # the appendix ends somewhere on the last page


def test_the_command_prints_each_page_and_the_budget(version):
    out = StringIO()

    call_command("dossier_layout", version.dossier.pk, "--number", "1", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("page  1:")
    assert "pages (budget 12); page 1" in lines[-1]


def test_the_command_refuses_an_unknown_dossier_or_version(version):
    with pytest.raises(CommandError, match="No dossier 999"):
        call_command("dossier_layout", 999)
    with pytest.raises(CommandError, match="has no version 7"):
        call_command("dossier_layout", version.dossier.pk, "--number", "7")
