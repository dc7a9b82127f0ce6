"""Server-rendered SVG charts: accessible, printable in black and white, and deterministic."""

import datetime as dt
import hashlib
import html
import inspect
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template import Context
from django.template import Template
from django.urls import reverse
from django.utils.safestring import SafeString

from metrics.formatting import count
from metrics.formatting import percent
from portfolio.lib import charts
from portfolio.lib.charts import bar_chart
from portfolio.lib.charts import bars_over_time
from portfolio.lib.charts import date_ticks
from portfolio.lib.charts import histogram
from portfolio.lib.charts import legend
from portfolio.lib.charts import line_chart
from portfolio.lib.charts import nice_ticks
from tests.comparison_data import MARCH as MARCH_2024
from tests.comparison_data import PERIOD
from tests.comparison_data import add_post
from tests.comparison_data import personal_account

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parent.parent
JAN, FEB, MAR, APR = (dt.date(2026, month, 1) for month in (1, 2, 3, 4))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def followers_chart(**series):
    return line_chart(title="Followers over time", description="Followers of each account.", series=series)


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_desc():
    svg = followers_chart(Instagram=[(JAN, 1000), (FEB, 1200)])

    root = parse(svg)
    title_id, desc_id = root.get("aria-labelledby").split()
    assert isinstance(svg, SafeString)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Followers over time"
    assert root.find(f"{SVG}desc").get("id") == desc_id


def test_the_desc_says_where_each_line_starts_ends_and_peaks():
    svg = followers_chart(Instagram=[(MAR, 1500), (JAN, 1000), (FEB, 1700)], X=[(JAN, 400), (FEB, None)])

    assert parse(svg).find(f"{SVG}desc").text == (
        "Followers of each account. "
        "Instagram: 1,000 on 2026-01-01 to 1,500 on 2026-03-01 "
        "(3 points; lowest 1,000 on 2026-01-01, highest 1,700 on 2026-02-01). "
        "X: 400 on 2026-01-01 to 400 on 2026-01-01 (1 point; lowest 400 on 2026-01-01, highest 400 on 2026-01-01)."
    )


def test_lines_differ_by_dash_pattern_and_marker_shape_not_by_colour_alone():
    root = parse(followers_chart(Instagram=[(JAN, 1000), (FEB, 1200)], X=[(JAN, 400), (FEB, 500)]))

    lines = [
        path for path in root.iter(f"{SVG}path") if path.get("stroke-width") == "2" and " h28" not in path.get("d")
    ]
    assert [line.get("stroke-dasharray") for line in lines[:2]] == [None, "7 4"]
    # Instagram's points are circles, X's squares; the legend repeats both.
    assert len(root.findall(f"{SVG}circle")) == 2 + 1
    assert len([rect for rect in root.findall(f"{SVG}rect") if rect.get("width") == "7.0"]) == 2 + 1
    assert {text.text for text in root.iter(f"{SVG}text")} >= {"Instagram", "X"}


def test_a_single_line_needs_no_legend():
    root = parse(followers_chart(Instagram=[(JAN, 1000), (FEB, 1200)]))

    assert "Instagram" not in {text.text for text in root.iter(f"{SVG}text")}


def test_a_missing_value_breaks_the_line_instead_of_dropping_to_zero():
    root = parse(followers_chart(Instagram=[(JAN, 1000), (FEB, None), (MAR, 1200), (APR, 1300)]))

    segments = [path.get("d") for path in root.iter(f"{SVG}path") if path.get("fill") == "none"]
    assert len(segments) == 2
    assert segments[0].count("L") == 0 and segments[1].count("L") == 1


