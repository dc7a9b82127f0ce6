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
`CHUNK_ROWS` rows with pandas (every cell as text), so memory does not grow with the file: a few
thousand rows keep the workflow's queries per row low while a chunk stays a few megabytes. A chunk is
read column by column (`_ColumnReader`, a `PostColumns` for the workflow); only a chunk with a bad cell
is read row by row (`_RowReader`), which words each error (row, column, reason). A
caption such as `=SUM(A1)` or `@someone` is text here and stays text; the export side neutralises
it when it writes a spreadsheet.
"""

import operator
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, tzinfo
from functools import partial
from typing import BinaryIO

import numpy as np
import pandas as pd

from accounts.vocabulary import METRIC_FIELDS, ContentType
from metrics import plausibility
from metrics.vocabulary import CareerCategory

from . import common, dates, limits, scan
from .base import FileFacts, Format, ParsedChunk, ParsedFile, PostColumns, PostRow, RowError, UnrecognisedFile

TEXT_COLUMNS = ("platform", "handle", "external_id", "url", "published_at", "content_type", "category", "caption")
HEADER = [*TEXT_COLUMNS, "captured_on", *METRIC_FIELDS]
ALIASES = {name: (name, name.replace("_", " "), METRIC_FIELDS.get(name, name)) for name in HEADER}
CHUNK_ROWS = 2_000
# False reads every chunk row by row, as a chunk with a bad cell is read: the reading the columnar one is held
# equal to (values and messages) by the tests.
READ_BY_COLUMNS = True
CONTENT_TYPES = set(ContentType.values)
CATEGORIES = set(CareerCategory.values)
METRICS = tuple(METRIC_FIELDS)
PLATFORM_KEY = re.compile(r"[a-z0-9_-]{1,30}")


def sniff(head: bytes, filename: str) -> bool:
    names = {name.replace(" ", "_") for name in common.header_names(head)}
    return "external_id" in names and bool(names & {"published_at", "captured_on", *METRIC_FIELDS})


def parse(
    stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC, chunk_rows: int | None = None
) -> ParsedFile:
    """
    The template in chunks of `chunk_rows` rows (default CHUNK_ROWS), fewer when its rows are long (see
    `limits.chunk_rows`). The whole file is first read once for its limits (characters and cells per row, rows),
    so that a file past one is refused before any of its rows is imported: counted by `scan.plain_records` when
    the file is plain, else by `common.Records`, which words what it finds.
    """
    open_text = common.text_opener(stream, most=limits.current().file_bytes, setting="IMPORT_MAX_BYTES")
    text = open_text()
    head = text.read(common.HEAD_SIZE)
    text.close()  # the caller's stream stays open (see `common.text_opener`)
    columns = common.match_columns(_header(head), ALIASES)
    common.require(columns, ("external_id",), ALIASES, "template")
    counted = scan.plain_records(open_text(), limits.current())
    if counted is None:  # not plain, or near a limit: read record by record, which words any problem
        records = common.Records(open_text)
        counted = scan.Counted(records=sum(1 for _, record in records if record), longest=records.longest)
    common.check_rows(counted.records - 1)  # the header is not a row
    chunk_rows = limits.chunk_rows(counted.longest, chunk_rows or CHUNK_ROWS)
    facts = FileFacts(format=FORMAT.key, label=FORMAT.label, platform="", ignored_columns=columns.ignored)
    return ParsedFile(facts=facts, chunks=_chunks(open_text(), columns, tz=tz, chunk_rows=chunk_rows))


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
        text.close()  # only the reader over the caller's stream: the stream stays open for the caller to close


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
    reader = _RowReader(columns, tz)
    column_reader = _ColumnReader(columns, tz)
    number, bad_rows = 2, set()  # the header is row 1
    current = next(frames, None)
    while current is not None:
        following = next(frames, None)  # one chunk ahead, to know which row is the file's last
        frame, bad, stopped = current
        cut = following is None and text.cut_off and frame is not None and len(frame) > 0
        if READ_BY_COLUMNS and not (bad or bad_rows or stopped or cut or frame is None):
            read = column_reader.read(frame, first_row=number)
            if read is not None:  # every cell good: no row to word an error for
                number += len(frame)
                yield ParsedChunk(columns=read)
                current = following
                continue
        reader.forget()
        chunk = ParsedChunk(errors=[RowError(row, "", message) for row, message in bad.items()])
        bad_rows.update(bad)
        if stopped:
            chunk.errors.append(_stopped(stopped, number))
        for cells in [] if frame is None else frame.iloc[: len(frame) - cut].to_numpy(dtype=object).tolist():
            while number in bad_rows:  # pandas leaves out a bad row; the next one keeps its own number
                number += 1
            reader.read(number, cells, chunk)
            number += 1
        if cut:
            while number in bad_rows:
                number += 1
            message = "The file ends inside a quoted field in this row: it looks cut off; export it again."
            chunk.errors.append(RowError(number, "", message))
        bad_rows = {row for row in bad_rows if row >= number}  # only rows still ahead matter
        yield chunk
        current = following


def _stopped(reason: str, number: int) -> RowError:
    if reason == "not UTF-8":
        return RowError(number, "", f"From about row {number} on the file is not UTF-8 text: re-save it as CSV UTF-8.")
    return RowError(number, "", f"The rest of the file from about row {number} could not be read as CSV ({reason}).")


class _ColumnReader:
    """
    Reads a chunk of the template column by column: every check and conversion of `_RowReader` done once per
    column (or once per distinct cell, for the columns a post repeats on each of its rows: platform, kind,
    category and dates), never once per row. It reads only chunks without a bad cell: at the first cell it
    would refuse it gives up (`read` returns None), and `_RowReader` reads that chunk row by row to word
    every error (row, column, reason). So the values are the row reader's, and so are the messages.
    """

    def __init__(self, columns: common.Columns, tz: tzinfo):
        self.positions = columns.positions
        self.metric_names = tuple(name for name in METRICS if name in columns)
        self.caption_chars = limits.current().caption_chars
        self.readers = {
            "platform": _platform,
            "content_type": _content_type,
            "category": _category,
            "published_at": partial(_published_at, tz=tz),
            "captured_on": _captured_on,
        }

    def read(self, frame: pd.DataFrame, *, first_row: int) -> PostColumns | None:
        """The chunk's rows (blank lines left out) as columns; None if a cell is bad."""
        cells = frame.to_numpy(dtype=object)
        rows = list(range(first_row, first_row + len(cells)))
        column = self._column(cells)
        external_id = [cell.strip() for cell in column("external_id")]
        if not all(external_id):  # blank lines, which are left out, or rows without their id, which are bad
            missing = [index for index, cell in enumerate(external_id) if not cell]
            if any("".join(cells[index]).strip() for index in missing):
                return None
            kept = [index for index, cell in enumerate(external_id) if cell]
            cells, rows, external_id = cells[kept], [rows[index] for index in kept], [external_id[i] for i in kept]
            column = self._column(cells)
        caption = column("caption")
        if caption and max(map(len, caption)) > self.caption_chars:
            return None
        read = {}
        for name, reader in self.readers.items():
            read[name] = _by_value(column(name), reader)
            if read[name] is None:
                return None
        metrics = _counts(cells[:, [self.positions[name] for name in self.metric_names]], self.metric_names)
        if metrics is None:
            return None
        return PostColumns(
            row=rows,
            external_id=external_id,
            url=[cell.strip() for cell in column("url")],
            caption=caption,
            handle=[cell.strip().lstrip("@") for cell in column("handle")],
            metrics=metrics,
            **read,
        )

    def _column(self, cells: np.ndarray) -> Callable[[str], list[str]]:
        def column(name: str) -> list[str]:
            position = self.positions.get(name)
            return [""] * len(cells) if position is None else cells[:, position].tolist()

        return column


