"""Downloads of the live dossier and of a frozen version: PDF, CSV tables (zip) and XLSX."""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from weasyprint import HTML

from metrics.models import PostMetrics
from portfolio.dossiers import exports
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.content import tables
from portfolio.lib.charts import bar_chart

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def test_live_pdf_is_the_dossier_document_laid_out_for_print(dossier, alice, signed_in):
    response = signed_in(alice).get(f"/dossiers/{dossier.pk}/download/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="alice-adams-promotion-to-associate-professor-draft.pdf"'
    )
    assert response.content.startswith(b"%PDF-")


def test_live_csv_is_a_zip_of_one_formula_safe_csv_per_table(dossier, worked_post, alice, signed_in):
    worked_post.caption = '=HYPERLINK("http://evil.example", "click")'
    worked_post.save()

    response = signed_in(alice).get(f"/dossiers/{dossier.pk}/download/csv/")

    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len(names) == len(tables(dossier_data(dossier)))
    assert all(name.endswith(".csv") for name in names)
    everything = b"".join(archive.read(name) for name in names).decode("utf-8-sig")
    assert "'=HYPERLINK" in everything
    assert ',"=HYPERLINK' not in everything and ",=HYPERLINK" not in everything


def test_live_xlsx_has_one_sheet_per_table(dossier, alice, signed_in):
    response = signed_in(alice).get(f"/dossiers/{dossier.pk}/download/xlsx/")

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.sheetnames) == len(tables(dossier_data(dossier)))


def test_version_downloads_come_from_what_the_version_stored(dossier, version, worked_post, alice, signed_in):
    PostMetrics.objects.filter(post=worked_post).update(likes=1)
    client = signed_in(alice)
    base = f"/dossiers/{dossier.pk}/versions/1/download"

    pdf = client.get(f"{base}/pdf/")
    html = client.get(f"{base}/html/")
    csv_zip = client.get(f"{base}/csv/")
    xlsx = client.get(f"{base}/xlsx/")

    assert pdf.content == bytes(version.pdf)
    assert pdf["Content-Disposition"].endswith('-v1.pdf"')
    assert html.content == version.html.encode("utf-8")
    assert csv_zip.content == exports.csv_zip_bytes(version.data, dated=version.frozen_at)
    # The same file every time: entries are dated when the version was frozen.
    assert client.get(f"{base}/csv/").content == csv_zip.content
    assert load_workbook(io.BytesIO(xlsx.content), read_only=True).sheetnames


def test_an_unknown_format_is_not_found(dossier, version, alice, signed_in):
    client = signed_in(alice)

    assert client.get(f"/dossiers/{dossier.pk}/download/docx/").status_code == 404
    assert client.get(f"/dossiers/{dossier.pk}/download/html/").status_code == 404
    assert client.get(f"/dossiers/{dossier.pk}/versions/1/download/exe/").status_code == 404


def test_department_reviewer_downloads_but_another_institution_gets_404(dossier, version, bob, charlie, signed_in):
    dossier.submit()
    assert signed_in(bob).get(f"/dossiers/{dossier.pk}/download/xlsx/").status_code == 200
    assert signed_in(charlie).get(f"/dossiers/{dossier.pk}/download/xlsx/").status_code == 404
    assert signed_in(charlie).get(f"/dossiers/{dossier.pk}/versions/1/download/pdf/").status_code == 404


def test_the_pdf_renderer_reads_the_sites_static_files_and_nothing_else():
    fetcher = exports.StaticFilesOnly()

    stylesheet = fetcher.fetch(f"{exports.BASE_URL}static/css/site.css")
    assert b"SoMe Portfolio" in stylesheet.read()
    for address in (
        "https://example.org/tracker.png",
        "file:///etc/passwd",
        f"{exports.BASE_URL}static/../../portfolio/settings.py",
        f"{exports.BASE_URL}media/imports/secret.csv",
    ):
        with pytest.raises(ValueError, match="loads only the site's own static files"):
            fetcher.fetch(address)


def test_a_document_pointing_elsewhere_still_renders_without_fetching_it():
    html = '<html><body><h1>Dossier</h1><img src="https://example.org/tracker.png" alt=""></body></html>'

    assert exports.pdf_bytes(html, footer='A "quoted" footer \\ with a backslash').startswith(b"%PDF-")


def test_charts_keep_their_proportions_in_the_pdf_at_the_print_scale():
    chart = str(
        bar_chart(title="Engagement", description="Per post", bars=[("1. a post", 0.047), ("2. another", 0.038)])
    )
    html = f'<html><body><figure class="dossier-chart">{chart}</figure></body></html>'
    width, height = (int(value) for value in re.search(r'width="(\d+)" height="(\d+)"', chart).groups())

    laid_out = exports._charts_at_their_size(html)
    document = HTML(string=laid_out).render()
    box = next(replaced_boxes(document.pages[0]._page_box))

    assert "height:auto" not in laid_out
    # Its own proportions, at the share of its screen size that charts print at.
    scale = exports.PDF_CHART_SCALE
    assert (round(box.width), round(box.height)) == (round(width * scale), round(height * scale))


def replaced_boxes(box):
    if "ReplacedBox" in type(box).__name__:
        yield box
    for child in getattr(box, "children", None) or []:
        yield from replaced_boxes(child)
