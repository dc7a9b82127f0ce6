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
from datetime import UTC, date, tzinfo
from typing import BinaryIO

import openpyxl
import xlrd

from . import common, dates
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


def read_sheets(data: bytes) -> dict[str, list[tuple[int, list]]]:
    """Every sheet of the workbook as numbered rows of cell values (dates as datetimes), by name."""
    if data.startswith(common.OLE_MAGIC):
        return _xls_sheets(data)
    if data.startswith(common.ZIP_MAGIC):
        return _xlsx_sheets(data)
    raise UnrecognisedFile("This is not an Excel workbook (.xls or .xlsx): export the page's content analytics again.")


def _xls_sheets(data: bytes) -> dict[str, list[tuple[int, list]]]:
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.XLRDError as error:
        raise UnrecognisedFile(f"The .xls workbook cannot be read: {error}") from None
    sheets = {}
    for sheet in book.sheets():
        rows = []
        for index in range(sheet.nrows):
            cells = [
                xlrd.xldate_as_datetime(cell.value, book.datemode) if cell.ctype == xlrd.XL_CELL_DATE else cell.value
                for cell in sheet.row(index)
            ]
            rows.append((index + 1, cells))
        sheets[sheet.name] = rows
    return sheets


def _xlsx_sheets(data: bytes) -> dict[str, list[tuple[int, list]]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnrecognisedFile(f"The .xlsx workbook cannot be read: {error}") from None
    try:
        return {
            sheet.title: [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def _posts_sheet(sheets: dict[str, list]) -> list[tuple[int, list]]:
    by_name = {name.strip().casefold(): rows for name, rows in sheets.items()}
    if POSTS_SHEET in by_name:
        return by_name[POSTS_SHEET]
    if set(by_name) >= CREATOR_SHEETS:
        raise UnsupportedFile(
            "This is LinkedIn's personal creator analytics export: it ranks top posts by engagements "
            "or by impressions only, not the numbers per post this site stores, so it is not imported. "
            "For a company page, export Analytics → Content; for a personal profile, use the template."
        )
    names = ", ".join(repr(name) for name in sheets)
    raise UnrecognisedFile(
        f"This workbook has no 'All posts' sheet (its sheets: {names}). Export the page's content "
        "analytics (Page admin → Analytics → Content → Export); the Followers and Visitors exports "
        "have no per-post numbers."
    )


def parse(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    rows = _posts_sheet(read_sheets(common.read_bytes(stream)))
    records = [(number, cells) for number, cells in rows if any(common.cell_text(cell) for cell in cells)]
    table = common.table_from(records, ALIASES, required=("url", "published_at"), label="LinkedIn page content")
    chunk = ParsedChunk()
    for number, cells in table.rows:
        row = common.Row(number, cells, table.columns)
        link = row.text("url")
        urn = _post_urn(link)
        if not urn:
            row.fail("url", f"no post id (urn:li:activity:…) in the link: {link!r}" if link else "no post link")
        day = row.read("published_at", dates.parse_us_date)
        content_type = CONTENT_TYPES.get(row.text("content_type").casefold(), "")
        metrics = row.metrics(METRICS)
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
                caption=row.verbatim("caption"),
                metrics=metrics,
            )
        )
    facts = FileFacts(
        format=FORMAT.key, label=FORMAT.label, platform=FORMAT.platform, ignored_columns=table.columns.ignored
    )
    return ParsedFile(facts=facts, chunks=iter([chunk]))


def _post_urn(link: str) -> str:
    """The post's id: an activity urn when the link has one (what LinkedIn's own links use)."""
    urns = {kind.casefold(): digits for kind, digits in POST_URN.findall(link)}
    return urns.get("activity") or next(iter(urns.values()), "")


FORMAT = Format(
    key="linkedin", label="LinkedIn page content (All posts)", platform="linkedin", sniff=sniff, parse=parse
)
