"""
How a number reads, wherever the site writes one as text: table cells, chart labels and descriptions, the
dossier, the admin. One rule per kind of number, so a chart and the table beside it print the same text for
the same value.

- `count`: a count with thousands separators; None (the platform did not report it) -> "not reported".
- `percent`: a fraction as a percentage with one decimal; a tiny positive rate -> "<0.1%" (never "0.0%",
  which would read as no engagement at all); None (no denominator) -> "not computable".
- `rate_of` / `named_rate`: a rate that names its denominator.
- `exact_percent`: an exact fraction stored as text ('0.0396' -> '3.96%'), as published.
- `whole`: rounded to a whole number (percentile ranks, medians); `fixed`: a fixed number of decimals
  (posts per week); `change`: a signed difference (follower growth). None -> "not computable" for all three.

Rounding is half up on the number as written (2.5 -> 3, 0.125 -> 0.13), as people round by hand, not
half-to-even on its binary value. Plain functions, no Django: `metrics.templatetags.engagement_format`
registers them as template filters.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Number = int | float | Decimal

NOT_COMPUTABLE = "not computable"
NOT_REPORTED = "not reported"


def count(value: Number | str | None) -> str:
    """
    6154 -> '6,154'; 7100.0 -> '7,100'; 1234.5 -> '1,234.5'; an exact decimal keeps its digits
    ('1234.50' -> '1,234.50'); None -> 'not reported'.
    """
    if value is None:
        return NOT_REPORTED
    try:
        number = _decimal(value)
    except InvalidOperation:
        return str(value)
    if number.is_finite() and number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,f}"


def percent(value: Number | None) -> str:
    """A fraction as a percentage with one decimal: 0.04745 -> '4.7%'; 0.0004 -> '<0.1%'; None -> 'not computable'."""
    if value is None:
        return NOT_COMPUTABLE
    shown = f"{value * 100:.1f}"
    # A tiny positive rate rounded to "0.0%" would read as no engagement at all.
    if value > 0 and shown == "0.0":
        return "<0.1%"
    return f"{shown}%"


def rate_of(value: Number | None, denominator: str) -> str:
    """A rate with its denominator named: '4.7% of impressions'; None -> 'not computable'."""
    if value is None:
        return NOT_COMPUTABLE
    return f"{percent(value)} of {denominator}"


def named_rate(value: Number | None, denominator: str) -> str:
    """'4.7% of impressions', or 'by reach: not computable': a missing rate still names its denominator."""
    if value is None:
        return f"by {denominator}: {NOT_COMPUTABLE}"
    return rate_of(value, denominator)


def exact_percent(value: str | Decimal | None) -> str:
    """An exact fraction stored as text: '0.0396' -> '3.96%' (as published, nothing rounded away)."""
    if value in (None, ""):
        return NOT_COMPUTABLE
    try:
        number = Decimal(str(value)) * 100
    except InvalidOperation:
        return str(value)
    return f"{format(number.normalize(), 'f')}%"


def whole(value: Number | None) -> str:
    """A percentile rank or a median as a whole number: 62.5 -> '63'; 7050.4 -> '7,050'; None -> 'not computable'."""
    return fixed(value, 0)


def fixed(value: Number | None, places: int = 2) -> str:
    """A mean with `places` decimals: 3.5 -> '3.50'; 1234.567 -> '1,234.57'; None -> 'not computable'."""
    if value is None:
        return NOT_COMPUTABLE
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded + 0:,f}"  # + 0: -0.00 reads as 0.00


def change(value: int | None) -> str:
    """A signed difference: 120 -> '+120'; -12 -> '-12'; 0 -> '0'; None -> 'not computable'."""
    if value is None:
        return NOT_COMPUTABLE
    return f"+{count(value)}" if value > 0 else count(value)


def _decimal(value: Number | str) -> Decimal:
    # repr of a float is its shortest exact spelling (0.125, 7100.0), which is what rounding by hand starts from.
    return Decimal(repr(value) if isinstance(value, float) else str(value))