def test_the_value_axis_starts_at_zero_with_round_ticks():
    root = parse(followers_chart(Instagram=[(JAN, 2900), (FEB, 3450)]))

    labels = [text.text for text in root.iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    assert labels == ["0", "1,000", "2,000", "3,000", "4,000"]


def test_an_empty_chart_says_there_is_nothing_to_chart():
    root = parse(
        line_chart(title="Followers", description="", series={"X": []}, empty_text="No follower counts recorded.")
    )

    assert [text.text for text in root.iter(f"{SVG}text")] == ["No follower counts recorded."]


def engagement_chart(bars):
    return bar_chart(
        title="Engagement by impressions",
        description="Rate by impressions of each highlighted post.",
        bars=bars,
        value_format=percent,
    )


def test_every_bar_carries_its_value_as_text_and_in_the_desc():
    root = parse(engagement_chart([("Segond fracture", 0.047), ("Pneumoperitoneum", 0.0652)]))

    assert root.find(f"{SVG}desc").text == (
        "Rate by impressions of each highlighted post. Segond fracture: 4.7%; Pneumoperitoneum: 6.5%."
    )
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "4.7%" in texts and "6.5%" in texts
    assert [bar.find(f"{SVG}title").text for bar in root.iter(f"{SVG}rect") if bar.find(f"{SVG}title") is not None] == [
        "Segond fracture: 4.7%",
        "Pneumoperitoneum: 6.5%",
    ]


def test_a_value_that_is_not_computable_is_written_as_such_and_not_drawn_as_zero():
    root = parse(engagement_chart([("Poll", None), ("Segond fracture", 0.047)]))

    bars = [bar for bar in root.iter(f"{SVG}rect") if bar.find(f"{SVG}title") is not None]
    assert len(bars) == 1
    assert "not computable" in [text.text for text in root.iter(f"{SVG}text")]
    assert "Poll: not computable" in root.find(f"{SVG}desc").text


def test_bar_lengths_are_proportional_to_the_values():
    root = parse(bar_chart(title="Audience by region", description="", bars=[("Americas", 300), ("Asia", 150)]))

    widths = [float(bar.get("width")) for bar in root.iter(f"{SVG}rect") if bar.find(f"{SVG}title") is not None]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2)


def test_long_labels_are_shortened_on_the_picture_but_kept_whole_in_the_desc():
    label = "Which sequence shows the bone marrow oedema of a Segond fracture best? Vote below " * 2

    root = parse(engagement_chart([(label, 0.05)]))

    shown = [text.text for text in root.iter(f"{SVG}text") if text.text and text.text.startswith("Which")]
    assert len(shown) == 1 and shown[0].endswith("…") and len(shown[0]) < len(label)
    assert label in root.find(f"{SVG}desc").text


def test_labels_and_titles_are_escaped():
    svg = bar_chart(title="<b>Posts</b>", description="a & b", bars=[('<script>alert("x")</script>', 3)])

    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<b>Posts</b>"
    assert '<script>alert("x")</script>' in [text.text for text in root.iter(f"{SVG}text")]


def test_the_same_data_renders_the_same_bytes_and_two_charts_on_one_page_get_different_ids():
    first = followers_chart(Instagram=[(JAN, 1000), (FEB, 1200)])
    again = followers_chart(Instagram=[(JAN, 1000), (FEB, 1200)])
    other = followers_chart(Instagram=[(JAN, 1000), (FEB, 1300)])

    assert first == again
    assert parse(first).get("aria-labelledby") != parse(other).get("aria-labelledby")


def test_a_bar_chart_without_bars_says_there_is_nothing_to_chart():
    root = parse(bar_chart(title="Audience by region", description="", bars=[]))

    assert [text.text for text in root.iter(f"{SVG}text")] == ["No data to chart."]


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 3450, [0, 1000, 2000, 3000, 4000]),
        (0, 7100, [0, 2000, 4000, 6000, 8000]),
        (0, 1, [0, 0.25, 0.5, 0.75, 1]),
        (0, 0.133, [0, 0.05, 0.1, 0.15]),
        (0, 0, [0, 0.25, 0.5, 0.75, 1]),  # nothing but zeros still gets an axis
        (-30, 70, [-50, -25, 0, 25, 50, 75]),
    ],
)
def test_nice_ticks_are_one_two_or_five_times_a_power_of_ten_apart(low, high, ticks):
    assert nice_ticks(low, high) == ticks


