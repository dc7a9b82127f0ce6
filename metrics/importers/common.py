"""
The rules every export format shares, each in one place: how a file's bytes become text, how
preamble lines are passed over, how headers are matched, how cells become counts, and how a bad
cell becomes a `RowError` that names its row and column (dates and times are in `dates`).

Conventions: a cell that says nothing (blank, `-`, `undefined`) is None, "not reported", never 0.
Counts are whole and non-negative; anything else is an error for that cell. Times written without
a zone are read in the `tz` the parser is given (the workflow passes the institution's zone).

Every CSV is read as a stream of records within the limits of `limits` (characters and cells per
row, rows, and for a file held whole its bytes and cells), so that no file, whatever it holds,
costs more than those allow; a file past one is refused whole with a message naming the limit.
"""

import codecs
import csv
import functools
import io
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import BinaryIO, TextIO

from metrics import plausibility
from metrics.plausibility import caption_problem

from . import limits
from .base import RowError, UnrecognisedFile

HEAD_SIZE = 64 * 1024
NOT_TEXT = "The file is not text in a known encoding (not UTF-8 or UTF-16): re-save it as CSV UTF-8."
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.xls) compound file

# csv's default limit (128 KiB) is smaller than a long caption could be in a re-saved file; a row's
# length is bounded by IMPORT_MAX_ROW_CHARS as it is read, before csv sees it.
csv.field_size_limit(16 * 1024 * 1024)


class CellError(ValueError):
    """One cell could not be read; the message says what was found and what was expected."""


# --- bytes to text ------------------------------------------------------------------------------


def encoding_of(head: bytes) -> str:
    """The codec named by the first bytes: a UTF-16 LE or UTF-8 byte-order mark, else UTF-8."""
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"  # consumes the BOM
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"  # strips the BOM, so it cannot hide the first header
    return "utf-8"


def head_text(head: bytes) -> str | None:
    """The decoded start of a file for sniffing, or None when it is not text we can read."""
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return None
    decoder = codecs.getincrementaldecoder(encoding_of(head))()
    try:
        text = decoder.decode(head, final=False)  # the head may end inside a character
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def decode(data: bytes) -> str:
    """The whole file as text; `UnrecognisedFile` when it is in no encoding we know."""
    try:
        text = data.decode(encoding_of(data))
    except UnicodeDecodeError:
        raise UnrecognisedFile(NOT_TEXT) from None
    if "\x00" in text:  # UTF-16 without its byte-order mark, or a binary file
        raise UnrecognisedFile(NOT_TEXT)
    return text


def seekable(stream: BinaryIO, head: bytes) -> BinaryIO:
    """
    `stream` from its first byte again, after `head` was read from it. A stream that cannot seek (a pipe) is
    copied to a temporary file first, within IMPORT_MAX_BYTES: a file is read more than once (the limits are
    checked before the rows are read, and a stray quote means reading again leniently).
    """
    if stream.seekable():
        stream.seek(0)
        return stream
    allowed = limits.current()
    copy = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the caller reads it)
    copy.write(head)
    rest = limits.Bounded(stream, most=allowed.file_bytes - len(head), what="The file", setting="IMPORT_MAX_BYTES")
    shutil.copyfileobj(io.BufferedReader(rest), copy)
    copy.seek(0)
    return copy


def text_opener(stream: BinaryIO, *, most: int, setting: str) -> Callable[[], TextIO]:
    """
    A function that opens the file as text from its start, each time it is called: decoded as its first bytes
    say, and read through a counter that refuses the file once it passes `most` bytes (`setting`).
    """
    head = stream.read(HEAD_SIZE)
    if not head:
        raise UnrecognisedFile("The file is empty.")
    if head_text(head) is None:
        raise UnrecognisedFile(NOT_TEXT)
    stream = seekable(stream, head)
    encoding = encoding_of(head)

    def open_text() -> TextIO:
        stream.seek(0)
        counted = limits.Bounded(stream, most=most, what="The file", setting=setting)
        return io.TextIOWrapper(io.BufferedReader(counted), encoding=encoding, newline="")

    return open_text


def base_name(filename: str) -> str:
    """The file's own name without folders or a browser's " (1)" download suffix."""
    path = PurePath(filename.replace("\\", "/"))
    return re.sub(r" \(\d+\)$", "", path.stem) + path.suffix


# --- CSV records, preamble and header ----------------------------------------------------------


