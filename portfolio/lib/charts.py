"""
Server-rendered SVG charts that print, read aloud and survive a black-and-white photocopy.

- `line_chart`: dated series (followers over time), one line per series.
- `bar_chart`: labelled values (engagement per highlighted post, audience by region), one bar per label.

Each chart is an <svg role="img"> with a <title> and a <desc>; the desc holds the caller's description
and the data in words (every bar's value; each line's first, last, lowest and highest points), so a screen
reader hears what the picture shows. Lines differ by dash pattern and marker shape as well as by colour,
and every bar carries its value as text: nothing depends on colour alone. A missing value (a rate that is
not computable) is written as such, never drawn as 0.

The output is a pure function of the arguments (no counters, no randomness): a frozen dossier renders
to the same bytes every time. Text is escaped, whatever it holds.
"""

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
INK = "#1a1a1a"
MUTED = "#555"
GRID = "#d0d0d0"
# Dark colours that keep their contrast on white; each line also has its own dash and marker (below).
COLOURS = ("#1f4e79", "#a63603", "#1b5e20", "#5b2a86", "#7f6000", "#004d4d")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "bar")
# Markers on a long daily series would blur into the line; every k-th point carries one instead.
MAX_MARKERS = 40
FONT_SIZE = 12
CHAR_WIDTH = 0.6 * FONT_SIZE  # an average character, to fit labels


def count(value: Number) -> str:
    """1234 -> '1,234'; 1234.5 -> '1,234.5'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(value: Number) -> str:
    """A fraction as a percentage: 0.0474 -> '4.7%'."""
    return f"{value:.1%}"


def line_chart(
    *,
    title: str,
    description: str,
    series: Mapping[str, Sequence[tuple[date, Number | None]]],
    value_format: Callable[[Number], str] = count,
    width: int = 640,
    height: int = 280,
    empty_text: str = "No data to chart.",
) -> SafeString:
    """
    One line per series (label -> [(day, value), ...] in any order). A None value breaks the line there.
    The value axis starts at 0 (or lower, for negative values), so growth is not exaggerated.
    """
    cleaned = {label: sorted(points, key=lambda point: point[0]) for label, points in series.items()}
    known = [(day, value) for points in cleaned.values() for day, value in points if value is not None]
    summary = " ".join(_line_summary(label, points, value_format) for label, points in cleaned.items())
    svg = _Svg(title=title, description=f"{description} {summary}".strip(), width=width, data=repr(cleaned))
    if not known:
        return svg.empty(empty_text, height=height)

    # A legend only when there is more than one line: as many columns as the longest label allows.
    legend_column = CHAR_WIDTH * max(len(label) for label in cleaned) + 48
    legend_columns = max(1, min(len(cleaned), int((width - 16) // legend_column)))
    legend_rows = math.ceil(len(cleaned) / legend_columns) if len(cleaned) > 1 else 0
    plot = _TimePlot(
        left=72,
        top=14,
        width=width - 72 - 32,
        height=height - 14 - 40 - legend_rows * 20,
        first_day=min(day for day, _ in known),
        last_day=max(day for day, _ in known),
        ticks=nice_ticks(min(0, min(value for _, value in known)), max(value for _, value in known)),
    )
    parts = _time_axes(plot, value_format)
    for index, points in enumerate(cleaned.values()):
        parts += _series_line(plot, points, index)
    if legend_rows:
        column_width = (width - 16) / legend_columns
        for index, label in enumerate(cleaned):
            lx = 16 + (index % legend_columns) * column_width
            ly = height - legend_rows * 20 + (index // legend_columns) * 20 + 4
            parts += _legend_entry(label, index, lx, ly, column_width - 40)
    return svg.render(parts, height=height)


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Number | None]],
    value_format: Callable[[Number], str] = count,
    width: int = 640,
    missing_text: str = "not computable",
    empty_text: str = "No data to chart.",
) -> SafeString:
    """
    Horizontal bars, one per (label, value), in the order given, each with its value written at its end.
    A None value gets `missing_text` instead of a bar. Long labels are shortened with an ellipsis on the
    picture; the desc and each bar's tooltip keep them whole.
    """
    bars = list(bars)
    spoken = "; ".join(f"{label}: {missing_text if value is None else value_format(value)}" for label, value in bars)
    svg = _Svg(title=title, description=f"{description} {spoken}.".strip(), width=width, data=repr(bars))
    known = [value for _, value in bars if value is not None]
    if not bars:
        return svg.empty(empty_text, height=60)

    row_height, bar_height, top, bottom = 26, 16, 8, 30
    label_width = min(width * 0.4, max(CHAR_WIDTH * max(len(label) for label, _ in bars) + 12, 60))
    value_room = CHAR_WIDTH * max([len(missing_text), *(len(value_format(v)) for v in known)]) + 12
    left, right = label_width, value_room
    height = top + row_height * len(bars) + bottom
    ticks = nice_ticks(min([0, *known]), max([0, *known]))
    plot_width = width - left - right

    def x(value: Number) -> float:
        return left + plot_width * (value - ticks[0]) / (ticks[-1] - ticks[0])

    parts = []
    axis_y = top + row_height * len(bars)
    for tick in ticks:
        parts.append(_line(x(tick), top, x(tick), axis_y, GRID))
        parts.append(_text(x(tick), axis_y + 18, _tick_label(value_format, tick), anchor="middle", fill=MUTED))
    for index, (label, value) in enumerate(bars):
        row_y = top + index * row_height
        middle = row_y + row_height / 2
        parts.append(_text(left - 8, middle + 4, _fit(label, label_width - 12), anchor="end", fill=INK))
        if value is None:
            parts.append(_text(x(0) + 6, middle + 4, missing_text, anchor="start", fill=MUTED, italic=True))
            continue
        start, end = sorted((x(0), x(value)))
        parts.append(
            f'<rect x="{start:.1f}" y="{middle - bar_height / 2:.1f}" width="{max(end - start, 1):.1f}" '
            f'height="{bar_height}" fill="{COLOURS[0]}" stroke="{INK}" stroke-width="0.5">'
            f"<title>{escape(label)}: {escape(value_format(value))}</title></rect>"
        )
        parts.append(_text(end + 6, middle + 4, value_format(value), anchor="start", fill=INK))
    parts.append(_line(x(0), top, x(0), axis_y, INK))
    return svg.render(parts, height=height)


# Scales.


def nice_ticks(low: Number, high: Number, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from at or below `low` to at or above `high`."""
    if high <= low:
        high = low + (abs(low) or 1)
    raw_step = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
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
class _TimePlot:
    """The plotting area of a line chart and its two scales: days across, values up."""

    left: float
    top: float
    width: float
    height: float
    first_day: date
    last_day: date
    ticks: list[float]

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def x(self, day: date) -> float:
        span = (self.last_day - self.first_day).days
        return self.left + (self.width / 2 if span == 0 else self.width * (day - self.first_day).days / span)

    def y(self, value: Number) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.top + self.height * (1 - (value - low) / (high - low))


