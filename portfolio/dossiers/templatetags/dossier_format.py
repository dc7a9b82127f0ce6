"""
How a dossier's stored data reads on the page: its ISO dates, exact decimals and fractions become the words
and percentages a committee reads. Pure formatting, no database: a frozen version renders from its data.
Every number is written by `metrics.formatting`, as on every other page; the filters here name what a
dossier shows (a share, a rank) and add its dates and labels.
"""

from datetime import date, datetime

from django import template
from django.utils.dateformat import format as format_date
from django_countries import countries

from accounts.vocabulary import METRIC_FIELDS
from metrics import formatting
from metrics.engagement import ACTION_FIELDS
from portfolio.dossiers.integrity import NUMBERS

register = template.Library()


@register.filter
def day(value: str | date | None) -> str:
    """'2026-07-01' -> '1 Jul 2026'; None -> ''."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, "j M Y")


@register.filter
def moment(value: str | datetime | None) -> str:
    """An ISO timestamp as '1 Jul 2026, 14:05 UTC' (the offset it was stored with)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_date(value, "j M Y, H:i T")


# An exact fraction as published (a benchmark's '0.0396' -> '3.96%'); a rate that names its denominator, even
# when it is not computable; an audience share; a percentile rank as a whole number.
register.filter("decimal_percent", formatting.exact_percent)
register.filter("named_rate", formatting.named_rate)
register.filter("share", formatting.percent)
register.filter("rank", formatting.whole)


@register.filter
def country_name(code: str) -> str:
    """'US' -> 'United States'; codes the list does not know (Unknown) stay as they are."""
    return countries.name(code) or code


@register.filter
def provenance_numbers(key: str) -> str:
    """'post_metrics' -> 'Post metrics' (the kinds of numbers `integrity.provenance_summary` counts)."""
    return NUMBERS.get(key, key)


@register.filter
def lookup(mapping: dict, key):
    """mapping[key], or None: templates cannot index by a variable."""
    return mapping.get(key) if mapping else None


@register.filter
def actions_sum(metrics: dict) -> str:
    """
    How a post's actions add up, from its stored counts: '184 likes + 10 comments + 42 profile visits = 236'.
    Every action field the platform reported is named (zeros included), so the total can be checked by hand.
    """
    parts = [
        f"{formatting.count(metrics[field])} {METRIC_FIELDS[field].lower()}"
        for field in ACTION_FIELDS
        if metrics.get(field) is not None
    ]
    total = sum(metrics.get(field) or 0 for field in ACTION_FIELDS)
    return f"{' + '.join(parts)} = {formatting.count(total)}" if parts else "no action counts reported = 0"


@register.filter
def link_text(url: str) -> str:
    """A link as printed in a short appendix line: 'https://www.instagram.com/p/Cx1/' -> 'instagram.com/p/Cx1'."""
    text = url.split("://", 1)[-1]
    return text.removeprefix("www.").rstrip("/")


def _flags(number: int) -> str:
    return f"{formatting.count(number)} flag{'' if number == 1 else 's'}"


@register.filter
def privacy_sentence(check: dict) -> str:
    """
    The caption privacy check as the methods appendix states it, in counts only: '3 highlighted captions were
    checked for patient identifiers; 1 flag acknowledged by the faculty member.'
    """
    captions = check["captions"]
    checked = (
        f"{formatting.count(captions)} highlighted caption{' was' if captions == 1 else 's were'} checked for "
        "patient identifiers"
    )
    if not check["flags"]:
        return f"{checked}; none was flagged."
    outcomes = [
        f"{_flags(check['acknowledged_by_faculty'])} acknowledged by the faculty member"
        if check["acknowledged_by_faculty"]
        else "",
        f"{_flags(check['acknowledged_by_others'])} acknowledged on the faculty member's behalf"
        if check["acknowledged_by_others"]
        else "",
        f"{_flags(check['unresolved'])} not yet fixed or acknowledged" if check["unresolved"] else "",
    ]
    return f"{checked}; {'; '.join(outcome for outcome in outcomes if outcome)}."
