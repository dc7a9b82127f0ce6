"""
The project's own CSV template, for any platform (and for numbers kept in a spreadsheet by hand):
one row per post snapshot, UTF-8 (a BOM is fine), comma-separated, a header row first. Headers
are matched like every export's (any case, spaces or underscores: `External id` = `external_id`);
only `external_id` is required, and columns the template does not know are listed as ignored.

| column             | what it holds                                                                |
|--------------------|------------------------------------------------------------------------------|
| platform           | platform key (`instagram`, `twitter`, ...); optional when the import names the account |
| handle             | the account's handle; optional, as above                                     |
| external_id        | required: the platform's id of the post                                      |
| url                | the post's address                                                           |
| published_at       | ISO date `2026-03-01` or date-time `2026-03-01T14:30`; no zone = the institution's |
| content_type       | a content type key: image, carousel, video, short_video, live, story, text,  |
|                    | link, poll, article, document, thread                                        |
| category           | a career category key: education, branding, research, mentorship,            |
|                    | promotion, leadership                                                        |
| caption            | the post's text, kept exactly as written                                     |
| captured_on        | ISO date the numbers were read; blank = the date given for the whole import  |
| impressions ...    | the 12 metric fields by name: impressions, reach, views, likes, dislikes,    |
|                    | comments, shares, saves, profile_visits, follows, clicks, watch_time_seconds:|
|                    | whole non-negative counts; blank = not reported (not 0)                      |

`HEADER` is that column list in order, for the downloadable copy. The file is read in chunks of
`CHUNK_ROWS` rows with pandas (every cell as text), so memory does not grow with the file. A
caption such as `=SUM(A1)` or `@someone` is text here and stays text; the export side neutralises
it when it writes a spreadsheet.
"""

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, date, tzinfo
from typing import BinaryIO

import pandas as pd

from metrics.vocabulary import METRIC_FIELDS, CareerCategory, ContentType

from . import common, dates
from .base import FileFacts, Format, ParsedChunk, ParsedFile, PostRow, RowError, UnrecognisedFile

TEXT_COLUMNS = ("platform", "handle", "external_id", "url", "published_at", "content_type", "category", "caption")
HEADER = [*TEXT_COLUMNS, "captured_on", *METRIC_FIELDS]
ALIASES = {name: (name, name.replace("_", " "), METRIC_FIELDS.get(name, name)) for name in HEADER}
CHUNK_ROWS = 1_000
CONTENT_TYPES = set(ContentType.values)
CATEGORIES = set(CareerCategory.values)
METRICS = tuple(METRIC_FIELDS)
PLATFORM_KEY = re.compile(r"[a-z0-9_-]{1,30}")


def sniff(head: bytes, filename: str) -> bool:
    names = {name.replace(" ", "_") for name in common.header_names(head)}
    return "external_id" in names and bool(names & {"published_at", "captured_on", *METRIC_FIELDS})


def parse(
    stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC, chunk_rows: int = CHUNK_ROWS
) -> ParsedFile:
    head, text = common.text_stream(stream)
    columns = common.match_columns(_header(head), ALIASES)
    try:
        common.require(columns, ("external_id",), ALIASES, "template")
    except UnrecognisedFile:
        text.detach()  # leave the caller's stream open
        raise
    facts = FileFacts(format=FORMAT.key, label=FORMAT.label, platform="", ignored_columns=columns.ignored)
    return ParsedFile(facts=facts, chunks=_chunks(text, columns, tz=tz, chunk_rows=chunk_rows))


def _header(head: str) -> list[str]:
    # The start of the file holds the header of any sensible template.
    records, _ = common.csv_records(head)
    if not records or records[0][0] != 1:
        raise UnrecognisedFile("The template's first line must be its header row.")
    return [cell.strip() for cell in records[0][1]]


def _chunks(text, columns: common.Columns, *, tz: tzinfo, chunk_rows: int) -> Iterator[ParsedChunk]:
    try:
        yield from _read_chunks(text, columns, tz=tz, chunk_rows=chunk_rows)
    finally:
        text.detach()  # the caller's stream stays open for the caller to close


class _QuoteCounter:
    """
    The text on its way to pandas, with its quotes counted. A proper CSV has an even number of
    them; an odd number at the end means the file stops inside a quoted field (it was cut off).
    Then the field is closed for pandas, which would otherwise give up on the rows it had not
    handed over yet, and the last row is reported instead of read.
    """

    def __init__(self, text):
        self.text, self.quotes, self.cut_off = text, 0, False

    def read(self, size: int = -1) -> str:
        data = self.text.read(size)
        self.quotes += data.count('"')
        if not data and self.quotes % 2 and not self.cut_off:
            self.cut_off = True
            return '"\n'
        return data