def _by_value(cells: list[str], read: Callable[[str], object]) -> list | None:
    """`read` run once for each distinct cell, its values spread back over the rows; None if it refuses one."""
    codes, distinct = pd.factorize(np.array(cells, dtype=object), sort=False)
    try:
        values = np.array([read(cell) for cell in distinct] + [None], dtype=object)[:-1]
    except common.CellError:
        return None
    return values[codes].tolist()


def _counts(cells: np.ndarray, names: tuple[str, ...]) -> dict[str, list[int | None]] | None:
    """
    The count columns `names` (`cells`, a column each): plain digits (or blank) converted in one go, as
    `_RowReader._counts` does a row's; any other way of writing a number read once per distinct cell by
    `common.parse_count`. None if a cell is bad.
    """
    joined = "".join(cells.ravel().tolist())
    if not joined:
        return {name: [None] * len(cells) for name in names}
    if joined.isdigit() and joined.isascii():
        blank = cells == ""
        try:
            counts = np.where(blank, "0", cells).astype(np.int64)
        except (OverflowError, ValueError):  # digits past what 64 bits hold: over the ceiling
            counts = None
        # Plain digits within the ceiling are what `common.parse_count` makes of them; others it words.
        if counts is not None and (counts.size == 0 or counts.max() <= plausibility.COUNT_CEILING):
            counts = counts.astype(object)
            counts[blank] = None
            return dict(zip(names, counts.T.tolist(), strict=True))
    columns = {name: _by_value(cells[:, index].tolist(), common.parse_count) for index, name in enumerate(names)}
    return None if any(values is None for values in columns.values()) else columns


