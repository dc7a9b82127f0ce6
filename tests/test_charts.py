"""Server-rendered SVG charts: accessible, printable in black and white, and deterministic."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from portfolio.lib.charts import bar_chart, count, date_ticks, line_chart, nice_ticks, percent

SVG = "{http://www.w3.org/2000/svg}"
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
