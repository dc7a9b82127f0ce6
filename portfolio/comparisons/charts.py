"""
Charts as server-rendered SVG: no JavaScript, no chart library, readable on paper.

Each function takes plain numbers and returns markup (a SafeString) with a <title> and a <desc> for screen
readers; the pages print the same numbers in a table beside every chart, so nothing is only in a picture.
"""

import math
from datetime import date

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
# Distinct on white and for the common colour-vision deficiencies (Okabe-Ito), each with a dash pattern too.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")


def _f(value: float) -> str:
    # format_html escapes its arguments into strings first, so numbers are formatted before they go in.
    return f"{value:.1f}"


def _svg(title: str, desc: str, body: list[str], *, chart_id: str) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{body}</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        desc=desc,
        body=mark_safe("".join(body)),  # each piece is built with format_html below
    )


def _axes(y_ticks: list[tuple[float, str]]) -> list[str]:
    parts = [
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LEFT,
            HEIGHT - BOTTOM,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM,
        ),
        format_html('<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, TOP, LEFT, HEIGHT - BOTTOM),
    ]
    for y, label in y_ticks:
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/>'
                '<text class="chart-label" x="{}" y="{ty}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                LEFT - 6,
                label,
                y=_f(y),
                ty=_f(y + 4),
            )
        )
    return parts


def nice_ticks(high: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `high` (1, 2 or 5 times a power of ten apart, at least 1: counts)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = max(1, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))
    return [step * i for i in range(math.ceil(high / step - 1e-9) + 1)]


def histogram(
    values: list[float], *, title: str, value_label, chart_id: str, bins: int = 10
) -> tuple[SafeString, list[tuple[str, int]]]:
    """
    A histogram of `values` in `bins` equal bins from 0 to the largest value; also the bins as
    [(range label, count)] for the table beside it. `value_label(x)` formats a bin edge.
    """
    if not values:
        return SafeString(""), []
    high = max(values) or 1.0
    width = high / bins
    counts = [0] * bins
    for value in values:
        counts[min(int(value / width), bins - 1)] += 1
    labels = [f"{value_label(i * width)} to {value_label((i + 1) * width)}" for i in range(bins)]
    top = max(counts)
    ticks = nice_ticks(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    scale = plot_h / ticks[-1]
    body = _axes([(HEIGHT - BOTTOM - tick * scale, f"{tick:g}") for tick in ticks])
    bar_w = plot_w / bins
    for i, n in enumerate(counts):
        x, h = LEFT + i * bar_w, n * scale
        body.append(
            format_html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                _f(x + 1),
                _f(HEIGHT - BOTTOM - h),
                _f(bar_w - 2),
                _f(h),
                labels[i],
                n,
            )
        )
    for i in range(0, bins + 1, max(1, bins // 5)):
        body.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                _f(LEFT + i * bar_w),
                HEIGHT - BOTTOM + 16,
                value_label(i * width),
            )
        )
    body.append(
        format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="middle">accounts per bin; {} accounts</text>',
            _f(LEFT + plot_w / 2),
            HEIGHT - 6,
            len(values),
        )
    )
    desc = "; ".join(f"{label}: {n}" for label, n in zip(labels, counts, strict=True))
    return _svg(title, desc, body, chart_id=chart_id), list(zip(labels, counts, strict=True))


def line_chart(lines: list[tuple[str, list[tuple[date, int]]]], *, title: str, chart_id: str) -> SafeString:
    """One line per (label, [(day, value)]); x is time, y starts at 0. Legend under the plot."""
    points = [point for _, series in lines for point in series]
    if not points:
        return SafeString("")
    first = min(day for day, _ in points)
    last = max(day for day, _ in points)
    span = max((last - first).days, 1)
    ticks = nice_ticks(max(value for _, value in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    scale = plot_h / ticks[-1]

    def x(day):
        return LEFT + (day - first).days / span * plot_w

    body = _axes([(HEIGHT - BOTTOM - tick * scale, f"{tick:,.0f}") for tick in ticks])
    for day, anchor in ((first, "start"), (last, "end")):
        body.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}</text>',
                _f(x(day)),
                HEIGHT - BOTTOM + 16,
                anchor,
                day.strftime("%-d %b %Y"),
            )
        )
    descriptions = []
    for n, (label, series) in enumerate(lines):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        path = " ".join(f"{x(day)},{HEIGHT - BOTTOM - value * scale}" for day, value in sorted(series))
        body.append(
            format_html(
                '<polyline class="chart-line" points="{}" stroke="{}" stroke-dasharray="{}">'
                "<title>{}</title></polyline>",
                path,
                colour,
                dash,
                label,
            )
        )
        if series:
            start, end = min(series), max(series)
            descriptions.append(f"{label}: {start[1]:,} on {start[0]} to {end[1]:,} on {end[0]}")
    return _svg(title, "; ".join(descriptions), body, chart_id=chart_id)


def legend(labels: list[str]) -> list[dict]:
    """The colour and dash of each line of `line_chart`, for an HTML legend."""
    return [
        {"label": label, "colour": PALETTE[n % len(PALETTE)], "dash": DASHES[n % len(DASHES)]}
        for n, label in enumerate(labels)
    ]


def bars_over_time(weeks: list[tuple[date, int]], *, title: str, chart_id: str) -> SafeString:
    """Posts per week as bars."""
    if not weeks:
        return SafeString("")
    ticks = nice_ticks(max(n for _, n in weeks))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    scale = plot_h / ticks[-1]
    bar_w = plot_w / len(weeks)
    body = _axes([(HEIGHT - BOTTOM - tick * scale, f"{tick:g}") for tick in ticks])
    for i, (monday, n) in enumerate(weeks):
        body.append(
            format_html(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
                "<title>Week of {}: {} posts</title></rect>",
                _f(LEFT + i * bar_w + 0.5),
                _f(HEIGHT - BOTTOM - n * scale),
                _f(max(bar_w - 1, 0.5)),
                _f(n * scale),
                monday.strftime("%-d %b %Y"),
                n,
            )
        )
    for i, anchor in ((0, "start"), (len(weeks) - 1, "end")):
        body.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}</text>',
                _f(LEFT + (i + (1 if anchor == "end" else 0)) * bar_w),
                HEIGHT - BOTTOM + 16,
                anchor,
                weeks[i][0].strftime("%-d %b %Y"),
            )
        )
    total = sum(n for _, n in weeks)
    desc = f"{total} posts over {len(weeks)} weeks; the table below lists every week."
    return _svg(title, desc, body, chart_id=chart_id)
