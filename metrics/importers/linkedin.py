"""
LinkedIn Page analytics, content export (Page admin → Analytics → Content → Export): an Excel
workbook, usually `.xls` (read with xlrd), sometimes `.xlsx` (openpyxl). Sheet 0 is `Metrics`
(daily, whole page) and sheet 1 `All posts`, one row per post, which is the one read here. Row 1
is a description sentence and the header is on row 2; the header is looked for in the first rows
rather than assumed, since the wording and presence of that sentence vary.

| field        | column (`All posts`)                                                     |
|--------------|--------------------------------------------------------------------------|
| external_id  | the digits of the `urn:li:activity:<id>` in Post link (else share/ugcPost) |
| url          | Post link                                                                |
| caption      | Post title (the post text)                                               |
| published_at | Created date (MM/DD/YYYY text, or a date cell): the start of that day in `tz` |
| content_type | Content Type: Video → video (blank → not said)                           |
| impressions  | Impressions                                                              |
| views        | Views (excluding off-site video views)                                   |
| clicks       | Clicks                                                                   |
| likes        | Likes                                                                    |
| comments     | Comments                                                                 |
| shares       | Reposts (older: Shares)                                                  |
| follows      | Follows                                                                  |

Ignored: Post type (Organic / Sponsored), the campaign and audience columns, Posted by,
Off-site views, Click through rate (CTR) and Engagement rate (fractions shown as percentages).
Other LinkedIn workbooks (Followers, Visitors, the personal creator export) are recognised by
their sheets and refused with a message that says which export to use.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from functools import partial
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

import openpyxl
import xlrd
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from . import common, containers, dates, limits
from .base import FileFacts, Format, ParsedChunk, ParsedFile, PostRow, UnrecognisedFile, UnsupportedFile

ALIASES = {
    "url": ("Post link",),
    "caption": ("Post title",),
    "published_at": ("Created date",),
    "content_type": ("Content Type",),
    "impressions": ("Impressions",),
    "views": ("Views (excluding off-site video views)", "Views"),
    "clicks": ("Clicks",),
    "likes": ("Likes", "Reactions"),
    "comments": ("Comments",),
    "shares": ("Reposts", "Shares"),
    "follows": ("Follows",),
}
METRICS = ("impressions", "views", "clicks", "likes", "comments", "shares", "follows")
CONTENT_TYPES = {
    "video": "video",
    "image": "image",
    "photo": "image",
    "article": "article",
    "document": "document",
    "poll": "poll",
    "text": "text",
}
POST_URN = re.compile(r"urn:li:(activity|share|ugcPost):(\d+)", re.IGNORECASE)
POSTS_SHEET = "all posts"
CREATOR_SHEETS = {"discovery", "engagement", "top posts", "followers", "demographics"}


def sniff(head: bytes, filename: str) -> bool:
    if head.startswith(common.OLE_MAGIC):
        return True  # the only legacy Excel file among the formats
    if head.startswith(common.ZIP_MAGIC) and (b"[Content_Types].xml" in head or b"xl/" in head):
        return True
    return common.base_name(filename).lower().endswith((".xls", ".xlsx"))


@dataclass
class Sheet:
    rows: list[tuple[int, list]]
    date_1904: bool  # the workbook counts its date serials from 1904 (old Macs), not from 1900


def read_posts_sheet(stream: BinaryIO) -> Sheet:
    """
    The `All posts` sheet's non-blank rows, numbered as the sheet numbers them, as cell values (dates as
    datetimes where the cell is formatted as a date). Only that sheet is read, within the limits: a workbook
    of at most IMPORT_MAX_WHOLE_BYTES (for an .xlsx, each part, checked before openpyxl opens it), at most
    IMPORT_MAX_ROWS rows, IMPORT_MAX_COLUMNS columns and IMPORT_MAX_CELLS cells. A workbook without the sheet
    is refused, naming the sheets it has.
    """
    head = stream.read(len(common.OLE_MAGIC))
    stream.seek(0)
    if head.startswith(common.OLE_MAGIC):
        return _xls_rows(stream)
    if head.startswith(common.ZIP_MAGIC):
        containers.check_workbook(stream)
        return _xlsx_rows(stream)
    raise UnrecognisedFile("This is not an Excel workbook (.xls or .xlsx): export the page's content analytics again.")


def _xls_rows(stream: BinaryIO) -> Sheet:
    allowed = limits.current()
    data = limits.Bounded(stream, most=allowed.whole_bytes, what="The workbook", setting="IMPORT_MAX_WHOLE_BYTES")
    try:
        book = xlrd.open_workbook(file_contents=io.BufferedReader(data).read(), on_demand=True)
        sheet = book.sheet_by_name(_posts_sheet(book.sheet_names()))
    except xlrd.XLRDError as error:
        raise UnrecognisedFile(f"The .xls workbook cannot be read: {error}") from None
    _check_size(sheet.nrows, sheet.ncols)
    rows = _Rows()
    for index in range(sheet.nrows):
        cells = [
            xlrd.xldate_as_datetime(cell.value, book.datemode) if cell.ctype == xlrd.XL_CELL_DATE else cell.value
            for cell in sheet.row(index)
        ]
        rows.add(index + 1, cells)
    return Sheet(rows.kept, date_1904=book.datemode == 1)


def _xlsx_rows(stream: BinaryIO) -> Sheet:
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as error:
        raise UnrecognisedFile(f"The .xlsx workbook cannot be read: {error}") from None
    try:
        sheet = book[_posts_sheet(book.sheetnames)]
        # A sheet may declare any size (up to 16,384 columns by 1,048,576 rows), and openpyxl would pad every
        # row to it: forget the declaration, so that each row is as wide as its last cell.
        sheet.reset_dimensions()
        rows = _Rows()
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            _check_size(number, len(cells))
            rows.add(number, list(cells))
        return Sheet(rows.kept, date_1904=book.epoch == CALENDAR_MAC_1904)
    except (KeyError, OSError, ValueError, ParseError) as error:
        raise UnrecognisedFile(f"The .xlsx workbook cannot be read: {error}") from None
    finally:
        book.close()


class _Rows:
    """A sheet's non-blank rows, without their trailing empty cells, counted against IMPORT_MAX_CELLS."""

    def __init__(self):
        self.kept, self.cells, self.most = [], 0, limits.current().cells

    def add(self, number: int, cells: list) -> None:
        while cells and common.cell_text(cells[-1]) == "":
            cells.pop()
        if not cells:
            return
        self.cells += len(cells)
        if self.cells > self.most:
            raise limits.exceeded(
                f"The sheet has more than {self.most:,} cells (by row {number})", self.most, "cells", "IMPORT_MAX_CELLS"
            )
        self.kept.append((number, cells))


