"""
The rules every export format shares, each in one place: how a file's bytes become text, how
preamble lines are passed over, how headers are matched, how cells become counts, and how a bad
cell becomes a `RowError` that names its row and column (dates and times are in `dates`).

Conventions: a cell that says nothing (blank, `-`, `undefined`) is None, "not reported", never 0.
Counts are whole and non-negative; anything else is an error for that cell. Times written without
a zone are read in the `tz` the parser is given (the workflow passes the institution's zone).
"""

import codecs
import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import BinaryIO

from .base import RowError, UnrecognisedFile

HEAD_SIZE = 64 * 1024
NOT_TEXT = "The file is not text in a known encoding (not UTF-8 or UTF-16): re-save it as CSV UTF-8."
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.xls) compound file

# csv's default limit (128 KiB) is smaller than a long caption could be in a re-saved file.
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


def read_bytes(stream: BinaryIO) -> bytes:
    data = stream.read()
    if not data:
        raise UnrecognisedFile("The file is empty.")
    return data


def text_stream(stream: BinaryIO) -> tuple[str, io.TextIOWrapper]:
    """
    The decoded start of the file, and the whole file as a text stream that decodes as it is read
    (for files too big to hold in memory). Only the start is checked here; a bad byte further on
    raises UnicodeDecodeError while reading, which the caller reports against the row it reached.
    """
    head = stream.read(HEAD_SIZE)
    if not head:
        raise UnrecognisedFile("The file is empty.")
    text = head_text(head)
    if text is None:
        raise UnrecognisedFile(NOT_TEXT)
    return text, io.TextIOWrapper(rewound(stream, head), encoding=encoding_of(head), newline="")


def rewound(stream: BinaryIO, head: bytes) -> BinaryIO:
    """`stream` from its first byte again, after `head` was read from it."""
    if stream.seekable():
        stream.seek(0)
        return stream
    return io.BufferedReader(_Prefixed(head, stream))


class _Prefixed(io.RawIOBase):
    """A one-way stream that gives `head` back before the rest (for uploads that cannot seek)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._head[: len(buffer)] if self._head else self._rest.read(len(buffer))
        self._head = self._head[len(data) :]
        buffer[: len(data)] = data
        return len(data)


def base_name(filename: str) -> str:
    """The file's own name without folders or a browser's " (1)" download suffix."""
    path = PurePath(filename.replace("\\", "/"))
    return re.sub(r" \(\d+\)$", "", path.stem) + path.suffix


# --- CSV records, preamble and header ----------------------------------------------------------


def csv_records(text: str) -> tuple[list[tuple[int, list]], list[RowError]]:
    """
    The non-blank records of a CSV text, numbered from 1 as a spreadsheet program numbers them
    (one row per record, however many lines a quoted caption spans).

    Strict RFC 4180 first. A stray quote (a caption quote that was not doubled) makes the strict
    reader give up, so the file is then read leniently, which keeps such quotes as text. A file
    that ends inside a quoted field was cut off: its last record becomes an error, not a row.
    """
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1):
            records.append((number, record))
    except csv.Error as error:
        number = len(records) + 1
        if "unexpected end of data" in str(error):
            cut = RowError(number, "", "The file ends inside a quoted field here: it looks cut off; export it again.")
            return _non_blank(records), [cut]
        records = list(enumerate(csv.reader(io.StringIO(text, newline=""), strict=False), start=1))
    return _non_blank(records), []


def _non_blank(records: list[tuple[int, list]]) -> list[tuple[int, list]]:
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

    def __init__(self, number: int, cells: Sequence, columns: Columns):
        self.number, self.cells, self.columns = number, cells, columns
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
                counts[name] = parse_count(cells[position] if position < len(cells) else "")
            except CellError as error:
                self.fail(name, str(error))
                counts[name] = None
        return counts


@dataclass
class Table:
    """A CSV file read into its header columns and rows; `errors` holds problems of the file itself."""

    columns: Columns
    rows: list[tuple[int, list]]
    errors: list[RowError] = field(default_factory=list)


def read_table(text: str, aliases: Mapping[str, Sequence[str]], *, required: Sequence[str], label: str) -> Table:
    records, errors = csv_records(text)
    return table_from(records, aliases, required=required, label=label, errors=errors)


def table_from(
    records: list[tuple[int, list]],
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str],
    label: str,
    errors: Sequence[RowError] = (),
) -> Table:
    """Numbered records (CSV or a worksheet's rows) as a `Table`; `UnrecognisedFile` without the required columns."""
    if not records:
        raise UnrecognisedFile("The file has no rows.")
    header, rows = split_header(records)
    columns = match_columns(header, aliases)
    require(columns, required, aliases, label)
    return Table(columns, rows, list(errors))


# --- numbers -----------------------------------------------------------------------------------

NOTHING = {"", "-", "\u2013", "\u2014", "undefined", "n/a", "null", "none", "nan"}  # incl. en and em dash
_GROUPED = re.compile(r"^\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?$")  # 1,234 or 1 234 (thousands)
_SUFFIX = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV would hold: whole floats without `.0`, None as blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_decimal(raw) -> Decimal | None:
    """A number written any of the ways exports write them: `424.0`, `1,234`, `1.2K`, `3M`; blanks are None."""
    text = cell_text(raw) if not isinstance(raw, str) else raw.strip()
    if text.casefold() in NOTHING:
        return None
    number, multiplier = text, 1
    if number[-1:].casefold() in _SUFFIX:
        number, multiplier = number[:-1].strip(), _SUFFIX[number[-1].casefold()]
    if _GROUPED.match(number.lstrip("-")):
        number = re.sub(r"[,\u00a0\u202f ]", "", number)
    try:
        value = Decimal(number) * multiplier
    except InvalidOperation:
        raise CellError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise CellError(f"not a number: {text!r}")
    return value


# The largest count a snapshot column holds (a signed 64-bit integer on every database we support).
MAX_COUNT = 2**63 - 1
# Plain digits shorter than this are always within MAX_COUNT, so the fast paths need not compare.
SAFE_DIGITS = len(str(MAX_COUNT))


def parse_count(raw) -> int | None:
    """A non-negative whole count; None for a blank. `1.2K` is rounded (the file already rounded it)."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < SAFE_DIGITS:
        return int(raw)  # the usual case, and the one a large file repeats millions of times
    value = parse_decimal(raw)
    if value is None:
        return None
    text = raw.strip() if isinstance(raw, str) else cell_text(raw)
    if value < 0:
        raise CellError(f"negative count: {text}")
    abbreviated = text[-1:].casefold() in _SUFFIX
    if value != value.to_integral_value() and not abbreviated:
        raise CellError(f"not a whole number: {text}")
    count = int(value.to_integral_value(rounding=ROUND_HALF_UP))
    if count > MAX_COUNT:
        raise CellError(f"too large to be a count: {text}")
    return count


# --- containers --------------------------------------------------------------------------------


def zip_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The files of a zip (name, bytes), without folders or macOS `__MACOSX` shadow copies."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnrecognisedFile("The file looks like a zip archive but cannot be opened: download it again.") from None
    with archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or name.startswith("__MACOSX/") or PurePath(name).name.startswith("._"):
                continue
            yield PurePath(name).name, archive.read(info)
