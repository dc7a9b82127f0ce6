"""
Every chart the site draws, as server-rendered SVG that prints, reads aloud and survives a black-and-white
photocopy. No JavaScript, no chart library.

- `line_chart`: dated series (followers over time), one line per series.
- `bar_chart`: labelled values (engagement per highlighted post, audience by region), one bar per label.
- `histogram`: how many values fall in each of equal bins (the accounts' mean engagement rates).
- `bars_over_time`: a count per week as columns (posts with a hashtag).
- `legend`: the key of a line chart's lines, for a page that prints it as HTML beside the chart.

Each chart is an <svg class="chart" role="img"> with a <title> and a <desc>; the desc holds the caller's
description and the data in words (every bar's or column's value; each line's first, last, lowest and highest
points), so a screen reader hears what the picture shows. Lines differ by dash pattern and marker shape as well
as by colour, and every bar carries its value as text (a column too, where the text fits its width): nothing
depends on colour alone. One palette, one tick rule (`nice_ticks`) and one time axis (`date_ticks`) serve every
chart. Numbers are written by `metrics.formatting`, as in the tables beside the charts; a missing value (a rate
that is not computable) is written as such, never drawn as 0.

The output is a pure function of the arguments (no counters, no randomness): a frozen dossier renders to the
same bytes every time. Text is escaped, whatever it holds.
"""

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from metrics.formatting import NOT_COMPUTABLE, count

Number = int | float

WIDTH = 640
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
INK = "#1a1a1a"
MUTED = "#555"
GRID = "#d0d0d0"
# Dark colours that keep their contrast on white; each line also has its own dash and marker, so the eight
# lines of the comparison page stay tellable apart in grey.
COLOURS = ("#1f4e79", "#a63603", "#1b5e20", "#5b2a86", "#7f6000", "#004d4d", "#9c1d5a", "#1a1a1a")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2", "1 2", "12 3", "6 2 2 2 2 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "bar", "plus", "down")
# Markers on a long daily series would blur into the line; every k-th point carries one instead.
MAX_MARKERS = 40
FONT_SIZE = 12
CHAR_WIDTH = 0.6 * FONT_SIZE  # an average character, to fit labels
NO_DATA = "No data to chart."