class _RowReader:
    """
    Turns the template's records into `PostRow`s, fast. A large file is hundreds of thousands of good rows
    that repeat their post's columns on each of its snapshot rows and take their platforms, kinds,
    categories and dates from short lists; reading each row cell by cell through `common.Row` cost more
    than everything else the import does. So the reader:
    - finds cells by position (a column the file lacks reads as the "" appended to every record);
    - reads the platform, kind, category and publication time of a post once, and each capture date once,
      and remembers the result (or the problems), for the current chunk only (`forget`), so that memory
      does not grow with the file;
    - converts a row's counts in one go when every one is blank or plain digits, the usual case, and
      cell by cell with `common.parse_count` and its messages otherwise.
    The values and the messages are those of reading every cell on its own.
    """

    POST_CELLS = ("platform", "content_type", "category", "published_at")

    def __init__(self, columns: common.Columns, tz: tzinfo):
        self.headers = columns.headers

        def position(name: str) -> int:
            return columns.positions.get(name, -1)

        self.external_id, self.handle, self.url = position("external_id"), position("handle"), position("url")
        self.caption, self.captured_on = position("caption"), position("captured_on")
        self.post_cells = _picker([position(name) for name in self.POST_CELLS])
        self.post_readers = (_platform, _content_type, _category, partial(_published_at, tz=tz))
        self.metric_names = tuple(name for name in METRICS if name in columns)
        self.metric_cells = _picker([columns.positions[name] for name in self.metric_names])
        self.caption_chars = limits.current().caption_chars
        self.posts_read: dict[tuple[str, ...], tuple] = {}  # the raw cells -> (values, problems)
        self.days_read: dict[str, tuple] = {}  # a raw capture date -> (date, problem)

    def forget(self) -> None:
        self.posts_read.clear()
        self.days_read.clear()

    def read(self, number: int, cells: list, chunk: ParsedChunk) -> None:
        if not "".join(cells).strip():
            return  # a blank line
        cells.append("")  # position -1: the columns the file does not have
        errors = []
        external_id = cells[self.external_id].strip()
        if not external_id:
            errors.append(self._error(number, "external_id", "no external id"))
        raw = self.post_cells(cells)
        post = self.posts_read.get(raw)
        if post is None:
            post = self.posts_read[raw] = _read_cells(self.POST_CELLS, self.post_readers, raw)
        (platform, content_type, category, published_at), problems = post
        raw = cells[self.captured_on]
        day = self.days_read.get(raw)
        if day is None:
            day = self.days_read[raw] = _read_cells(("captured_on",), (_captured_on,), (raw,))
        (captured_on,), day_problems = day
        for name, message in (*problems, *day_problems):
            errors.append(self._error(number, name, message))
        metrics = self._counts(number, self.metric_cells(cells), errors)
        caption = cells[self.caption]  # exactly as written: spaces and a leading `=`, `+`, `-` or `@` stay
        if len(caption) > self.caption_chars:
            errors.append(self._error(number, "caption", plausibility.caption_problem(caption)))
        if errors:
            chunk.errors.extend(errors)
            return
        chunk.posts.append(
            PostRow(
                row=number,
                external_id=external_id,
                url=cells[self.url].strip(),
                published_at=published_at,
                content_type=content_type,
                caption=caption,
                metrics=metrics,
                captured_on=captured_on,
                platform=platform,
                handle=cells[self.handle].strip().lstrip("@"),
                category=category,
            )
        )

    def _counts(self, number: int, raw: tuple[str, ...], errors: list[RowError]) -> dict[str, int | None]:
        joined = "".join(raw)
        # Every cell blank or plain digits short enough to fit a count: no per-cell checks needed.
        if not joined or (joined.isdigit() and joined.isascii() and max(map(len, raw)) < common.SAFE_DIGITS):
            return dict(zip(self.metric_names, [int(cell) if cell else None for cell in raw], strict=True))
        counts = {}
        for name, cell in zip(self.metric_names, raw, strict=True):
            try:
                counts[name] = common.parse_count(cell)
            except common.CellError as error:
                errors.append(self._error(number, name, str(error)))
                counts[name] = None
        return counts

    def _error(self, number: int, name: str, message: str) -> RowError:
        return RowError(number, self.headers.get(name, name), message)


