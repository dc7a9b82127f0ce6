"""
The dossier as a document: a complete, standalone HTML page built from `dossier_data` only.

No database query happens here, so a frozen version is re-rendered from nothing but its stored data, and
the same data always gives the same bytes (nothing here reads the clock). The stylesheet
(`static/css/dossier.css`, also used by the live page) is inlined, so the document needs no other file:
a browser, a print dialog and WeasyPrint all read it as it is.

The version hash is not printed inside the document (a document cannot contain its own hash); pages that
show a frozen version print it beside the document and in the PDF footer. A frozen version's document does print
its verification address, as text and as a QR code, which are known before it is rendered.
"""

from datetime import date, datetime
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portfolio.dossiers import figures
from portfolio.dossiers.flag_groups import account_lines, group_flags

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "dossier.css"
DOCUMENT_TEMPLATE = "dossiers/document.html"


def render_dossier_html(data: dict, *, frozen: dict | None = None) -> str:
    """
    The complete HTML document of the dossier. `frozen` ({number, frozen_at, frozen_by, verify_url, signer}) is
    printed on its first page and in the methods appendix when given; `frozen_at` may be a datetime or an ISO string.
    """
    return render_to_string(DOCUMENT_TEMPLATE, {**document_context(data, frozen=frozen), "stylesheet": stylesheet()})


def document_context(data: dict, *, frozen: dict | None = None) -> dict:
    """What the document's template reads: the data, plus lookups derived from it (never from the database)."""
    accounts = {account["id"]: account for account in data["impact"]["accounts"]}
    flags = data["methods"]["integrity_flags"]
    account_flags, post_flags = {}, {}
    for flag in flags:
        if flag.get("post_id"):
            post_flags.setdefault(flag["post_id"], []).append(flag)
        else:
            account_flags.setdefault(flag["account_id"], []).append(flag)
    platforms = {}
    for account in data["impact"]["accounts"]:
        entry = {**account, "integrity_flags": account_flags.get(account["id"], [])}
        # Beside the numbers, an account's flags of one rule share a line; the appendix lists them all.
        entry["flag_lines"] = account_lines(entry["integrity_flags"])
        entry["rates_by_name"] = {rate["denominator"]: rate for rate in account["rates"]}
        entry["followers_chart"] = figures.followers_chart(account)
        platforms.setdefault(account["platform"], []).append(entry)
    # The caption is printed as it is: the privacy check's flags and who acknowledged them are the builder's
    # workflow, stated in the methods appendix as counts (`privacy_check`), never beside a post.
    highlights = [
        {**highlight, "integrity_flags": post_flags.get(highlight["post_id"], [])} for highlight in data["highlights"]
    ]
    audience = [{**entry, "regions_chart": figures.regions_chart(entry)} for entry in data["audience"]]
    return {
        "d": data,
        "platforms": platforms,
        "accounts": accounts,
        "highlights": highlights,
        "highlights_chart": figures.highlights_chart(data["highlights"]),
        "audience": audience,
        "percentile_groups": _percentile_groups(data),
        "summary": _summary(data),
        "flag_groups": group_flags(data),
        "privacy_check": data["methods"].get("privacy_check"),
        "frozen": _frozen(frozen),
    }


# The summary's rate columns, in the order the definitions give them.
SUMMARY_DENOMINATORS = ("impressions", "reach", "followers")
# Percentile rows on the summary page; the context section has them all.
SUMMARY_PERCENTILES = 6


def _summary(data: dict) -> dict:
    """Page 1's figures, picked from the data (never recomputed): rates, percentiles shown, verified numbers."""
    accounts = []
    for account in data["impact"]["accounts"]:
        rates = {rate["denominator"]: rate for rate in account["rates"]}
        summary_rates = [rates.get(name, {"pooled": None}) for name in SUMMARY_DENOMINATORS]
        accounts.append({**account, "summary_rates": summary_rates})
    groups = _percentile_groups(data)
    percentiles = []
    for row in data["context"]["percentiles"]:
        shown = [
            {"label": group["label"], "percentile": round(rank["percentile"]), "peers": rank["peers"]}
            for group in groups
            if (rank := row.get(group["key"])) and rank.get("percentile") is not None
        ]
        if shown:
            percentiles.append({**row, "groups": shown})
    provenance = data["methods"]["provenance"]["rows"]
    return {
        "accounts": accounts,
        "denominators": SUMMARY_DENOMINATORS,
        "percentiles": percentiles[:SUMMARY_PERCENTILES],
        "numbers": sum(row["total"] for row in provenance),
        "verified": sum(row["verified"] for row in provenance),
    }


def _percentile_groups(data: dict) -> list[dict]:
    groups = data["context"]["peer_groups"]
    return [
        {"key": "department", "label": groups["department"] or "Department"},
        {"key": "institution", "label": groups["institution"] or "Institution"},
        # Versions frozen before "all peers" left out institutions that do not share ranked against the whole site.
        {
            "key": "all",
            "label": "All peers (own and sharing institutions)"
            if "min_peers" in data["context"]
            else "All peers on the site",
        },
    ]


def _frozen(frozen: dict | None) -> dict | None:
    if frozen is None:
        return None
    frozen_at = frozen.get("frozen_at")
    if isinstance(frozen_at, str):
        frozen_at = datetime.fromisoformat(frozen_at)
    verify_url = frozen.get("verify_url")
    return {**frozen, "frozen_at": frozen_at, "qr_svg": qr_svg(verify_url) if verify_url else ""}


def qr_svg(url: str) -> str:
    """The address as an inline SVG QR code (the same bytes for the same address: the document stays reproducible)."""
    code = segno.make(url, error="m")
    # segno writes the SVG itself from a URL it encodes as modules: nothing of the address is markup.
    return mark_safe(code.svg_inline(scale=3, border=2, omitsize=True, title="QR code of the verification address"))


@cache
def stylesheet() -> str:
    """The dossier's stylesheet, read once per process."""
    return STYLESHEET.read_text(encoding="utf-8")


def as_date(value: str | date | None) -> date | None:
    """An ISO date string of the data as a date (the template filters format it)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