def line_chart(
    *,
    title: str,
    description: str,
    series: Mapping[str, Sequence[tuple[date, Number | None]]],
    value_format: Callable[[Number], str] = count,
    width: int = WIDTH,
    height: int = 280,
    empty_text: str = NO_DATA,
    with_legend: bool = True,
    chart_id: str = "",
) -> SafeString:
    """
    One line per series (label -> [(day, value), ...] in any order). A None value breaks the line there.
    The value axis starts at 0 (or lower, for negative values), so growth is not exaggerated. A chart of more
    than one line draws its legend under the plot, unless `with_legend` is False (the page prints `legend`).
    """
    cleaned = {label: sorted(points, key=lambda point: point[0]) for label, points in series.items()}
    known = [(day, value) for points in cleaned.values() for day, value in points if value is not None]
    summary = " ".join(_line_summary(label, points, value_format) for label, points in cleaned.items())
    svg = _Svg(title, f"{description} {summary}".strip(), width=width, data=repr(cleaned), chart_id=chart_id)
    if not known:
        return svg.empty(empty_text, height=height)

    # As many legend columns as the longest label allows.
    legend_column = CHAR_WIDTH * max(len(label) for label in cleaned) + 48
    legend_columns = max(1, min(len(cleaned), int((width - 16) // legend_column)))
    legend_rows = math.ceil(len(cleaned) / legend_columns) if with_legend and len(cleaned) > 1 else 0
    values = [value for _, value in known]
    plot = _Plot(
        left=72,
        top=14,
        width=width - 72 - 32,
        height=height - 14 - 40 - legend_rows * 20,
        ticks=nice_ticks(min(0, min(values)), max(values), whole=_all_whole(values)),
    )
    first_day, last_day = min(day for day, _ in known), max(day for day, _ in known)
    span = (last_day - first_day).days

    def x(day: date) -> float:
        return plot.left + (plot.width / 2 if span == 0 else plot.width * (day - first_day).days / span)

    parts = plot.value_axis(value_format) + plot.date_axis(first_day, last_day, x)
    for index, points in enumerate(cleaned.values()):
        parts += _series_line(points, index, x, plot.y)
    if legend_rows:
        column_width = (width - 16) / legend_columns
        for index, label in enumerate(cleaned):
            lx = 16 + (index % legend_columns) * column_width
            ly = height - legend_rows * 20 + (index // legend_columns) * 20 + 4
            parts += [*_key(index, lx, ly), _text(lx + 36, ly + 4, _fit(label, column_width - 40), fill=INK)]
    return svg.render(parts, height=height)


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Number | None]],
    value_format: Callable[[Number], str] = count,
    width: int = WIDTH,
    empty_text: str = NO_DATA,
    chart_id: str = "",
) -> SafeString:
    """
    Horizontal bars, one per (label, value), in the order given, each with its value written at its end.
    A None value is written "not computable" instead of a bar. Long labels are shortened with an ellipsis on
    the picture; the desc and each bar's tooltip keep them whole.
    """
    bars = list(bars)
    spoken = "; ".join(f"{label}: {_written(value, value_format)}" for label, value in bars)
    svg = _Svg(title, f"{description} {spoken}.".strip(), width=width, data=repr(bars), chart_id=chart_id)
    known = [value for _, value in bars if value is not None]
    if not bars:
        return svg.empty(empty_text, height=60)

    row_height, bar_height, top, bottom = 26, 16, 8, 30
    label_width = min(width * 0.4, max(CHAR_WIDTH * max(len(label) for label, _ in bars) + 12, 60))
    value_room = CHAR_WIDTH * max([len(NOT_COMPUTABLE), *(len(value_format(v)) for v in known)]) + 12
    left, right = label_width, value_room
    height = top + row_height * len(bars) + bottom
    ticks = nice_ticks(min([0, *known]), max([0, *known]), whole=_all_whole(known))
    plot_width = width - left - right

    def x(value: Number) -> float:
        return left + plot_width * (value - ticks[0]) / (ticks[-1] - ticks[0])

    parts = []
    axis_y = top + row_height * len(bars)
    for tick in ticks:
        parts.append(_line(x(tick), top, x(tick), axis_y, GRID))
        parts.append(_text(x(tick), axis_y + 18, _tick_label(value_format, tick), anchor="middle", fill=MUTED))
    for index, (label, value) in enumerate(bars):
        middle = top + index * row_height + row_height / 2
        parts.append(_text(left - 8, middle + 4, _fit(label, label_width - 12), anchor="end", fill=INK))
        if value is None:
            parts.append(_text(x(0) + 6, middle + 4, NOT_COMPUTABLE, fill=MUTED, italic=True))
            continue
        start, end = sorted((x(0), x(value)))
        parts.append(_bar(start, middle - bar_height / 2, end - start, bar_height, f"{label}: {value_format(value)}"))
        parts.append(_text(end + 6, middle + 4, value_format(value), fill=INK))
    parts.append(_line(x(0), top, x(0), axis_y, INK))
    return svg.render(parts, height=height)


def histogram(
    *,
    title: str,
    description: str,
    values: Sequence[Number | None],
    value_format: Callable[[Number], str] = count,
    unit: str = "values",
    bins: int = 10,
    width: int = WIDTH,
    height: int = 260,
    empty_text: str = NO_DATA,
    chart_id: str = "",
) -> tuple[SafeString, list[tuple[str, int]]]:
    """
    How many of `values` fall in each of `bins` equal bins from 0 to the largest value, as columns; also the
    bins as [(range label, number of values)] for a table beside the chart. `value_format` writes a bin's edges;
    `unit` names what is counted ("accounts"). A None value (not computable) is in no bin: the chart says
    how many there were.
    """
    known = [value for value in values if value is not None]
    missing = len(values) - len(known)
    high = max(known, default=0) or 1.0
    step = high / bins
    counts = [0] * bins
    for value in known:
        counts[min(int(value / step), bins - 1)] += 1
    labels = [f"{value_format(i * step)} to {value_format((i + 1) * step)}" for i in range(bins)]
    table = list(zip(labels, counts, strict=True)) if known else []
    note = f"{unit} per bin; {count(len(known))} {unit}" + (f"; {count(missing)} {NOT_COMPUTABLE}" if missing else "")
    spoken = "; ".join(f"{label}: {count(n)}" for label, n in table)
    svg = _Svg(title, f"{description} {spoken}. {note}.".strip(), width=width, data=repr(values), chart_id=chart_id)
    if not known:
        return svg.empty(empty_text, height=height), table

    plot = _columns_plot(counts, width=width, height=height)
    column = plot.width / bins
    parts = plot.value_axis(count) + _columns(plot, table)
    for i in range(0, bins + 1, max(1, bins // 5)):
        parts.append(
            _text(plot.left + i * column, plot.bottom + 18, value_format(i * step), anchor="middle", fill=MUTED)
        )
    parts.append(_text(plot.left + plot.width / 2, height - 6, note, anchor="middle", fill=MUTED))
    return svg.render(parts, height=height), table


def bars_over_time(
    *,
    title: str,
    description: str,
    weeks: Sequence[tuple[date, Number]],
    unit: str = "posts",
    width: int = WIDTH,
    height: int = 260,
    empty_text: str = NO_DATA,
    chart_id: str = "",
) -> SafeString:
    """
    A count per week as columns, one per (first day of the week, count), consecutive weeks in order, under the
    same time axis as `line_chart`. `unit` names what is counted ("posts").
    """
    weeks = list(weeks)
    total = sum(n for _, n in weeks)
    note = f"{unit} per week; {count(total)} {unit} over {count(len(weeks))} week{'' if len(weeks) == 1 else 's'}"
    spoken = "; ".join(f"Week of {day.isoformat()}: {count(n)}" for day, n in weeks)
    svg = _Svg(title, f"{description} {spoken}. {note}.".strip(), width=width, data=repr(weeks), chart_id=chart_id)
    if not weeks:
        return svg.empty(empty_text, height=height)

    plot = _columns_plot([n for _, n in weeks], width=width, height=height)
    first_day = weeks[0][0]
    days = 7 * len(weeks)

    def x(day: date) -> float:
        return plot.left + plot.width * (day - first_day).days / days

    columns = [(f"Week of {day.isoformat()}", n) for day, n in weeks]
    parts = plot.value_axis(count) + plot.date_axis(first_day, weeks[-1][0], x) + _columns(plot, columns)
    parts.append(_text(plot.left + plot.width / 2, height - 6, note, anchor="middle", fill=MUTED))
    return svg.render(parts, height=height)


def legend(labels: Sequence[str]) -> list[dict]:
    """
    The key of `line_chart`'s lines, in order, for a page that prints it beside the chart: each label with a
    small picture of its line (colour, dash and marker), hidden from screen readers, which read the chart's desc.
    """
    return [
        {
            "label": label,
            "swatch": mark_safe(
                '<svg class="chart-key" width="28" height="10" viewBox="0 0 28 10" aria-hidden="true">'
                + "".join(_key(index, 0, 5))
                + "</svg>"
            ),
        }
        for index, label in enumerate(labels)
    ]


# Scales.


def nice_ticks(low: Number, high: Number, count: int = 5, *, whole: bool = False) -> list[float]:
    """
    Round tick values (1, 2, 2.5 or 5 times a power of ten apart) from at or below `low` to at or above `high`.
    `whole`: the values are whole numbers (counts), so the ticks are too.
    """
    if high <= low:
        high = low + (abs(low) or 1)
    raw_step = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [step for step in steps if step >= 1 and float(step).is_integer()]
    step = next((step for step in steps if step >= raw_step), 1)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(ticks[-1] + step)
    # Floating point: 0.1 + 0.2 is not 0.3; keep ticks at the step's precision.
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return [round(tick, digits) for tick in ticks]


MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
DAY_STEPS = (1, 2, 7, 14)


def date_ticks(first: date, last: date, most: int = 6) -> list[tuple[date, str]]:
    """At most `most` ticks on round dates between `first` and `last`, with their labels."""
    if first == last:
        return [(first, first.isoformat())]
    if (last - first).days <= 62:
        step = next((s for s in DAY_STEPS if (last - first).days // s + 1 <= most), 31)
        return [
            (first + timedelta(days=d), (first + timedelta(days=d)).isoformat())
            for d in range(0, (last - first).days + 1, step)
        ]
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next(s for s in MONTH_STEPS if months // s + 1 <= most)
    # Months counted from year 0, so that round months are multiples of the step (Jan, Apr, Jul, Oct for 3).
    index = first.year * 12 + first.month - 1 + (first.day != 1)
    unit = 12 if step >= 12 else step
    index = math.ceil(index / unit) * unit
    ticks = []
    while True:
        day = date(index // 12, index % 12 + 1, 1)
        if day > last:
            return ticks
        ticks.append((day, str(day.year) if step >= 12 else day.strftime("%b %Y")))
        index += step


# Drawing.


@dataclass(frozen=True)
class _Plot:
    """The plotting area of a chart with a value axis up its left side, and that axis's ticks."""

    left: float
    top: float
    width: float
    height: float
    ticks: list[float]

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def y(self, value: Number) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.top + self.height * (1 - (value - low) / (high - low))

    def value_axis(self, value_format: Callable[[Number], str]) -> list[str]:
        parts = []
        for tick in self.ticks:
            parts.append(_line(self.left, self.y(tick), self.left + self.width, self.y(tick), GRID))
            label = _tick_label(value_format, tick)
            parts.append(_text(self.left - 8, self.y(tick) + 4, label, anchor="end", fill=MUTED))
        parts.append(_line(self.left, self.top, self.left, self.bottom, INK))
        return parts

    def date_axis(self, first: date, last: date, x: Callable[[date], float]) -> list[str]:
        parts = []
        for day, label in date_ticks(first, last):
            parts.append(_line(x(day), self.bottom, x(day), self.bottom + 5, INK))
            parts.append(_text(x(day), self.bottom + 18, label, anchor="middle", fill=MUTED))
        parts.append(_line(self.left, self.bottom, self.left + self.width, self.bottom, INK))
        return parts


def _columns_plot(counts: Sequence[Number], *, width: int, height: int) -> _Plot:
    # Room above the plot for the value written on the tallest column, and below it for the axis and a note.
    return _Plot(
        left=72,
        top=22,
        width=width - 72 - 32,
        height=height - 22 - 58,
        ticks=nice_ticks(0, max(counts), whole=True),
    )


def _columns(plot: _Plot, columns: Sequence[tuple[str, Number]]) -> list[str]:
    """One column per (label, value) across the plot, each with its value above it where the text fits."""
    width = plot.width / len(columns)
    gap = min(2, width / 4)
    widest = max(len(count(value)) for _, value in columns)
    written = CHAR_WIDTH * widest <= width - gap
    parts = []
    for index, (label, value) in enumerate(columns):
        left = plot.left + index * width
        parts.append(
            _bar(left + gap / 2, plot.y(value), width - gap, plot.y(0) - plot.y(value), f"{label}: {count(value)}")
        )
        if written:
            parts.append(_text(left + width / 2, plot.y(value) - 4, count(value), anchor="middle", fill=INK))
    return parts


def _series_line(
    points: Sequence[tuple[date, Number | None]],
    index: int,
    x: Callable[[date], float],
    y: Callable[[Number], float],
) -> list[str]:
    colour, dash, marker = _style(index)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = []
    for segment in _segments(points):
        d = " ".join(f"{'M' if i == 0 else 'L'}{x(day):.1f},{y(value):.1f}" for i, (day, value) in enumerate(segment))
        parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
    plotted = [(day, value) for day, value in points if value is not None]
    step = max(1, math.ceil(len(plotted) / MAX_MARKERS))
    for position, (day, value) in enumerate(plotted):
        if position % step == 0 or position == len(plotted) - 1:
            parts.append(_marker(marker, x(day), y(value), colour))
    return parts


def _key(index: int, x: float, y: float) -> list[str]:
    """A short stretch of line `index` with its marker: how a legend shows which line is which."""
    colour, dash, marker = _style(index)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return [
        f'<path d="M{x:.1f},{y:.1f} h28" stroke="{colour}" stroke-width="2"{dash_attr}/>',
        _marker(marker, x + 14, y, colour),
    ]


class _Svg:
    def __init__(self, title: str, description: str, *, width: int, data: str, chart_id: str = ""):
        self.title, self.description, self.width = title, description, width
        # Two charts on one page need different ids; the same chart always gets the same one.
        self.id = chart_id or "chart-" + hashlib.sha256(f"{title}\0{description}\0{data}".encode()).hexdigest()[:12]

    def render(self, parts: list[str], *, height: int) -> SafeString:
        # Safe: every text part went through escape(); the rest are numbers and constants.
        return mark_safe(
            f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="{escape(self.id)}-title {escape(self.id)}-desc" width="{self.width}" height="{height}" '
            f'viewBox="0 0 {self.width} {height}" font-family="{FONT}" font-size="{FONT_SIZE}" '
            # Scales down to a narrow column or page and is never split across two printed pages; the PDF
            # export rewrites this style for WeasyPrint (portfolio/dossiers/exports.py), so keep its shape.
            f'style="display:block;max-width:100%;height:auto;break-inside:avoid;page-break-inside:avoid">'
            f'<title id="{escape(self.id)}-title">{escape(self.title)}</title>'
            f'<desc id="{escape(self.id)}-desc">{escape(self.description)}</desc>'
            f'<rect width="{self.width}" height="{height}" fill="#fff"/>' + "".join(parts) + "</svg>"
        )

    def empty(self, text: str, *, height: int) -> SafeString:
        return self.render([_text(self.width / 2, height / 2, text, anchor="middle", fill=MUTED)], height=height)


def _style(index: int) -> tuple[str, str, str]:
    return COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)], MARKERS[index % len(MARKERS)]


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="1"/>'


def _bar(x: float, y: float, width: float, height: float, tooltip: str) -> str:
    """A bar or a column in the chart colour (at least 1 wide, so a small value still shows), with its tooltip."""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 1):.1f}" height="{height:.1f}" '
        f'fill="{COLOURS[0]}" stroke="{INK}" stroke-width="0.5"><title>{escape(tooltip)}</title></rect>'
    )


def _text(x: float, y: float, text: str, *, fill: str, anchor: str = "start", italic: bool = False) -> str:
    style = ' font-style="italic"' if italic else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{style}>{escape(text)}</text>'


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 3.5
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    if shape == "triangle":
        return _path([(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)], fill=colour)
    if shape == "down":
        return _path([(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)], fill=colour)
    if shape == "diamond":
        return _path([(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)], fill=colour)
    if shape == "cross":
        return _path([(x - r, y - r), (x + r, y + r)], stroke=colour) + _path(
            [(x - r, y + r), (x + r, y - r)], stroke=colour
        )
    if shape == "plus":
        return _path([(x - r - 1, y), (x + r + 1, y)], stroke=colour) + _path(
            [(x, y - r - 1), (x, y + r + 1)], stroke=colour
        )
    return _path([(x, y - r - 1), (x, y + r + 1)], stroke=colour)


def _path(points: Sequence[tuple[float, float]], *, fill: str = "", stroke: str = "") -> str:
    """A closed filled shape (with `fill`) or an open stroked line (with `stroke`) through `points`."""
    d = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(points))
    if fill:
        return f'<path d="{d} Z" fill="{fill}"/>'
    return f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="2"/>'


def _segments(points: Sequence[tuple[date, Number | None]]) -> list[list[tuple[date, Number]]]:
    """The runs of known values; a None ends one run."""
    segments, current = [], []
    for day, value in points:
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((day, value))
    if current:
        segments.append(current)
    return segments


def _all_whole(values: Sequence[Number]) -> bool:
    """Whole-number data (counts) gets whole-number ticks: no axis at 0.5 followers."""
    return all(float(value).is_integer() for value in values)


def _written(value: Number | None, value_format: Callable[[Number], str]) -> str:
    return NOT_COMPUTABLE if value is None else value_format(value)


def _tick_label(value_format: Callable[[Number], str], tick: Number) -> str:
    """Ticks are round numbers: '5.0%' reads better as '5%'."""
    return re.sub(r"\.0(?=\D*$)", "", value_format(tick))


def _fit(text: str, room: float) -> str:
    most = max(int(room / CHAR_WIDTH + 1e-9), 4)  # + 1e-9: 27 x 7.2 / 7.2 must stay 27
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _line_summary(label: str, points: Sequence[tuple[date, Number | None]], value_format) -> str:
    known = [(day, value) for day, value in points if value is not None]
    if not known:
        return f"{label}: no data."
    (first_day, first), (last_day, last) = known[0], known[-1]
    low_day, low = min(known, key=lambda point: point[1])
    high_day, high = max(known, key=lambda point: point[1])
    return (
        f"{label}: {value_format(first)} on {first_day.isoformat()} to {value_format(last)} on {last_day.isoformat()}"
        f" ({len(known)} point{'' if len(known) == 1 else 's'}; lowest {value_format(low)} on {low_day.isoformat()},"
        f" highest {value_format(high)} on {high_day.isoformat()})."
    )
