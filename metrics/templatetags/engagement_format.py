"""
How engagement numbers read on pages: rates as percentages that name their
denominator, and blanks spelled out, so that a missing number never looks like 0.
"""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

NOT_COMPUTABLE = "not computable"
NOT_REPORTED = "not reported"


@register.filter
def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal: 0.04745 -> "4.7%"; None -> "not computable"."""
    if value is None:
        return NOT_COMPUTABLE
    shown = f"{value * 100:.1f}"
    # A tiny positive rate rounded to "0.0%" would read as no engagement at all.
    if value > 0 and shown == "0.0":
        return "<0.1%"
    return f"{shown}%"


@register.filter
def rate_of(value: float | None, denominator: str) -> str:
    """A rate with its denominator named: "4.7% of impressions"; None -> "not computable"."""
    if value is None:
        return NOT_COMPUTABLE
    return f"{percent(value)} of {denominator}"


@register.filter
def count(value: int | None) -> str:
    """A count with thousands separators; None (the platform did not report it) -> "not reported"."""
    if value is None:
        return NOT_REPORTED
    return intcomma(value)