def _frames(text: _QuoteCounter, chunk_rows: int) -> Iterator[tuple[pd.DataFrame | None, dict[int, str], str]]:
    """pandas' chunks, each with the rows pandas left out (number: why); a last (None, {}, why) if it stopped."""
    reader = None
    while True:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            try:
                reader = reader or pd.read_csv(
                    text,
                    dtype=str,
                    keep_default_na=False,  # a blank cell stays "", never NaN, and "NA" stays text
                    skip_blank_lines=False,  # keeps the DataFrame index in step with the file's rows
                    on_bad_lines="warn",
                    chunksize=chunk_rows,
                )
                frame = reader.get_chunk()
            except StopIteration:
                return
            except pd.errors.ParserError as error:
                yield None, {}, str(error)
                return
            except UnicodeDecodeError:
                yield None, {}, "not UTF-8"
                return
        bad = {}
        for warning in caught:
            if found := re.search(r"line (\d+): (.*)", str(warning.message)):
                bad[int(found[1])] = f"wrong number of cells: {found[2].strip()}"
        yield frame, bad, ""


def _read_chunks(text, columns: common.Columns, *, tz: tzinfo, chunk_rows: int) -> Iterator[ParsedChunk]:
    text = _QuoteCounter(text)
    frames = _frames(text, chunk_rows)
    number, bad_rows = 2, set()  # the header is row 1
    current = next(frames, None)
    while current is not None:
        following = next(frames, None)  # one chunk ahead, to know which row is the file's last
        frame, bad, stopped = current
        chunk = ParsedChunk(errors=[RowError(row, "", message) for row, message in bad.items()])
        bad_rows.update(bad)
        if stopped:
            chunk.errors.append(_stopped(stopped, number))
        cut = following is None and text.cut_off and frame is not None and len(frame) > 0
        for cells in [] if frame is None else frame.iloc[: len(frame) - cut].to_numpy(dtype=object).tolist():
            while number in bad_rows:  # pandas leaves out a bad row; the next one keeps its own number
                number += 1
            _read_row(number, cells, columns, chunk, tz)
            number += 1
        if cut:
            while number in bad_rows:
                number += 1
            message = "The file ends inside a quoted field in this row: it looks cut off; export it again."
            chunk.errors.append(RowError(number, "", message))
        yield chunk
        current = following


def _stopped(reason: str, number: int) -> RowError:
    if reason == "not UTF-8":
        return RowError(number, "", f"From about row {number} on the file is not UTF-8 text: re-save it as CSV UTF-8.")
    return RowError(number, "", f"The rest of the file from about row {number} could not be read as CSV ({reason}).")


def _read_row(number: int, cells: tuple, columns: common.Columns, chunk: ParsedChunk, tz: tzinfo) -> None:
    if not any(cell.strip() for cell in cells if isinstance(cell, str)):
        return  # a blank line
    row = common.Row(number, cells, columns)
    external_id = row.text("external_id")
    if not external_id:
        row.fail("external_id", "no external id")
    platform = row.text("platform").lower()
    if platform and not PLATFORM_KEY.fullmatch(platform):
        row.fail("platform", f"not a platform key: {platform!r}")
    content_type = row.text("content_type").lower()
    if content_type and content_type not in CONTENT_TYPES:
        row.fail("content_type", f"not a content type: {content_type!r} (one of {', '.join(ContentType.values)})")
    category = row.text("category").lower()
    if category and category not in CATEGORIES:
        row.fail("category", f"not a career category: {category!r} (one of {', '.join(CareerCategory.values)})")
    published = row.read("published_at", dates.parse_iso, tz) if row.text("published_at") else None
    captured_on = row.read("captured_on", _iso_date) if row.text("captured_on") else None
    metrics = row.metrics(METRICS)
    if row.errors:
        chunk.errors.extend(row.errors)
        return
    chunk.posts.append(
        PostRow(
            row=number,
            external_id=external_id,
            url=row.text("url"),
            published_at=published,
            content_type=content_type,
            caption=row.verbatim("caption"),
            metrics=metrics,
            captured_on=captured_on,
            platform=platform,
            handle=row.text("handle").lstrip("@"),
            category=category,
        )
    )


def _iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise common.CellError(f"not an ISO date (YYYY-MM-DD): {raw!r}") from None


FORMAT = Format(key="template", label="Template CSV (any platform)", platform="", sniff=sniff, parse=parse)