def _check_size(rows: int, columns: int) -> None:
    allowed = limits.current()
    # The header and the description above it are not rows of posts.
    if rows > allowed.rows + common.PREAMBLE_LIMIT + 1:
        raise limits.exceeded(f"The sheet has more than {allowed.rows:,} rows", allowed.rows, "rows", "IMPORT_MAX_ROWS")
    if columns > allowed.columns:
        raise limits.exceeded(
            f"The sheet has more than {allowed.columns:,} columns", allowed.columns, "columns", "IMPORT_MAX_COLUMNS"
        )


def _posts_sheet(names: list[str]) -> str:
    """The name of the `All posts` sheet; the creator export and other workbooks are refused, saying why."""
    by_name = {name.strip().casefold(): name for name in names}
    if POSTS_SHEET in by_name:
        return by_name[POSTS_SHEET]
    if set(by_name) >= CREATOR_SHEETS:
        raise UnsupportedFile(
            "This is LinkedIn's personal creator analytics export: it ranks top posts by engagements "
            "or by impressions only, not the numbers per post this site stores, so it is not imported. "
            "For a company page, export Analytics → Content; for a personal profile, use the template."
        )
    listed = ", ".join(repr(name) for name in names)
    raise UnrecognisedFile(
        f"This workbook has no 'All posts' sheet (its sheets: {listed}). Export the page's content "
        "analytics (Page admin → Analytics → Content → Export); the Followers and Visitors exports "
        "have no per-post numbers."
    )


def parse(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    sheet = read_posts_sheet(stream)
    table = common.table_from(sheet.rows, ALIASES, required=("url", "published_at"), label="LinkedIn page content")
    chunk = ParsedChunk()
    # LinkedIn writes MM/DD/YYYY (as text or a date cell); a workbook re-saved where the day comes first
    # says so in this column, and one whose dates lost their format holds Excel's day numbers.
    order = dates.DateOrder(table.column("published_at"), native=dates.MONTH_FIRST)
    created = dates.resaved(partial(_created_date, date_1904=sheet.date_1904), order)
    for number, cells in table.rows:
        row = common.Row(number, cells, table.columns, day_first=order.day_first)
        link = row.text("url")
        urn = _post_urn(link)
        if not urn:
            row.fail("url", f"no post id (urn:li:activity:…) in the link: {link!r}" if link else "no post link")
        day = row.read("published_at", created)
        content_type = CONTENT_TYPES.get(row.text("content_type").casefold(), "")
        metrics = row.metrics(METRICS)
        caption = row.caption("caption")
        if row.errors:
            chunk.errors.extend(row.errors)
            continue
        chunk.posts.append(
            PostRow(
                row=number,
                external_id=urn,
                url=link,
                published_at=dates.at_midnight(day, tz),
                content_type=content_type,
                caption=caption,
                metrics=metrics,
            )
        )
    facts = FileFacts(
        format=FORMAT.key, label=FORMAT.label, platform=FORMAT.platform, ignored_columns=table.columns.ignored
    )
    return ParsedFile(facts=facts, chunks=iter([chunk]))


def _created_date(raw, *, date_1904: bool) -> date:
    """`Created date`: MM/DD/YYYY text, a date cell, or a date cell that lost its format (Excel's day number)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return dates.from_excel_serial(raw, date_1904=date_1904).date()
    return dates.parse_us_date(raw)


def _post_urn(link: str) -> str:
    """The post's id: an activity urn when the link has one (what LinkedIn's own links use)."""
    urns = {kind.casefold(): digits for kind, digits in POST_URN.findall(link)}
    return urns.get("activity") or next(iter(urns.values()), "")


FORMAT = Format(
    key="linkedin", label="LinkedIn page content (All posts)", platform="linkedin", sniff=sniff, parse=parse
)