def _picker(positions: list[int]) -> Callable[[list], tuple]:
    """The cells at `positions` of a record, as a tuple (`itemgetter` alone gives a bare cell for one position)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return lambda cells: tuple(cells[position] for position in positions)


def _read_cells(names: tuple[str, ...], readers: tuple, raw: tuple[str, ...]) -> tuple[tuple, tuple]:
    """Each raw cell through its reader: the values (None for a bad cell) and the problems, (name, message)."""
    values, problems = [], []
    for name, read, cell in zip(names, readers, raw, strict=True):
        try:
            values.append(read(cell))
        except common.CellError as error:
            values.append(None)
            problems.append((name, str(error)))
    return tuple(values), tuple(problems)


def _published_at(raw: str, tz: tzinfo):
    return dates.parse_iso(raw, tz) if raw.strip() else None


def _captured_on(raw: str) -> date | None:
    return _iso_date(raw) if raw.strip() else None


def _platform(raw: str) -> str:
    platform = raw.strip().lower()
    if platform and not PLATFORM_KEY.fullmatch(platform):
        raise common.CellError(f"not a platform key: {platform!r}")
    return platform


def _content_type(raw: str) -> str:
    content_type = raw.strip().lower()
    if content_type and content_type not in CONTENT_TYPES:
        raise common.CellError(f"not a content type: {content_type!r} (one of {', '.join(ContentType.values)})")
    return content_type


def _category(raw: str) -> str:
    category = raw.strip().lower()
    if category and category not in CATEGORIES:
        raise common.CellError(f"not a career category: {category!r} (one of {', '.join(CareerCategory.values)})")
    return category


def _iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise common.CellError(f"not an ISO date (YYYY-MM-DD): {raw!r}") from None


FORMAT = Format(key="template", label="Template CSV (any platform)", platform="", sniff=sniff, parse=parse)
