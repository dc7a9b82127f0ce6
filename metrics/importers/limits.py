"""
What one import file may hold, in one place, so that every parser reads the same numbers and any file, however
it was made, is read in bounded time and memory. Each limit is a setting read from the environment
(`portfolio/settings.py`, documented in `.env.example`); a file past one is refused whole, with a message that
names the limit and its setting, before anything is written.

| setting                  | default     | what it bounds                                                          |
|--------------------------|-------------|-------------------------------------------------------------------------|
| IMPORT_MAX_BYTES         | 200 MiB     | the file as uploaded; an upload is stopped as soon as it passes this    |
| IMPORT_MAX_WHOLE_BYTES   | 32 MiB      | a file a parser holds whole: every export but the template (which is    |
|                          |             | read in chunks), each file inside a zip, each part of a workbook; for a |
|                          |             | zip, by the size it declares and by what it really unpacks to           |
| IMPORT_MAX_ZIP_MEMBERS   | 1,000       | files in one zip (read from the zip's end record, before its directory) |
| IMPORT_MAX_ZIP_RATIO     | 200         | unpacked size / packed size of a file in a zip larger than 1 MiB        |
| IMPORT_MAX_ROWS          | 1,000,000   | rows under the header (the size of the import benchmark)                |
| IMPORT_MAX_COLUMNS       | 1,000       | cells in one row (the widest export, X's, has 40 columns)               |
| IMPORT_MAX_ROW_CHARS     | 1,000,000   | characters in one row, however many lines its quoted cells span        |
| IMPORT_MAX_CELLS         | 2,000,000   | cells of a file held whole (rows x columns)                             |
| IMPORT_MAX_CAPTION_CHARS | 65,536      | characters in one caption: Facebook allows 63,206, Reddit 40,000,       |
|                          |             | X Premium 25,000, YouTube 5,000, TikTok 4,000, LinkedIn 3,000,          |
|                          |             | Instagram 2,200                                                         |

Why these hold memory down: the template is streamed, in chunks of at most `CHUNK_CHARS` characters; any other
file is at most IMPORT_MAX_WHOLE_BYTES of text in at most IMPORT_MAX_CELLS cells; nothing is decompressed just
to read a name (a zip's names come from its directory), and only the file a format needs is unpacked. Workbook
parts are checked before openpyxl reads them (sizes, ratio, no DOCTYPE or ENTITY declarations), and openpyxl
parses with defusedxml. `tests/test_imports_hostile.py` prints the memory each hostile file costs.
"""

import io
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

from .base import UnrecognisedFile

# A chunk of the template holds at most this many characters of rows (as well as at most CHUNK_ROWS rows), so
# that rows of a million characters each come a few at a time.
CHUNK_CHARS = 4_000_000
# What an upload stopped as it streamed in says (`metrics.uploads`): the API, the admin and the command alike.
UPLOAD_TOO_LARGE = (
    "The file is larger than {limit:,} bytes; the limit is {limit:,} bytes (IMPORT_MAX_BYTES). It was refused "
    "as it arrived: nothing was read further, kept or imported."
)
# Compression ratios mean little for small files: a 100 KB sheet of empty cells packs 300 times.
RATIO_FLOOR_BYTES = 1024 * 1024


class LimitExceeded(UnrecognisedFile):
    """A file past one of the limits: refused whole. The message names the limit and the setting that sets it."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    whole_bytes: int
    zip_members: int
    zip_ratio: int
    rows: int
    columns: int
    row_chars: int
    cells: int
    caption_chars: int


def current() -> Limits:
    """The limits in force (read at each import, so that a changed setting applies at once)."""
    return Limits(
        file_bytes=settings.IMPORT_MAX_BYTES,
        whole_bytes=settings.IMPORT_MAX_WHOLE_BYTES,
        zip_members=settings.IMPORT_MAX_ZIP_MEMBERS,
        zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
        rows=settings.IMPORT_MAX_ROWS,
        columns=settings.IMPORT_MAX_COLUMNS,
        row_chars=settings.IMPORT_MAX_ROW_CHARS,
        cells=settings.IMPORT_MAX_CELLS,
        caption_chars=settings.IMPORT_MAX_CAPTION_CHARS,
    )


def exceeded(found: str, limit: int, unit: str, setting: str) -> LimitExceeded:
    """`found` says what the file holds ("The file has more than ..."); the limit and its setting follow."""
    return LimitExceeded(f"{found}; the limit is {limit:,} {unit} ({setting}). Nothing was imported.")


def chunk_rows(longest_row: int, most: int) -> int:
    """How many rows of the template a chunk takes: `most`, fewer when rows are long (at least one)."""
    return max(1, min(most, CHUNK_CHARS // max(longest_row, 1)))


class Bounded(io.RawIOBase):
    """
    A stream read through a counter: more than `most` bytes is `LimitExceeded` (naming `what` and `setting`),
    whichever reader pulls the bytes. Closing it leaves the stream it reads open, unless `owns` says otherwise.
    """

    def __init__(self, inner: BinaryIO, *, most: int, what: str, setting: str, owns: bool = False):
        self.inner, self.most, self.what, self.setting, self.owns = inner, most, what, setting, owns
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.inner.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.count = self.inner.seek(offset, whence)
        return self.count

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.most:
            raise exceeded(f"{self.what} is larger than {self.most:,} bytes", self.most, "bytes", self.setting)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self.owns and not self.closed:
            self.inner.close()
        super().close()