@pytest.mark.parametrize(
    ("first", "last", "ticks"),
    [
        (
            dt.date(2024, 1, 1),
            dt.date(2026, 6, 30),
            [("2024-01-01", "Jan 2024"), ("2024-07-01", "Jul 2024"), ("2025-01-01", "Jan 2025"),
             ("2025-07-01", "Jul 2025"), ("2026-01-01", "Jan 2026")],
        ),
        (
            dt.date(2019, 3, 15),
            dt.date(2026, 6, 30),
            [("2020-01-01", "2020"), ("2022-01-01", "2022"), ("2024-01-01", "2024"), ("2026-01-01", "2026")],
        ),
        (
            dt.date(2026, 3, 1),
            dt.date(2026, 3, 20),
            [("2026-03-01", "2026-03-01"), ("2026-03-08", "2026-03-08"), ("2026-03-15", "2026-03-15")],
        ),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), [("2026-03-01", "2026-03-01")]),
    ],
)  # fmt: skip
def test_date_ticks_fall_on_round_dates(first, last, ticks):
    assert [(day.isoformat(), label) for day, label in date_ticks(first, last)] == ticks


def test_values_are_formatted_as_counts_or_percentages():
    assert (count(1234), count(1234.5), count(7100.0)) == ("1,234", "1,234.5", "7,100")
    assert (percent(0.0474), percent(0.133), percent(0)) == ("4.7%", "13.3%", "0.0%")


# --- histogram, bars over time, legend ------------------------------------------------------------------------


def rate_histogram(values, **options):
    return histogram(
        title="Mean engagement rate by impressions, per account",
        description="Accounts in each range.",
        values=values,
        value_format=percent,
        unit="accounts",
        **options,
    )


def test_a_histogram_counts_the_values_in_equal_bins_from_zero_and_returns_them_for_the_table():
    svg, bins = rate_histogram([0.01, 0.02, 0.049, 0.05], bins=5)

    assert bins == [
        ("0.0% to 1.0%", 0),
        ("1.0% to 2.0%", 1),
        ("2.0% to 3.0%", 1),
        ("3.0% to 4.0%", 0),
        ("4.0% to 5.0%", 2),
    ]
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}desc").text == (
        "Accounts in each range. 0.0% to 1.0%: 0; 1.0% to 2.0%: 1; 2.0% to 3.0%: 1; 3.0% to 4.0%: 0; "
        "4.0% to 5.0%: 2. accounts per bin; 4 accounts."
    )
    columns = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [column.find(f"{SVG}title").text for column in columns] == [f"{label}: {n}" for label, n in bins]
    # Every column carries its count as text, 0 included, so an empty bin reads as none rather than missing.
    assert [text.text for text in root.iter(f"{SVG}text") if text.get("fill") == "#1a1a1a"] == ["0", "1", "1", "0", "2"]


def test_a_histogram_says_how_many_values_were_not_computable_and_puts_them_in_no_bin():
    svg, bins = rate_histogram([0.02, None, None], bins=2)

    assert sum(n for _, n in bins) == 1
    assert parse(svg).find(f"{SVG}desc").text.endswith("accounts per bin; 1 accounts; 2 not computable.")


def test_a_histogram_of_nothing_computable_says_there_is_nothing_to_chart():
    svg, bins = rate_histogram([None], empty_text="No account has a computable rate.")

    assert bins == []
    assert [text.text for text in parse(svg).iter(f"{SVG}text")] == ["No account has a computable rate."]


def weekly_posts(weeks):
    return bars_over_time(
        title="Posts with #MSKMonday per week",
        description="Posts in each week.",
        weeks=[(MAR + dt.timedelta(weeks=n), posts) for n, posts in enumerate(weeks)],
    )


def test_bars_over_time_say_every_week_in_words_and_write_each_count_on_its_column():
    root = parse(weekly_posts([3, 0, 12]))

    assert root.find(f"{SVG}desc").text == (
        "Posts in each week. Week of 2026-03-01: 3; Week of 2026-03-08: 0; Week of 2026-03-15: 12. "
        "posts per week; 15 posts over 3 weeks."
    )
    columns = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [column.find(f"{SVG}title").text for column in columns] == [
        "Week of 2026-03-01: 3",
        "Week of 2026-03-08: 0",
        "Week of 2026-03-15: 12",
    ]
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"3", "0", "12"} <= set(texts)
    # The same time axis as the line chart: round dates from `date_ticks`.
    assert "2026-03-01" in texts and "2026-03-08" in texts


