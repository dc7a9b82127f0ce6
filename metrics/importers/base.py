"""
What every importer produces: plain rows in the vocabulary of the design.

A parser reads an export file (bytes, never the database) and yields
`ParsedChunk`s: the posts with their metrics, account-level rows (followers),
and every problem found, each naming the row and column a person can find in
the file. Small exports come as one chunk; the template CSV comes in chunks so
that memory does not grow with the file. Saving is the workflow's job.

A row with a problem yields no `PostRow`/`AccountRow`: it yields one `RowError`
per problem instead (all of them, so the person fixes the row once), and the
other rows carry on.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat


class UnrecognisedFile(Exception):
    """The file is not one of the known formats (or is not readable at all); the message says why."""


class UnsupportedFile(UnrecognisedFile):
    """
    The file is recognised (a platform's export) but holds nothing this site stores, for example a
    daily whole-account overview: no per-post numbers and no follower totals. The message names
    the file and says which export to use instead. A subclass, so that handling
    `UnrecognisedFile` covers it.
    """


@dataclass(slots=True)
class RowError:
    # The record number in the file, counting every record from 1 (the header and any preamble
    # such as `sep=,` included), which is the row a spreadsheet program shows; for workbooks the
    # sheet's row number. 0 for the file as a whole.
    row: int
    column: str  # the column header as written in the file; "" for the row as a whole
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)  # a large file holds thousands at a time: no __dict__ each
class PostRow:
    """One post and its counts as the file reports them on `captured_on` (the export date)."""

    row: int
    external_id: str
    url: str = ""
    published_at: datetime | None = None  # time-zone aware
    content_type: str = ""  # a ContentType key, or "" when the file does not say
    caption: str = ""
    # Only the metric fields the file has a column for; None = the cell was blank / "-" / "undefined".
    metrics: dict[str, int | None] = field(default_factory=dict)
    captured_on: date | None = None  # set when the row itself says (TikTok's "Time", the template)
    # The account the row names, when the row itself names one (the template; Instagram's username);
    # "" otherwise. Together they select the account.
    platform: str = ""
    handle: str = ""
    category: str = ""  # template only: a CareerCategory key, or ""


@dataclass(slots=True)
class AccountRow:
    """An account's follower count on one day."""

    row: int
    captured_on: date
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    platform: str = ""
    handle: str = ""


POST_COLUMNS = ("external_id", "url", "published_at", "content_type", "caption", "captured_on", "platform", "handle")


@dataclass
class PostColumns:
    """
    Post rows as columns: a list per `PostRow` field, the same length each, and a list per metric the file
    has. What the template's reader gives for a chunk without a bad cell: checking and writing a million
    rows column by column costs a fraction of building, checking and converting a `PostRow` for each.
    Every row names the same metrics (the file's columns); `category` is the template's.
    """

    row: list[int]
    external_id: list[str]
    url: list[str]
    published_at: list[datetime | None]
    content_type: list[str]
    caption: list[str]
    captured_on: list[date | None]
    platform: list[str]
    handle: list[str]
    category: list[str]
    metrics: dict[str, list[int | None]]

    def __len__(self) -> int:
        return len(self.row)

    def take(self, positions: list[int]) -> "PostColumns":
        """The rows at `positions`, in that order."""
        pick = [*POST_COLUMNS, "row", "category"]
        taken = {name: [getattr(self, name)[index] for index in positions] for name in pick}
        metrics = {name: [values[index] for index in positions] for name, values in self.metrics.items()}
        return PostColumns(**taken, metrics=metrics)

    def post_rows(self) -> list[PostRow]:
        """The rows as `PostRow`s: what the row reader gives for the same cells."""
        names, fields = list(self.metrics), ("row", *POST_COLUMNS, "category")
        counts = zip(*self.metrics.values(), strict=True) if names else repeat(())
        cells = zip(*(getattr(self, name) for name in fields), counts, strict=False)  # `counts` may be endless
        return [
            PostRow(**dict(zip(fields, values, strict=False)), metrics=dict(zip(names, values[-1], strict=True)))
            for values in cells
        ]


@dataclass
class ParsedChunk:
    posts: list[PostRow] = field(default_factory=list)
    account_rows: list[AccountRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_rows: int = 0  # rows deliberately passed over (e.g. YouTube's "Total" row)
    # The template's rows of a chunk without a bad cell, as columns (besides `posts`, which is then empty).
    columns: PostColumns | None = None

    @property
    def post_count(self) -> int:
        return len(self.posts) + (len(self.columns) if self.columns is not None else 0)

    def all_posts(self) -> list[PostRow]:
        """`posts` and the rows of `columns`, as `PostRow`s: for small files, previews and tests."""
        return self.posts + (self.columns.post_rows() if self.columns is not None else [])


@dataclass(frozen=True)
class FileFacts:
    """What the file says about itself, known before its rows are read."""

    format: str  # key in metrics.importers.FORMATS
    label: str  # for people: "X tweet activity (legacy)"
    platform: str  # platform key; "" for the template (any platform)
    handle: str = ""  # the account the file names (file name or content), "" if it does not
    captured_on: date | None = None  # the export date, if the file name or content gives it
    ignored_columns: tuple[str, ...] = ()  # columns with no place in the metric vocabulary


@dataclass
class ParsedFile:
    facts: FileFacts
    chunks: Iterator[ParsedChunk]

    def collect(self) -> ParsedChunk:
        """Every chunk merged into one: for small files, previews and tests (a workflow goes chunk by chunk)."""
        whole = ParsedChunk()
        for chunk in self.chunks:
            whole.posts += chunk.all_posts()
            whole.account_rows += chunk.account_rows
            whole.errors += chunk.errors
            whole.skipped_rows += chunk.skipped_rows
        return whole


@dataclass(frozen=True)
class Format:
    """
    One export format.

    `sniff(head, filename)` says whether a file looks like it, from the first bytes of the file
    (undecoded: workbooks and zips are binary; CSV sniffers decode with `common.head_text`) and
    its name. `parse(stream, *, filename, today, tz=UTC)` reads a binary stream: the facts at
    once, the rows lazily in chunks. `today` dates files that leave the year out; `tz` is the
    zone of times the file writes without one (the workflow passes the institution's time zone;
    UTC until it does). It raises `UnrecognisedFile` when the file is not this format after all.
    """

    key: str
    label: str
    platform: str
    sniff: Callable[[bytes, str], bool]
    parse: Callable[..., ParsedFile]


@dataclass(frozen=True)
class KnownFile:
    """
    A platform file that is recognised but has nothing to import (a daily overview, a chart
    export). `detect` raises `UnsupportedFile` with `reason` instead of calling it unknown.
    """

    label: str
    sniff: Callable[[bytes, str], bool]
    reason: str