class Records:
    """
    The records of a CSV text as they are read, numbered from 1 as a spreadsheet program numbers its rows (one
    row per record, however many lines a quoted caption spans; a blank line is an empty record). `open_text`
    opens the text from its start; it is called again when the text has to be read again.

    Strict RFC 4180 first. A stray quote (a caption quote that was not doubled) makes the strict reader give
    up; the text is then read again leniently, which keeps such quotes as text, from the record where the
    strict reading stopped. A file that ends inside a quoted field was cut off: its last record is not given,
    and `cut_at` says which row it was once the reading has ended.

    The limits are checked as the text is read: a row of more than IMPORT_MAX_ROW_CHARS characters is refused
    as soon as that many were read (so a 200 MB line costs no more than the limit), a row of more than
    IMPORT_MAX_COLUMNS cells when it has been read. `longest` is the longest row, in characters.
    """

    def __init__(self, open_text: Callable[[], TextIO]):
        self.open_text = open_text
        self.allowed = limits.current()
        self.cut_at: int | None = None
        self.longest = 0
        self._chars = self._number = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        given = 0
        for strict in (True, False):
            self._chars = self._number = 0
            reader = csv.reader(self._lines(self.open_text()), strict=strict)
            try:
                for record in reader:
                    self._number += 1
                    self.longest, self._chars = max(self.longest, self._chars), 0
                    if len(record) > self.allowed.columns:
                        raise limits.exceeded(
                            f"Row {self._number} has {len(record):,} cells", self.allowed.columns, "cells",
                            "IMPORT_MAX_COLUMNS",
                        )  # fmt: skip
                    if self._number > given:
                        given = self._number
                        yield self._number, record
                return
            except csv.Error as error:
                if strict and "unexpected end of data" in str(error):
                    self.cut_at = self._number + 1
                    return
                if not strict:
                    raise UnrecognisedFile(f"Row {self._number + 1} cannot be read as CSV ({error}).") from None
            except UnicodeDecodeError:
                raise UnrecognisedFile(
                    f"From row {self._number + 1} on the file is not UTF-8 text: re-save it as CSV UTF-8."
                ) from None

    def _lines(self, text: TextIO) -> Iterator[str]:
        most, readline = self.allowed.row_chars, text.readline
        while line := readline(most + 1):  # a line longer than the limit is never read whole
            self._chars += len(line)
            if self._chars > most:
                raise limits.exceeded(
                    f"Row {self._number + 1} is longer than {most:,} characters", most, "characters",
                    "IMPORT_MAX_ROW_CHARS",
                )  # fmt: skip
            if "\x00" in line:  # UTF-16 without its byte-order mark, or a binary file
                raise UnrecognisedFile(NOT_TEXT)
            yield line


def csv_records(text: str) -> tuple[list[tuple[int, list]], list[RowError]]:
    """The non-blank records of a CSV text (see `Records`), and the error of a file that was cut off."""
    records = Records(lambda: io.StringIO(text, newline=""))
    found = _non_blank(records)
    return found, [_cut_off(records.cut_at)] if records.cut_at else []


def _cut_off(number: int) -> RowError:
    return RowError(number, "", "The file ends inside a quoted field here: it looks cut off; export it again.")


def _non_blank(records) -> list[tuple[int, list]]:
    return [(number, record) for number, record in records if any(cell_text(cell) for cell in record)]


PREAMBLE_LIMIT = 3


def split_header(records: list[tuple[int, list]]) -> tuple[list[str], list[tuple[int, list]]]:
    """
    The header and the rows under it. Up to three preamble records are passed over: Excel's
    `sep=,` hint, Meta's metric-name line and LinkedIn's description sentence all hold a single cell.
    """
    for position, (_, record) in enumerate(records[: PREAMBLE_LIMIT + 1]):
        header = [cell_text(cell) for cell in record]  # workbook cells need not be text
        cells = [cell for cell in header if cell]
        if len(cells) > 1 and not cells[0].lower().startswith("sep="):
            return header, records[position + 1 :]
    raise UnrecognisedFile("No header row was found at the top of the file.")


@functools.lru_cache(maxsize=4)
def header_names(head: bytes) -> frozenset[str]:
    """The normalised header names at the top of a file, for sniffing; empty when it is not CSV text."""
    text = head_text(head)
    if text is None:
        return frozenset()
    if len(head) >= HEAD_SIZE:  # the head may end in the middle of a line: leave that line out
        text = text[: text.rfind("\n") + 1] or text
    records, _ = csv_records(text)
    try:
        header, _ = split_header(records)
    except UnrecognisedFile:
        return frozenset()
    return frozenset(normalise(name) for name in header)


def normalise(name: str) -> str:
    """A header as compared: case, surrounding space, doubled spaces and a trailing colon do not count."""
    name = unicodedata.normalize("NFKC", name).replace("\ufeff", "")
    return " ".join(name.split()).casefold().rstrip(":").strip()