def test_columns_too_narrow_for_their_count_leave_it_to_the_desc_and_the_table():
    root = parse(weekly_posts([100 + n for n in range(52)]))

    assert not [text.text for text in root.iter(f"{SVG}text") if text.get("fill") == "#1a1a1a"]
    assert "Week of 2026-03-01: 100;" in root.find(f"{SVG}desc").text
    # A year of weeks: the axis names months, not days.
    assert {"Mar 2026", "Jan 2027"} <= {text.text for text in root.iter(f"{SVG}text")}


def test_column_heights_are_proportional_to_the_counts():
    root = parse(weekly_posts([2, 4]))

    heights = [float(rect.get("height")) for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)


def styles(svg: str) -> tuple[str | None, str | None, tuple]:
    """The colour and dash of a legend swatch's line, and the shape of its marker (whatever its colour)."""
    root = parse(svg)
    line, marker = root[0], root[1:]
    shape = tuple((part.tag, part.get("d"), part.get("r"), part.get("width")) for part in marker)
    return line.get("stroke"), line.get("stroke-dasharray"), shape


def test_the_legend_draws_each_line_with_its_own_dash_and_marker_hidden_from_screen_readers():
    labels = [f"@account_{n}" for n in range(8)]

    key = legend(labels)

    assert [entry["label"] for entry in key] == labels
    assert all(parse(entry["swatch"]).get("aria-hidden") == "true" for entry in key)
    drawn = [styles(entry["swatch"]) for entry in key]
    # Eight lines (the comparison page charts its first eight rows): eight dashes and eight markers.
    assert len({dash for _, dash, _ in drawn}) == len({marker for _, _, marker in drawn}) == 8
    assert len({colour for colour, _, _ in drawn}) == 8


def test_the_legend_matches_the_lines_of_the_chart():
    series = {"Instagram": [(JAN, 1000), (FEB, 1200)], "X": [(JAN, 400), (FEB, 500)]}
    root = parse(line_chart(title="Followers", description="", series=series, with_legend=False))

    lines = [path for path in root.iter(f"{SVG}path") if path.get("fill") == "none" and " h28" not in path.get("d")]
    key = legend(list(series))
    assert [(line.get("stroke"), line.get("stroke-dasharray")) for line in lines] == [
        styles(entry["swatch"])[:2] for entry in key
    ]
    # The page prints the legend: the chart does not repeat it.
    assert not {"Instagram", "X"} & {text.text for text in root.iter(f"{SVG}text")}


def test_a_chart_given_an_id_uses_it_for_its_title_and_desc():
    root = parse(bar_chart(title="Audience", description="", bars=[("Americas", 3)], chart_id="audience-by-region"))

    assert root.get("aria-labelledby") == "audience-by-region-title audience-by-region-desc"
    assert root.find(f"{SVG}title").get("id") == "audience-by-region-title"


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [(0, 2, [0, 1, 2]), (0, 10, [0, 5, 10]), (0, 0, [0, 1]), (0, 0.4, [0, 1]), (0, 3450, [0, 1000, 2000, 3000, 4000])],
)
def test_whole_number_ticks_for_counts(low, high, ticks):
    assert nice_ticks(low, high, whole=True) == ticks


def test_a_chart_of_counts_has_no_ticks_between_whole_numbers():
    root = parse(bar_chart(title="Posts", description="", bars=[("Case", 2), ("Quiz", 1)]))

    assert [text.text for text in root.iter(f"{SVG}text") if text.get("text-anchor") == "middle"] == ["0", "1", "2"]


# --- the chart and the table print the same text -----------------------------------------------------------


def table_cell(value, filter_name: str) -> str:
    """What a page's table prints for `value`, through the template filter the pages use (unescaped)."""
    template = Template("{% load engagement_format %}{{ value|" + filter_name + " }}")
    return html.unescape(template.render(Context({"value": value})))


@pytest.mark.parametrize(
    ("value", "filter_name", "value_format", "shown"),
    [
        (0.0004, "percent", percent, "<0.1%"),
        (None, "percent", percent, "not computable"),
        (12345, "count", count, "12,345"),
    ],
)
def test_a_bar_chart_prints_a_value_as_the_table_beside_it_does(value, filter_name, value_format, shown):
    root = parse(bar_chart(title="Posts", description="", bars=[("Segond fracture", value)], value_format=value_format))

    assert table_cell(value, filter_name) == shown
    assert shown in [text.text for text in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}desc").text == f"Segond fracture: {shown}."


