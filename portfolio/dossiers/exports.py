"""
Downloads of a dossier: PDF, CSV and XLSX.

- PDF: WeasyPrint lays out the very HTML the page shows (`render_dossier_html`), with a page footer added
  here: a frozen version's number, its verification address and its content fingerprint (the SHA-256 of its
  HTML: a PDF cannot hold its own hash), or, for the live dossier, "draft" at the head and foot of every page.
  A version's PDF is made once, when it is frozen, signed (`signing`) and stored; the live draft is never signed.
- CSV: a zip holding one CSV per data table of `tables(data)` (the tables have different columns, so one
  flat CSV would be a poorer read in a spreadsheet). Each file is formula-safe (`spreadsheets.csv_bytes`).
- XLSX: one workbook, one sheet per table.

Every export of a version is made from its stored data or HTML alone, never from live rows.
"""

import mimetypes
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils import timezone
from django.utils.text import slugify
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portfolio.dossiers.content import dossier_data, tables
from portfolio.dossiers.models import Dossier, DossierVersion
from portfolio.dossiers.render import render_dossier_html
from portfolio.lib import spreadsheets

# Relative links in the document (a stylesheet under /static/, say) resolve against this made-up origin,
# which the fetcher below answers from the project's own static files. Nothing is fetched over a network.
BASE_URL = "https://dossier.invalid/"

# Margin boxes do not inherit the document's font: the site's own stack, which resolves to the same face.
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
PDF_TYPE = "application/pdf"
ZIP_TYPE = "application/zip"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML_TYPE = "text/html; charset=utf-8"


class StaticFilesOnly(URLFetcher):
    """Serve the site's static files and `data:` URLs to WeasyPrint; refuse every other address."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static_prefix = urlsplit(settings.STATIC_URL).path
        if f"{parts.scheme}://{parts.netloc}/" == BASE_URL and parts.path.startswith(static_prefix):
            try:
                found = finders.find(unquote(parts.path.removeprefix(static_prefix)))
            except SuspiciousFileOperation:
                found = None
            if found:
                content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"A dossier document loads only the site's own static files, not {url}.")


def pdf_bytes(html: str, *, footer: str, header: str = "") -> bytes:
    """
    The document as a PDF, with `footer` at the bottom left of every page and the page number at the right,
    and `header`, if any, at the top of every page.
    """
    return laid_out(html, footer=footer, header=header).write_pdf()


def laid_out(html: str, *, footer: str, header: str = ""):
    """The document laid out in pages as its PDF will be (a WeasyPrint `Document`), for `pdf_bytes` and `layout`."""
    return HTML(string=_charts_at_their_size(html), base_url=BASE_URL, url_fetcher=StaticFilesOnly()).render(
        stylesheets=[_footer_css(footer, header)]
    )


# A chart's <svg> (portfolio/lib/charts.py) carries width="W" height="H" and an inline style with height:auto, which
# browsers scale by the width/height ratio. WeasyPrint 70 lays an SVG with an explicit height:auto out as a square
# (a bar chart 90 high became 548 x 548 of mostly white), so for the PDF each chart gets its own size in pixels:
# charts are at most 640 wide and an A4 column is 688. The stored document, and so its SHA-256, is untouched.
CHART_SVG = re.compile(r'<svg\b[^>]*?\bclass="chart"[^>]*?\bwidth="(\d+)" height="(\d+)"[^>]*?style="([^"]*)"')


# On paper, at the print type size, a chart drawn for the screen dwarfs its text: it prints at this share of its size.
PDF_CHART_SCALE = 0.5


def _charts_at_their_size(html: str) -> str:
    def sized(match: re.Match) -> str:
        width, height, style = round(int(match[1]) * PDF_CHART_SCALE), round(int(match[2]) * PDF_CHART_SCALE), match[3]
        fixed = style.replace("max-width:100%;", "").replace("height:auto", f"width:{width}px;height:{height}px")
        return match[0].replace(f'style="{style}"', f'style="{fixed}"')

    return CHART_SVG.sub(sized, html)


def version_footer(*, number: int, verify_url: str, sha256: str) -> str:
    return (
        f"Frozen version {number}, digitally signed. Verify it at {verify_url} "
        f"· Content fingerprint (SHA-256 of the version's HTML, not of this file): {sha256}"
    )


def live_footer(*, as_of: str) -> str:
    return f"Live draft, not a frozen version: numbers as of {as_of}, which may still change."


LIVE_HEADER = "DRAFT: not frozen, not signed, not for submission"


def _css_string(text: str) -> str:
    # A CSS string literal: backslash, quotes and line breaks escaped (the text is ours, but stays literal).
    return '"' + re.sub(r'(["\\])', r"\\\1", text).replace("\n", " ") + '"'


def _footer_css(text: str, header: str = "") -> CSS:
    margin_box = f"font: 7pt/1.3 {FONT}; color: #333;"
    top = ""
    if header:
        top = f" @top-center {{ content: {_css_string(header)}; font: 700 9pt/1.3 {FONT}; color: #8a1c1c; }}"
    return CSS(
        string=(
            "@page {"
            f" @bottom-left {{ content: {_css_string(text)}; width: 85%; {margin_box} }}"
            f' @bottom-right {{ content: "Page " counter(page) " of " counter(pages); width: 15%; {margin_box} }}'
            + top
            + " }"
            + PDF_LAYOUT
        )
    )


# For WeasyPrint only: what browsers print well but WeasyPrint does not, or slowly.
PDF_LAYOUT = """
/* A table that may not break moves to the next page; WeasyPrint would leave its caption behind. */
caption { break-after: avoid; }
/* Flex layout costs WeasyPrint about a third of a dossier's PDF time: the same rows as inline boxes. */
.dossier-facts, .dossier-columns, .dossier-highlight__meta { display: block; }
.dossier-facts > div { display: inline-block; vertical-align: top; margin: 0 2rem 0.5rem 0; }
/* Three tables a row (a column is 696 pixels). These rules are a user stylesheet to WeasyPrint: the document's own
   rules win over them unless they are important. */
