"""
The dossier as a document: a complete, standalone HTML page built from `dossier_data` only.

No database query happens here, so a frozen version is re-rendered from nothing but its stored data, and
the same data always gives the same bytes (nothing here reads the clock). The stylesheet
(`static/css/dossier.css`, also used by the live page) is inlined, so the document needs no other file:
a browser, a print dialog and WeasyPrint all read it as it is.

The version hash is not printed inside the document (a document cannot contain its own hash); pages that
show a frozen version print it beside the document and in the PDF footer.
"""

from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from portfolio.dossiers import figures
from portfolio.dossiers.flag_groups import group_flags

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "dossier.css"
DOCUMENT_TEMPLATE = "dossiers/document.html"


def render_dossier_html(data: dict, *, frozen: dict | None = None) -> str:
    """
    The complete HTML document of the dossier. `frozen` ({number, frozen_at, frozen_by}) is printed in the
    methods appendix when given; `frozen_at` may be a datetime or an ISO string.
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
        "flag_groups": group_flags(data),
        "privacy_check": data["methods"].get("privacy_check"),
        "frozen": _frozen(frozen),
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
    return {**frozen, "frozen_at": frozen_at}


@cache
def stylesheet() -> str:
    """The dossier's stylesheet, read once per process."""
    return STYLESHEET.read_text(encoding="utf-8")


def as_date(value: str | date | None) -> date | None:
    """An ISO date string of the data as a date (the template filters format it)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