def test_a_line_chart_and_a_histogram_print_values_as_the_table_does():
    line = parse(followers_chart(Instagram=[(JAN, 12345), (FEB, 12400)]))
    svg, bins = rate_histogram([0.0002, 0.0008], bins=2)

    assert f"Instagram: {table_cell(12345, 'count')} on 2026-01-01" in line.find(f"{SVG}desc").text
    assert bins[0][0] == f"{table_cell(0, 'percent')} to {table_cell(0.0004, 'percent')}" == "0.0% to <0.1%"
    assert "0.0% to <0.1%: 1" in parse(svg).find(f"{SVG}desc").text


# --- every chart is deterministic ---------------------------------------------------------------------------

SAMPLES = {
    "line_chart": lambda: line_chart(
        title="Followers", description="Per account.", series={"X": [(JAN, 400), (FEB, None), (MAR, 500)], "Y": []}
    ),
    "bar_chart": lambda: bar_chart(
        title="Engagement", description="", bars=[("a", 0.047), ("b", None), ("c", 0.0004)], value_format=percent
    ),
    "histogram": lambda: rate_histogram([0.01, 0.03, None, 0.2]),
    "bars_over_time": lambda: weekly_posts([1, 0, 4, 2]),
    "legend": lambda: legend(["@alice_rads (Instagram)", "@carol_rads (X)"]),
}


def test_every_chart_of_the_module_is_checked_for_determinism():
    drawn = {
        name
        for name, function in vars(charts).items()
        if inspect.isfunction(function) and function.__module__ == charts.__name__ and not name.startswith("_")
    }
    assert drawn - {"nice_ticks", "date_ticks"} == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_chart_renders_the_same_bytes_for_the_same_data(name):
    assert repr(SAMPLES[name]()) == repr(SAMPLES[name]())


def test_every_chart_renders_the_same_bytes_in_another_process():
    """A frozen dossier is rendered again later, in another process: nothing may depend on hash seeds or ids."""
    script = (
        "import django, hashlib; django.setup(); from tests.test_charts import SAMPLES; "
        "print({name: hashlib.sha256(repr(draw()).encode()).hexdigest() for name, draw in sorted(SAMPLES.items())})"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portfolio.settings", "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment, cwd=ROOT
    )

    here = {name: hashlib.sha256(repr(draw()).encode()).hexdigest() for name, draw in sorted(SAMPLES.items())}
    assert other.stdout.strip() == str(here)


# --- the pages draw their charts through the one module ----------------------------------------------------


@pytest.mark.django_db
def test_the_comparison_page_prints_a_key_per_line_and_counts_accounts_without_a_rate(
    client, bob, northfield_radiology
):
    personal_account(northfield_radiology, handle="carol_rads", rates=(0.02, 0.04))
    personal_account(northfield_radiology, handle="dan_rads", rates=())
    client.force_login(bob)

    html_text = client.get(reverse("compare"), {"department": northfield_radiology.pk, **PERIOD}).content.decode()

    assert html_text.count('class="chart-key"') == 2
    assert 'id="rate-distribution-desc"' in html_text
    assert "accounts per bin; 1 accounts; 1 not computable." in html_text


@pytest.mark.django_db
def test_the_series_page_draws_posts_per_week_as_columns_with_their_counts(client, bob, northfield_radiology):
    account = personal_account(northfield_radiology, handle="carol_rads")
    for week in (0, 0, 2):
        add_post(account, published_at=MARCH_2024 + dt.timedelta(weeks=week), caption="#MSKMonday")
    client.force_login(bob)

    response = client.get(
        reverse("compare-series"), {"department": northfield_radiology.pk, **PERIOD, "hashtag": "MSKMonday"}
    )

    root = parse(re.search(r'<svg class="chart".*?</svg>', response.content.decode(), re.S)[0])
    assert root.get("aria-labelledby") == "series-weeks-title series-weeks-desc"
    desc = root.find(f"{SVG}desc").text
    # The weeks of the whole period, in words, the empty ones too.
    assert "Week of 2024-03-04: 2; Week of 2024-03-11: 0; Week of 2024-03-18: 1; Week of 2024-03-25: 0;" in desc
    assert desc.endswith("posts per week; 3 posts over 53 weeks.")
