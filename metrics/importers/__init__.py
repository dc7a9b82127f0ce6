"""
The export formats this site reads, and how a file is matched to one.

`FORMATS` maps a format's key (stored with an import) to its `Format`. `detect(head, filename)`
picks the format from the first bytes of a file, by its header first and by its name second, and
`open_export` reads a whole upload with it. Files a platform gives that hold nothing to import (a
daily overview, a chart export) are recognised too, and refused with `UnsupportedFile` saying
which export to use instead. Parsing is pure: bytes in, rows out; saving them is the workflow's.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, tzinfo
from typing import BinaryIO

from . import common, containers, linkedin, meta, template, tiktok, x, youtube
from .base import (
    AccountRow,
    FileFacts,
    Format,
    KnownFile,
    ParsedChunk,
    ParsedFile,
    PostColumns,
    PostRow,
    RowError,
    UnrecognisedFile,
    UnsupportedFile,
)

FORMATS: dict[str, Format] = {
    fmt.key: fmt
    for fmt in (
        x.FORMAT,
        meta.INSTAGRAM_FORMAT,
        meta.FACEBOOK_FORMAT,
        youtube.FORMAT,
        linkedin.FORMAT,
        tiktok.FORMAT,
        template.FORMAT,
    )
}
KNOWN_FILES: tuple[KnownFile, ...] = (*x.UNSUPPORTED, *meta.UNSUPPORTED, *youtube.UNSUPPORTED, *tiktok.UNSUPPORTED)


def detect(head: bytes, filename: str) -> Format:
    """The format of a file from its first bytes (`common.HEAD_SIZE` is plenty) and its name."""
    if not head:
        raise UnrecognisedFile("The file is empty.")
    for name in ("", filename):  # the header decides first; a name only when no header does
        for fmt in FORMATS.values():
            if fmt.sniff(head, name):
                return fmt
        for known in KNOWN_FILES:
            if known.sniff(head, name):
                raise UnsupportedFile(known.reason)
    if common.head_text(head) is None and not head.startswith((common.ZIP_MAGIC, common.OLE_MAGIC)):
        raise UnrecognisedFile(common.NOT_TEXT)
    known = "; ".join(fmt.label for fmt in FORMATS.values())
    raise UnrecognisedFile(f"This file is not an export we know. The formats we read are: {known}.")


def open_export(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    """
    Detect the format of an uploaded file and parse it. `today` dates the files that leave the
    year out; `tz` is the zone of times written without one (the institution's, once the workflow
    passes it). Raises `UnrecognisedFile` (or its `UnsupportedFile`) with a message for people.
    """
    head = stream.read(common.HEAD_SIZE)
    stream = common.seekable(stream, head)
    if head.startswith(common.ZIP_MAGIC) and b"[Content_Types].xml" not in head:
        # A zip of CSVs names its files in a directory at its end: sniff on those names too, read from
        # that directory without unpacking anything.
        with containers.open_zip(stream) as archive:
            names = [containers.name_of(info) for info in containers.files(archive)]
        head += b"\n" + b"\n".join(name.encode() for name in names)
        stream.seek(0)
    parsed = detect(head, filename).parse(stream, filename=filename, today=today, tz=tz)
    return ParsedFile(facts=parsed.facts, chunks=_storable(parsed.chunks))


# A spreadsheet program that re-saves a CSV writes a long numeric id as 1.81827E+17: the digits are gone, and
# stored like that the id would name another post, or merge several posts into one.
ROUNDED_ID = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)
ROUNDED_ID_MESSAGE = (
    "{found} is a number rounded by a spreadsheet program when the file was re-saved, not the platform's id; "
    "export the file again, or format the column as text before saving"
)


def _storable(chunks: Iterator[ParsedChunk]) -> Iterator[ParsedChunk]:
    """
    Every format's rows, less those holding a post id or a link longer than the site stores, or a post id a
    spreadsheet program rounded (an error for the row instead, where the database would refuse the whole import
    or the id would name the wrong post); a limit a format finds only as it reads is the file's error rather than
    an exception in the middle of an import.
    """
    from metrics.models import Post  # the parsers themselves know nothing of the database

    most = {name: Post._meta.get_field(name).max_length for name in ("external_id", "url")}
    try:
        for chunk in chunks:
            if chunk.columns is not None and _may_be_unstorable(chunk.columns, most):
                chunk.posts, chunk.columns = chunk.posts + chunk.columns.post_rows(), None  # checked row by row below
            kept = []
            for post in chunk.posts:
                problem = _unstorable(post, most)
                if problem is None:
                    kept.append(post)
                else:
                    chunk.errors.append(RowError(post.row, *problem))
            chunk.posts = kept
            yield chunk
    except UnrecognisedFile as error:
        yield ParsedChunk(errors=[RowError(0, "", str(error))])


def _may_be_unstorable(columns: PostColumns, most: dict[str, int]) -> bool:
    """Whether a row of `columns` may fail `_unstorable`: a cell too long, or an id with a `+` (as in `E+17`)."""
    if any(max(map(len, getattr(columns, name)), default=0) > limit for name, limit in most.items()):
        return True
    return "+" in "".join(columns.external_id)


def _unstorable(post: PostRow, most: dict[str, int]) -> tuple[str, str] | None:
    """(column, reason) when the row cannot be stored as it is, else None."""
    for name, limit in most.items():
        found = len(getattr(post, name))
        if found > limit:
            return name, f"{found:,} characters; at most {limit} are stored"
    if ROUNDED_ID.fullmatch(post.external_id):
        return "external_id", ROUNDED_ID_MESSAGE.format(found=post.external_id)
    return None


__all__ = [
    "FORMATS",
    "KNOWN_FILES",
    "AccountRow",
    "FileFacts",
    "Format",
    "ParsedChunk",
    "ParsedFile",
    "PostColumns",
    "PostRow",
    "RowError",
    "UnrecognisedFile",
    "UnsupportedFile",
    "detect",
    "open_export",
]
