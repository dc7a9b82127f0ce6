"""
A frozen version as a page: its stored HTML document, exactly, with a banner that says what it is.

The version's SHA-256 cannot be inside the document it is computed from, so it is shown around it: the
banner is inserted right after the document's <body> tag and names the version, when it was frozen, its
SHA-256, where to download the PDF and the exact HTML, and where to check them. The stored HTML itself is
never changed; the download is its bytes.
"""

import re

from django.http import HttpResponse
from django.template.loader import render_to_string

from portfolio.dossiers.models import DossierVersion

BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
# The document is our own rendering, escaped when it was made; this policy is a second line of defence:
# nothing on a frozen page may run a script, load from elsewhere or be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def with_banner(html: str, banner: str) -> str:
    match = BODY_OPEN.search(html)
    if match is None:
        return banner + html
    return html[: match.end()] + banner + html[match.end() :]


def frozen_document_response(
    request, version: DossierVersion, *, downloads: dict[str, str], back: str = ""
) -> HttpResponse:
    """The version's stored document with its banner; `downloads` maps "pdf"/"html" to their addresses."""
    banner = render_to_string(
        "dossiers/_frozen_banner.html",
        {"version": version, "downloads": downloads, "back": back},
        request=request,
    )
    response = HttpResponse(with_banner(version.html, banner.strip()))
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