def _time_axes(plot: _TimePlot, value_format) -> list[str]:
    parts = []
    for tick in plot.ticks:
        parts.append(_line(plot.left, plot.y(tick), plot.left + plot.width, plot.y(tick), GRID))
        parts.append(_text(plot.left - 8, plot.y(tick) + 4, _tick_label(value_format, tick), anchor="end", fill=MUTED))
    for day, label in date_ticks(plot.first_day, plot.last_day):
        parts.append(_line(plot.x(day), plot.bottom, plot.x(day), plot.bottom + 5, INK))
        parts.append(_text(plot.x(day), plot.bottom + 18, label, anchor="middle", fill=MUTED))
    parts.append(_line(plot.left, plot.bottom, plot.left + plot.width, plot.bottom, INK))
    parts.append(_line(plot.left, plot.top, plot.left, plot.bottom, INK))
    return parts


def _series_line(plot: _TimePlot, points: Sequence[tuple[date, Number | None]], index: int) -> list[str]:
    colour, dash, marker = _style(index)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = []
    for segment in _segments(points):
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{plot.x(day):.1f},{plot.y(value):.1f}" for i, (day, value) in enumerate(segment)
        )
        parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
    plotted = [(day, value) for day, value in points if value is not None]
    step = max(1, math.ceil(len(plotted) / MAX_MARKERS))
    for position, (day, value) in enumerate(plotted):
        if position % step == 0 or position == len(plotted) - 1:
            parts.append(_marker(marker, plot.x(day), plot.y(value), colour))
    return parts


def _legend_entry(label: str, index: int, x: float, y: float, room: float) -> list[str]:
    colour, dash, marker = _style(index)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return [
        f'<path d="M{x:.1f},{y:.1f} h28" stroke="{colour}" stroke-width="2"{dash_attr}/>',
        _marker(marker, x + 14, y, colour),
        _text(x + 36, y + 4, _fit(label, room), anchor="start", fill=INK),
    ]


class _Svg:
    def __init__(self, *, title: str, description: str, width: int, data: str):
        self.title, self.description, self.width = title, description, width
        digest = hashlib.sha256(f"{title}\0{description}\0{data}".encode()).hexdigest()[:12]
        self.id = f"chart-{digest}"

    def render(self, parts: list[str], *, height: int) -> SafeString:
        # Safe: every text part went through escape(); the rest are numbers and constants.
        return mark_safe(
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{self.id}-title {self.id}-desc" width="{self.width}" height="{height}" '
            f'viewBox="0 0 {self.width} {height}" font-family="{FONT}" font-size="{FONT_SIZE}" '
            # Scales down to a narrow column or page and is never split across two printed pages.
            f'style="display:block;max-width:100%;height:auto;break-inside:avoid;page-break-inside:avoid">'
            f'<title id="{self.id}-title">{escape(self.title)}</title>'
            f'<desc id="{self.id}-desc">{escape(self.description)}</desc>'
            f'<rect width="{self.width}" height="{height}" fill="#fff"/>' + "".join(parts) + "</svg>"
        )

    def empty(self, text: str, *, height: int) -> SafeString:
        return self.render([_text(self.width / 2, height / 2, text, anchor="middle", fill=MUTED)], height=height)


def _style(index: int) -> tuple[str, str, str]:
    return COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)], MARKERS[index % len(MARKERS)]


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="1"/>'


def _text(x: float, y: float, text: str, *, anchor: str, fill: str, italic: bool = False) -> str:
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
    if shape == "diamond":
        return _path([(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)], fill=colour)
    if shape == "cross":
        return _path([(x - r, y - r), (x + r, y + r)], stroke=colour) + _path(
            [(x - r, y + r), (x + r, y - r)], stroke=colour
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