@dataclass
class Columns:
    """Which position of a record holds each field, and the header as the file writes it."""

    positions: dict[str, int]
    headers: dict[str, str]
    ignored: tuple[str, ...]

    def __contains__(self, name: str) -> bool:
        return name in self.positions


def match_columns(header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> Columns:
    """
    Map the file's headers onto fields. `aliases` lists, per field, the headers that mean it, in
    order of preference: when a file has two of them (YouTube's `Subscribers gained` and
    `Subscribers`), the first wins and the other is ignored. Every header that ends up mapped to
    nothing is listed in `ignored`, never turned into a field.
    """
    found = {}
    for position, name in enumerate(header):
        found.setdefault(normalise(name), position)
    positions, headers = {}, {}
    for name, variants in aliases.items():
        for variant in variants:
            position = found.get(normalise(variant))
            if position is not None:
                positions[name], headers[name] = position, header[position].strip()
                break
    used = set(positions.values())
    ignored = tuple(cell.strip() for i, cell in enumerate(header) if i not in used and cell.strip())
    return Columns(positions, headers, ignored)


def require(columns: Columns, names: Sequence[str], aliases: Mapping[str, Sequence[str]], label: str) -> None:
    missing = [repr(aliases[name][0]) for name in names if name not in columns]
    if missing:
        listed = " or ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
        raise UnrecognisedFile(f"This is not a complete {label} file: it has no {listed} column.")


class Row:
    """
    The cells of one record, read through `columns`. Every cell that cannot be read is kept as a
    `RowError` naming this row and the column as the file writes it; `errors` tells the caller
    whether the row can be used.
    """

    def __init__(self, number: int, cells: Sequence, columns: Columns, *, day_first: bool = False):
        self.number, self.cells, self.columns, self.day_first = number, cells, columns, day_first
        self.errors: list[RowError] = []

    def raw(self, name: str):
        position = self.columns.positions.get(name)
        return self.cells[position] if position is not None and position < len(self.cells) else ""

    def text(self, name: str) -> str:
        value = self.raw(name)
        return value.strip() if isinstance(value, str) else cell_text(value)

    def verbatim(self, name: str) -> str:
        """The cell exactly as written: captions keep their spaces and a leading `=`, `+`, `-` or `@`."""
        value = self.raw(name)
        return value if isinstance(value, str) else cell_text(value)

    def caption(self, name: str) -> str:
        """The caption in column `name`, verbatim; an error for this row when it is longer than the limit."""
        caption = self.verbatim(name)
        if problem := caption_problem(caption):
            self.fail(name, problem)
        return caption

    def read(self, name: str, parser: Callable, *args):
        """`parser(raw, *args)`, or None with an error recorded when the cell is bad."""
        try:
            return parser(self.raw(name), *args)
        except CellError as error:
            self.fail(name, str(error))
            return None

    def fail(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.columns.headers.get(name, name), message))

    def metrics(self, names: Sequence[str]) -> dict[str, int | None]:
        """The counts of the metric fields the file has a column for."""
        counts, cells = {}, self.cells
        for name in names:
            position = self.columns.positions.get(name)
            if position is None:
                continue
            try:  # `read` by hand: this loop runs for every count of every row of a large file
                counts[name] = parse_count(cells[position] if position < len(cells) else "", self.day_first)
            except CellError as error:
                self.fail(name, str(error))
                counts[name] = None
        return counts


@dataclass
class ExportTable:
    """A CSV file read into its header columns and rows; `errors` holds problems of the file itself."""

    columns: Columns
    rows: list[tuple[int, list]]
    errors: list[RowError] = field(default_factory=list)

    def column(self, name: str) -> Iterator:
        """Every row's cell in the column of field `name` (for rules decided by a whole column)."""
        position = self.columns.positions.get(name)
        if position is None:
            return
        for _, cells in self.rows:
            if position < len(cells):
                yield cells[position]


def read_table(
    stream: BinaryIO, aliases: Mapping[str, Sequence[str]], *, required: Sequence[str], label: str
) -> ExportTable:
    """
    A CSV export read whole: at most IMPORT_MAX_WHOLE_BYTES, IMPORT_MAX_CELLS cells and IMPORT_MAX_ROWS
    rows, each row within the limits `Records` checks. `UnrecognisedFile` without the required columns.
    """
    allowed = limits.current()
    records = Records(text_opener(stream, most=allowed.whole_bytes, setting="IMPORT_MAX_WHOLE_BYTES"))
    kept, cells = [], 0
    for number, record in records:
        if not any(cell_text(cell) for cell in record):
            continue
        cells += len(record)
        if cells > allowed.cells:
            raise limits.exceeded(
                f"The file has more than {allowed.cells:,} cells (by row {number})", allowed.cells, "cells",
                "IMPORT_MAX_CELLS",
            )  # fmt: skip
        kept.append((number, record))
    errors = [_cut_off(records.cut_at)] if records.cut_at else []
    return table_from(kept, aliases, required=required, label=label, errors=errors)


