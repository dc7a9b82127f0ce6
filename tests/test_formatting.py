"""
How a number reads: one module (`metrics.formatting`) writes every number as text, and the template filters the
pages load are those very functions, so a page, a chart and the admin cannot drift apart.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context
from django.template import Template

from metrics import formatting
from metrics.formatting import change
from metrics.formatting import count
from metrics.formatting import exact_percent
from metrics.formatting import fixed
from metrics.formatting import named_rate
from metrics.formatting import percent
from metrics.formatting import rate_of
from metrics.formatting import whole
from metrics.templatetags import engagement_format
from portfolio.dossiers.templatetags import dossier_format

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (6154, "6,154"),
        (0, "0"),
        (-12, "-12"),
        (7100.0, "7,100"),
        (1234.5, "1,234.5"),
        (Decimal("12.5"), "12.5"),
        ("1234.50", "1,234.50"),  # an exact decimal of a dossier's score keeps its digits
        (None, "not reported"),
    ],
)
def test_a_count_has_thousands_separators_and_a_blank_is_not_reported(value, shown):
    assert count(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.04745, "4.7%"), (0.0004, "<0.1%"), (0.0005, "0.1%"), (0, "0.0%"), (1, "100.0%"), (None, "not computable")],
)
def test_a_rate_is_a_percentage_with_one_decimal_and_a_tiny_one_is_not_shown_as_zero(value, shown):
    assert percent(value) == shown


def test_rates_name_their_denominator_even_when_not_computable():
    assert rate_of(0.04745, "impressions") == "4.7% of impressions"
    assert rate_of(None, "reach") == "not computable"
    assert named_rate(0.0004, "followers") == "<0.1% of followers"
    assert named_rate(None, "reach") == "by reach: not computable"


def test_an_exact_fraction_reads_as_published():
    assert exact_percent("0.0396") == "3.96%"
    assert exact_percent(Decimal("0.05")) == "5%"
    assert exact_percent("") == exact_percent(None) == "not computable"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(62.5, "63"), (62.49, "62"), (0.5, "1"), (7050.4, "7,050"), (100, "100"), (None, "not computable")],
)
def test_percentiles_and_medians_round_half_up_to_a_whole_number(value, shown):
    assert whole(value) == shown


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [(3.5, 2, "3.50"), (0.125, 2, "0.13"), (1234.567, 2, "1,234.57"), (-0.001, 2, "0.00"), (None, 2, "not computable")],
)
def test_a_mean_has_a_fixed_number_of_decimals(value, places, shown):
    assert fixed(value, places) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(120, "+120"), (1234, "+1,234"), (-12, "-12"), (0, "0"), (None, "not computable")]
)
def test_a_change_carries_its_sign(value, shown):
    assert change(value) == shown


def test_the_template_filters_are_the_formatting_functions_themselves():
    for name, function in engagement_format.register.filters.items():
        assert function is getattr(formatting, name), name
    dossier_numbers = {"decimal_percent": exact_percent, "named_rate": named_rate, "share": percent, "rank": whole}
    for name, function in dossier_numbers.items():
        assert dossier_format.register.filters[name] is function, name


def test_a_template_prints_what_the_function_returns():
    template = Template(
        "{% load engagement_format %}{{ rate|percent }}|{{ rate|rate_of:'impressions' }}|{{ n|count }}|"
        "{{ blank|count }}|{{ rank|whole }}|{{ mean|fixed:2 }}|{{ growth|change }}"
    )
    context = {"rate": 0.0004, "n": 12345, "blank": None, "rank": 62.5, "mean": 3.5, "growth": 120}

    assert template.render(Context(context)) == "&lt;0.1%|&lt;0.1% of impressions|12,345|not reported|63|3.50|+120"


def test_python_code_takes_number_formats_from_metrics_formatting_not_from_a_template_tag_module():
    importers = [
        str(path.relative_to(ROOT))
        for folder in ("accounts", "metrics", "portfolio")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"^from metrics\.templatetags\b|^import metrics\.templatetags\b", path.read_text(), re.M)
    ]
    assert importers == []
