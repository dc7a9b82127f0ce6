"""
TikTok Studio's data download (Analytics → Download data, CSV): `Content.csv` (one row per video)
and `FollowerHistory.csv` (followers per day), alone or in the zip Studio hands out. Files are
recognised by their header, since downloads from a phone arrive renamed. Every field is quoted,
numbers included; a UTF-8 BOM may lead.

No date has a year (`28 May`, `September 4`, `18 января`, `9月16日`, `18 tháng Tám`,
`8 de setembro`). `Time` in Content.csv is the export date: its year is the latest one that does
not put it after `today`. Every other date is then the latest such day on or before the export
date (so a December post exported in January is dated the year before); FollowerHistory.csv alone
uses `today`, as it has no export date (in the zip, Content.csv's `Time` serves).

Content.csv:

| field        | column                                                                  |
|--------------|-------------------------------------------------------------------------|
| external_id  | the 19-digit id at the end of Video link                                |
| url          | Video link (`https://www.tiktok.com/@<handle>/video/<id>`; gives the handle) |
| caption      | Video title (Studio cuts long ones short with `...`)                    |
| published_at | the id's top 32 bits (Unix seconds of the upload) when they fall within a  |
|              | day of Post time, else the start of Post time's day in `tz`               |
| captured_on  | Time (the export date)                                                  |
| content_type | short_video                                                             |
| likes        | Total likes                                                             |
| comments     | Total comments                                                          |
| shares       | Total shares                                                            |
| views        | Total views                                                             |
| saves        | Total bookmarks / Add to favorites, if present                          |

FollowerHistory.csv gives account rows: `Date` → captured_on, `Followers` → followers; the daily
difference is ignored (it follows from the totals). The other files of the download (Overview,
Viewers, FollowerActivity, FollowerGender, FollowerTopTerritories) have no per-post numbers or
follower totals: alone they are refused with a message, inside the zip they are passed over.

A pasted export was once seen with caption quotes that were not doubled; the CSV reader keeps
such quotes as text, and a row that a stray comma split into too many cells is put back together
around the video link, the one cell that is sure to be itself.
"""

import contextlib
import re
from collections.abc import Callable
from datetime import UTC, date, timedelta, tzinfo
from functools import partial
from typing import BinaryIO

from . import common, containers, dates
from .base import AccountRow, FileFacts, Format, KnownFile, ParsedChunk, ParsedFile, PostRow, UnrecognisedFile

CONTENT_ALIASES = {
    "captured_on": ("Time",),
    "caption": ("Video title",),
    "url": ("Video link",),
    "published_at": ("Post time",),
    "likes": ("Total likes",),
    "comments": ("Total comments",),
    "shares": ("Total shares",),
    "views": ("Total views",),
    "saves": ("Total bookmarks", "Add to favorites"),
}
HISTORY_ALIASES = {"captured_on": ("Date",), "followers": ("Followers",)}
METRICS = ("likes", "comments", "shares", "views", "saves")
VIDEO_LINK = re.compile(r"https?://(?:www\.|m\.)?tiktok\.com/@([\w.-]+)/(?:video|photo)/(\d+)", re.IGNORECASE)
CONTENT_FILE, HISTORY_FILE = "content.csv", "followerhistory.csv"


def _is_content(names: frozenset[str]) -> bool:
    return {"time", "video title", "video link", "post time"} <= names


def _is_history(names: frozenset[str]) -> bool:
    return {"date", "followers"} <= names


def sniff(head: bytes, filename: str) -> bool:
    if head.startswith(common.ZIP_MAGIC):
        return any(name.encode() in head.lower() for name in (CONTENT_FILE, HISTORY_FILE))
    names = common.header_names(head)
    if _is_content(names) or _is_history(names):
        return True
    return common.base_name(filename).lower() in (CONTENT_FILE, HISTORY_FILE)


