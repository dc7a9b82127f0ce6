"""
YouTube Studio's content table (Analytics → Advanced mode → Export → CSV): `Table data.csv`,
alone or inside the zip Studio downloads (which also holds `Chart data.csv` and `Totals.csv`).

The first columns are fixed (`Content`, `Video title`, `Video publish time`, `Duration`); the
metric columns are whichever the user picked, so each is optional. Line 2 is the `Total` row,
which is skipped and counted in `skipped_rows`. The numbers are for the period chosen in Studio,
which the zip's name gives (`Content <start>_<end> <Channel name>`): its last day is the
export's `captured_on`.

| field              | column                                                         |
|--------------------|----------------------------------------------------------------|
| external_id        | Content (the 11-character video id, trimmed)                   |
| url                | https://www.youtube.com/watch?v=<id>                           |
| caption            | Video title                                                    |
| published_at       | Video publish time (`Jan 6, 2024`: the start of that day in `tz`) |
| content_type       | video (the file does not tell Shorts apart)                    |
| views              | Views                                                          |
| watch_time_seconds | Watch time (hours) * 3600, rounded                             |
| impressions        | Impressions, or Thumbnail impressions (newer label)            |
| follows            | Subscribers gained; without it, Subscribers (net, see below)   |
| reach              | Unique viewers                                                 |
| likes / dislikes   | Likes / Dislikes                                               |
| shares             | Shares                                                         |
| comments           | Comments added                                                 |

Decisions. `Subscribers` is net (gained - lost): it is used for follows only when the file has no
`Subscribers gained`, and a negative net is stored as not reported (None, no error), since it
cannot say how many people followed and a count is never negative. The click-through rate is
ignored rather than turned into clicks: impressions * CTR counts thumbnail clicks that became
views, which would count a view as an action and is not what other platforms call clicks.
Averages, revenue and the other `(%)` columns are ignored too.
"""

import re
from datetime import UTC, date, tzinfo
from decimal import ROUND_HALF_UP
from typing import BinaryIO

from . import common, containers, dates
from .base import FileFacts, Format, KnownFile, ParsedChunk, ParsedFile, PostRow, UnrecognisedFile

ALIASES = {
    "external_id": ("Content",),
    "caption": ("Video title",),
    "published_at": ("Video publish time",),
    "views": ("Views",),
    "watch_time_seconds": ("Watch time (hours)",),
    "impressions": ("Impressions", "Thumbnail impressions"),
    "follows": ("Subscribers gained", "Subscribers"),
    "reach": ("Unique viewers",),
    "likes": ("Likes",),
    "dislikes": ("Dislikes",),
    "shares": ("Shares",),
    "comments": ("Comments added",),
}
COUNTS = ("views", "impressions", "reach", "likes", "dislikes", "shares", "comments")
VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
TABLE = "table data.csv"
PERIOD_NAME = re.compile(r"Content (\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)


def sniff(head: bytes, filename: str) -> bool:
    if head.startswith(common.ZIP_MAGIC):
        return TABLE.encode() in head.lower()
    names = common.header_names(head)
    if {"content", "video title", "video publish time"} <= names:
        return "date" not in names  # Chart data.csv has the same columns after a Date
    return common.base_name(filename).lower() == TABLE


def watch_seconds(raw: str, day_first: bool = False) -> int | None:
    hours = common.parse_decimal(raw, day_first)
    if hours is None:
        return None
    if hours < 0:
        raise common.CellError(f"negative watch time: {raw.strip()}")
    return int((hours * 3600).to_integral_value(rounding=ROUND_HALF_UP))


def net_subscribers(raw: str, day_first: bool = False) -> int | None:
    value = common.parse_decimal(raw, day_first)
    if value is not None and value != value.to_integral_value():
        raise common.CellError(f"not a whole number: {raw.strip()}")
    return int(value) if value is not None and value >= 0 else None


def parse(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    if stream.read(len(common.ZIP_MAGIC)) == common.ZIP_MAGIC:
        table = _table_from_zip(stream)
    else:
        stream.seek(0)
        table = _read_table(stream)
    columns = table.columns
    net = "follows" in columns and common.normalise(columns.headers["follows"]) == "subscribers"

    chunk = ParsedChunk(errors=table.errors)
    order = dates.DateOrder(table.column("published_at"))  # `Jan 6, 2024`, or numeric once re-saved
    publish_day = dates.resaved(dates.parse_month_name_date, order)
    for number, cells in table.rows:
        row = common.Row(number, cells, columns, day_first=order.day_first)
        video_id = row.text("external_id")
        if video_id.casefold() == "total":
            chunk.skipped_rows += 1  # the sums over all videos, not a video
            continue
        if not VIDEO_ID.fullmatch(video_id):
            row.fail("external_id", f"not a YouTube video id: {video_id!r}" if video_id else "no video id")
        day = row.read("published_at", publish_day) if row.text("published_at") else None
        if not row.text("published_at"):
            row.fail("published_at", "no publish date")
        metrics = row.metrics(COUNTS)
        if "watch_time_seconds" in columns:
            metrics["watch_time_seconds"] = row.read("watch_time_seconds", watch_seconds, order.day_first)
        if "follows" in columns:
            metrics["follows"] = row.read("follows", net_subscribers if net else common.parse_count, order.day_first)
        caption = row.caption("caption")
        if row.errors:
            chunk.errors.extend(row.errors)
            continue
        chunk.posts.append(
            PostRow(
                row=number,
                external_id=video_id,
                url=f"https://www.youtube.com/watch?v={video_id}",
                published_at=dates.at_midnight(day, tz),
                content_type="video",
                caption=caption,
                metrics=metrics,
            )
        )

    period = PERIOD_NAME.search(filename)
    facts = FileFacts(
        format=FORMAT.key,
        label=FORMAT.label,
        platform=FORMAT.platform,
        captured_on=date.fromisoformat(period[2]) if period else None,
        ignored_columns=columns.ignored,
    )
    return ParsedFile(facts=facts, chunks=iter([chunk]))


def _read_table(stream: BinaryIO) -> common.ExportTable:
    return common.read_table(stream, ALIASES, required=("external_id", "published_at"), label="YouTube Table data.csv")


def _table_from_zip(stream: BinaryIO) -> common.ExportTable:
    """`Table data.csv` from Studio's zip: found by the zip's directory, the only file unpacked."""
    with containers.open_zip(stream) as archive:
        found = containers.files(archive)
        for info in found:
            if containers.name_of(info).lower() == TABLE:
                with containers.open_member(archive, info) as member:
                    return _read_table(member)
    names = ", ".join(containers.name_of(info) for info in found) or "nothing"
    raise UnrecognisedFile(f"The zip has no 'Table data.csv' (it holds: {names}).")


FORMAT = Format(key="youtube", label="YouTube Studio content table", platform="youtube", sniff=sniff, parse=parse)


def _chart_or_totals(head: bytes, filename: str) -> bool:
    names = common.header_names(head)
    name = common.base_name(filename).lower()
    return {"date", "content", "video title"} <= names or ("date" in names and name in ("totals.csv", "chart data.csv"))


UNSUPPORTED = (
    KnownFile(
        label="YouTube Chart data.csv / Totals.csv",
        sniff=_chart_or_totals,
        reason=(
            "This is YouTube Studio's 'Chart data.csv' or 'Totals.csv': numbers per day, not per video, "
            "so there is nothing to import from it. Upload 'Table data.csv' (or the whole zip) instead."
        ),
    ),
)