def table_from(
    records: list[tuple[int, list]],
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str],
    label: str,
    errors: Sequence[RowError] = (),
) -> ExportTable:
    """Numbered records (CSV or a worksheet's rows) as an `ExportTable`; `UnrecognisedFile` without required columns."""
    if not records:
        raise UnrecognisedFile("The file has no rows.")
    header, rows = split_header(records)
    columns = match_columns(header, aliases)
    require(columns, required, aliases, label)
    check_rows(len(rows))
    return ExportTable(columns, rows, list(errors))


def check_rows(count: int) -> None:
    """`LimitExceeded` for a file with more than IMPORT_MAX_ROWS rows under its header."""
    most = limits.current().rows
    if count > most:
        raise limits.exceeded(f"The file has more than {most:,} rows", most, "rows", "IMPORT_MAX_ROWS")


# --- numbers -----------------------------------------------------------------------------------

NOTHING = {"", "-", "\u2013", "\u2014", "undefined", "n/a", "null", "none", "nan"}  # incl. en and em dash
_GROUPED = re.compile(r"^\d{1,3}(?:[,\u00a0\u202f ']\d{3})+(?:\.\d+)?$")  # 1,234 or 1 234 or 1'234 (thousands)
# Written where the decimal mark is a comma: 1.234 or 1 234 (thousands), 927,58 or 1.234,5 (decimals).
_GROUPED_DOTS = re.compile(r"^\d{1,3}(?:[.\u00a0\u202f ']\d{3})+(?:,\d+)?$|^\d+,\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_SUFFIX = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV would hold: whole floats without `.0`, None as blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_decimal(raw, day_first: bool = False) -> Decimal | None:
    """
    A number written any of the ways exports and spreadsheet programs write them: `424.0`, `1,234`,
    `1 234`, `1.2K`, `3M`; blanks are None. In a file whose dates put the day first (`day_first`, see
    `dates.DateOrder`), as re-saved where the decimal mark is a comma, `1.234` is a thousand two hundred and
    thirty-four and `927,58` a decimal; `1.234,5` is read that way in any file, since it can mean nothing else.
    """
    text = cell_text(raw) if not isinstance(raw, str) else raw.strip()
    if text.casefold() in NOTHING:
        return None
    number, multiplier = text, 1
    if number[-1:].casefold() in _SUFFIX:
        number, multiplier = number[:-1].strip(), _SUFFIX[number[-1].casefold()]
    digits = number.lstrip("-")
    if _GROUPED.match(digits) and not (day_first and "," in digits and _GROUPED_DOTS.match(digits)):
        number = re.sub(r"[,\u00a0\u202f ']", "", number)
    elif (day_first or ("," in digits and "." in digits)) and _GROUPED_DOTS.match(digits):
        number = re.sub(r"[.\u00a0\u202f ']", "", number).replace(",", ".")
    try:
        value = Decimal(number) * multiplier
    except InvalidOperation:
        raise CellError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise CellError(f"not a number: {text!r}")
    return value


# The largest count stored (`metrics.plausibility`: no platform reports more of anything).
MAX_COUNT = plausibility.COUNT_CEILING
# Plain digits shorter than this are always within MAX_COUNT, so the fast paths need not compare.
SAFE_DIGITS = len(str(MAX_COUNT))


def parse_count(raw, day_first: bool = False) -> int | None:
    """
    A non-negative whole count; None for a blank. `1.2K` is rounded (the file already rounded it). A number
    stored as text in a workbook reads like a number; `day_first` as in `parse_decimal`.
    """
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < SAFE_DIGITS:
        return int(raw)  # the usual case, and the one a large file repeats millions of times
    if day_first and isinstance(raw, str) and _THOUSANDS.match(raw.strip()):
        raw = re.sub(r"[.,]", "", raw)  # a count is whole: 1.234 and 1,234 both group thousands
    value = parse_decimal(raw, day_first)
    if value is None:
        return None
    text = raw.strip() if isinstance(raw, str) else cell_text(raw)
    if value < 0:
        raise CellError(f"negative count: {text}")
    abbreviated = text[-1:].casefold() in _SUFFIX
    if value != value.to_integral_value() and not abbreviated:
        raise CellError(f"not a whole number: {text}")
    count = int(value.to_integral_value(rounding=ROUND_HALF_UP))
    if plausibility.count_problem(count):
        raise CellError(f"too large to be a count: {text} is {plausibility.COUNT_REASON}")
    return count