def day_on_or_before(raw: str, reference: date, order: dates.DateOrder | None = None) -> date:
    """
    A date without a year (TikTok's own), or with one, as a file re-saved by a spreadsheet program writes it:
    ISO, or numeric in the column's `order` (`dates.DateOrder`).
    """
    if order is not None and dates.NUMERIC_DATE.fullmatch(raw.strip()):
        return dates.parse_numeric_date(raw, order)
    try:
        return dates.parse_yearless_date(raw, reference)
    except common.CellError:
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise common.CellError(f"not a day and month such as '28 May': {raw!r}") from None


def parse(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    if stream.read(len(common.ZIP_MAGIC)) == common.ZIP_MAGIC:
        with containers.open_zip(stream) as archive:
            return _parse(_members(archive), today=today, tz=tz)
    head = stream.read(common.HEAD_SIZE)
    stream.seek(0)
    kind = HISTORY_FILE if _kind(head, filename) == HISTORY_FILE else CONTENT_FILE
    return _parse({kind: partial(contextlib.nullcontext, stream)}, today=today, tz=tz)


def _members(archive) -> dict[str, Callable]:
    """
    Content.csv and FollowerHistory.csv of Studio's zip, each as a function that opens it. Files are known by
    their names first, from the zip's directory; only when a name does not say (a phone renames downloads) is
    the start of a file read to see its header, and only the files a format needs are ever unpacked whole.
    """
    found = containers.files(archive)
    wanted = {}
    for info in found:
        kind = common.base_name(containers.name_of(info)).lower()
        if kind in (CONTENT_FILE, HISTORY_FILE):
            wanted.setdefault(kind, info)
    for info in found:
        if len(wanted) == 2:
            break
        if info in wanted.values():
            continue
        with containers.open_member(archive, info) as member:
            kind = _kind(member.read(common.HEAD_SIZE), "")
        if kind in (CONTENT_FILE, HISTORY_FILE):
            wanted.setdefault(kind, info)
    if not wanted:
        listed = ", ".join(containers.name_of(info) for info in found) or "nothing"
        raise UnrecognisedFile(f"The zip has no Content.csv or FollowerHistory.csv (it holds: {listed}).")
    return {kind: partial(containers.open_member, archive, info) for kind, info in wanted.items()}


def _parse(files: dict[str, Callable], *, today: date, tz: tzinfo) -> ParsedFile:
    chunk = ParsedChunk()
    captured_on, handles, ignored, label = None, set(), [], []
    if CONTENT_FILE in files:
        with files[CONTENT_FILE]() as content:
            captured_on, handles, ignored_here = _read_content(content, chunk, today=today, tz=tz)
        ignored += ignored_here
        label.append("Content.csv")
    if HISTORY_FILE in files:
        part = ParsedChunk()
        with files[HISTORY_FILE]() as history:
            ignored += _read_history(history, part, reference=captured_on or today)
        if CONTENT_FILE in files:  # two files in one upload: a problem says which file it is in
            for error in part.errors:
                error.column = f"FollowerHistory.csv: {error.column}" if error.column else "FollowerHistory.csv"
        chunk.account_rows, chunk.errors = part.account_rows, chunk.errors + part.errors
        label.append("FollowerHistory.csv")
    facts = FileFacts(
        format=FORMAT.key,
        label=f"TikTok Studio {' + '.join(label)}",
        platform=FORMAT.platform,
        handle=handles.pop() if len(handles) == 1 else "",
        captured_on=captured_on,
        ignored_columns=tuple(ignored),
    )
    return ParsedFile(facts=facts, chunks=iter([chunk]))


def _kind(head: bytes, name: str) -> str:
    names = common.header_names(head[: common.HEAD_SIZE])
    if _is_content(names):
        return CONTENT_FILE
    if _is_history(names):
        return HISTORY_FILE
    return common.base_name(name).lower()


def _read_content(stream: BinaryIO, chunk: ParsedChunk, *, today: date, tz: tzinfo):
    table = common.read_table(stream, CONTENT_ALIASES, required=("url", "published_at"), label="TikTok Content.csv")
    chunk.errors.extend(table.errors)
    exported, handles = None, set()
    # A re-saved file's dates have a year, in the spreadsheet program's order: both columns tell it.
    order = dates.DateOrder([*table.column("published_at"), *table.column("captured_on")])
    for number, cells in table.rows:
        row = common.Row(number, _realigned(cells, table.columns), table.columns, day_first=order.day_first)
        # `Time` is one export date for the whole file; a row without it takes the first row's.
        captured_on = row.read("captured_on", day_on_or_before, today, order) if row.text("captured_on") else exported
        exported = exported or captured_on
        link = VIDEO_LINK.match(row.text("url"))
        if not link:
            row.fail("url", f"not a TikTok video link: {row.text('url')!r}" if row.text("url") else "no video link")
        day = row.read("published_at", day_on_or_before, captured_on or today, order)
        metrics = row.metrics(METRICS)
        caption = row.caption("caption")
        if row.errors:
            chunk.errors.extend(row.errors)
            continue
        handles.add(link[1])
        chunk.posts.append(
            PostRow(
                row=number,
                external_id=link[2],
                url=row.text("url"),
                published_at=_posted(day, int(link[2]), tz),
                content_type="short_video",
                caption=caption,
                metrics=metrics,
                captured_on=captured_on,
            )
        )
    return exported, handles, list(table.columns.ignored)


def _realigned(cells: list[str], columns: common.Columns) -> list[str]:
    """A row with more cells than the header (a stray comma in the title) with its title joined again."""
    link_at, title_at = columns.positions["url"], columns.positions.get("caption")
    found = next((i for i, cell in enumerate(cells) if VIDEO_LINK.match(cell.strip())), link_at)
    extra = found - link_at
    if extra <= 0 or title_at is None or title_at >= link_at:
        return cells
    title = ",".join(cells[title_at : title_at + extra + 1])
    return [*cells[:title_at], title, *cells[title_at + extra + 1 :]]


def _posted(day: date, video_id: int, tz: tzinfo):
    uploaded = dates.from_unix_ms((video_id >> 32) * 1000)
    if abs(uploaded.date() - day) <= timedelta(days=1):
        return uploaded
    return dates.at_midnight(day, tz)


def _read_history(stream: BinaryIO, chunk: ParsedChunk, *, reference: date) -> list[str]:
    table = common.read_table(
        stream, HISTORY_ALIASES, required=("captured_on", "followers"), label="TikTok FollowerHistory.csv"
    )
    chunk.errors.extend(table.errors)
    order = dates.DateOrder(table.column("captured_on"))
    for number, cells in table.rows:
        row = common.Row(number, cells, table.columns, day_first=order.day_first)
        day = row.read("captured_on", day_on_or_before, reference, order)
        followers = row.read("followers", common.parse_count, order.day_first)
        if row.errors:
            chunk.errors.extend(row.errors)
            continue
        chunk.account_rows.append(AccountRow(row=number, captured_on=day, followers=followers))
    return list(table.columns.ignored)


FORMAT = Format(
    key="tiktok", label="TikTok Studio data (Content, FollowerHistory)", platform="tiktok", sniff=sniff, parse=parse
)


def _other_studio_file(head: bytes, filename: str) -> bool:
    names = common.header_names(head)
    return (
        {"date", "video views", "profile views"} <= names
        or {"date", "total viewers"} <= names
        or {"date", "hour", "active followers"} <= names
        or (bool({"gender", "top territories"} & names) and "distribution" in names)
    )


UNSUPPORTED = (
    KnownFile(
        label="TikTok Studio overview or audience file",
        sniff=_other_studio_file,
        reason=(
            "This is one of TikTok Studio's daily or audience files (Overview, Viewers, FollowerActivity, "
            "FollowerGender or FollowerTopTerritories): it has no per-post numbers and no follower totals, "
            "so there is nothing to import from it. Upload Content.csv, FollowerHistory.csv, or the whole zip."
        ),
    ),
)