.dossier-columns > table {
  display: inline-table; vertical-align: top;
  width: 196px !important; min-width: 0 !important; margin: 0 8px 4px 0 !important;
}
/* A row of tables is one line: the default orphans and widows (2) would move both rows to the next page together. */
.dossier-columns { orphans: 1; widows: 1; }
.dossier-columns > :not(table) { display: inline-block; vertical-align: top; margin-right: 2rem; }
.dossier-highlight__meta > * { margin-right: 0.4rem; }
"""


def csv_zip_bytes(data: dict, *, dated: datetime) -> bytes:
    """A zip of one formula-safe CSV per table, its entries dated `dated` (so a version's zip is reproducible)."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(tables(data), start=1):
            name = f"{index:02d}-{slugify(table.title) or 'table'}.csv"
            entry = zipfile.ZipInfo(name, date_time=dated.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, spreadsheets.csv_bytes(table))
    return buffer.getvalue()


def xlsx_bytes(data: dict) -> bytes:
    return spreadsheets.xlsx_bytes(tables(data))


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


LIVE_FORMATS = ("pdf", "csv", "xlsx")
# A version can also be downloaded as the very HTML document its SHA-256 is of.
VERSION_FORMATS = (*LIVE_FORMATS, "html")


def live_export(dossier: Dossier, file_format: str) -> Export:
    """The live dossier, computed now, as a PDF, a zip of CSVs or a workbook."""
    data = dossier_data(dossier)
    if file_format == "pdf":
        html = render_dossier_html(data)
        footer = live_footer(as_of=dossier.as_of.isoformat())
        content, content_type = pdf_bytes(html, footer=footer, header=LIVE_HEADER), PDF_TYPE
    elif file_format == "csv":
        content, content_type = csv_zip_bytes(data, dated=timezone.localtime()), ZIP_TYPE
    elif file_format == "xlsx":
        content, content_type = xlsx_bytes(data), XLSX_TYPE
    else:
        raise ValueError(f"Unknown export format {file_format!r}.")
    return Export(content, content_type, _name(dossier, None, file_format))


def version_export(version: DossierVersion, file_format: str) -> Export:
    """A frozen version from what it stored: its PDF and HTML as they are, its tables from its data."""
    if file_format == "pdf":
        # bytes(): PostgreSQL hands binary columns back as a memoryview.
        content, content_type = bytes(version.pdf), PDF_TYPE
    elif file_format == "html":
        content, content_type = version.html.encode("utf-8"), HTML_TYPE
    elif file_format == "csv":
        content, content_type = csv_zip_bytes(version.data, dated=timezone.localtime(version.frozen_at)), ZIP_TYPE
    elif file_format == "xlsx":
        content, content_type = xlsx_bytes(version.data), XLSX_TYPE
    else:
        raise ValueError(f"Unknown export format {file_format!r}.")
    return Export(content, content_type, _name(version.dossier, version.number, file_format))


def _name(dossier: Dossier, version_number: int | None, file_format: str) -> str:
    """e.g. `alice-adams-promotion-to-associate-professor-v2.pdf`; `-draft` for the live dossier."""
    suffix = f"v{version_number}" if version_number is not None else "draft"
    extension = "csv.zip" if file_format == "csv" else file_format
    return f"{slugify(dossier.faculty.name)}-{slugify(dossier.title)[:60]}-{suffix}.{extension}"
