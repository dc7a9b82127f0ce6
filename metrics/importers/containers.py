"""
Zips and the bytes inside them, read within the limits (`limits`): a zip's names come from its directory, never
by unpacking; only the file a format needs is opened, and it is read through a counter that stops at the size
the zip declares and at IMPORT_MAX_WHOLE_BYTES. Before the directory itself is read, the zip's end record says
how many files it holds and how large the directory is, so that a zip of a million empty files is refused
without a million objects being made. A workbook (.xlsx) is a zip of XML parts: `check_workbook` checks each
part's size and ratio and refuses XML that declares a DOCTYPE or entities, before openpyxl reads any of it.
"""

import io
import re
import struct
import zipfile
import zlib
from pathlib import PurePath
from typing import BinaryIO

from . import limits
from .base import UnrecognisedFile

DAMAGED = "The file looks like a zip archive but cannot be opened: download it again."
END_RECORD, END_RECORD_64, LOCATOR_64 = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
DIRECTORY_BYTES_PER_MEMBER = 1024  # a directory entry is 46 bytes and a name; no export names a file at length
XML_HEAD = 64 * 1024
XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
XML_ELEMENT = re.compile(rb"<[A-Za-z_]")


def open_zip(stream: BinaryIO) -> zipfile.ZipFile:
    """The archive, once its end record shows it within the limits (its directory is read only then)."""
    allowed = limits.current()
    members, directory_bytes = _end_record(stream)
    if members > allowed.zip_members:
        raise limits.exceeded(
            f"The zip holds {members:,} files", allowed.zip_members, "files", "IMPORT_MAX_ZIP_MEMBERS"
        )
    if directory_bytes > max(members, 1) * DIRECTORY_BYTES_PER_MEMBER:
        raise UnrecognisedFile(f"The zip's list of files takes {directory_bytes:,} bytes, far more than its names.")
    stream.seek(0)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError, EOFError):
        raise UnrecognisedFile(DAMAGED) from None


def _end_record(stream: BinaryIO) -> tuple[int, int]:
    """(files, bytes of the directory) as the zip's end record declares them (ZIP64 included)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_size = min(size, 22 + 65_535)  # the record, and a comment of at most 64 KiB
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < 22:
        raise UnrecognisedFile(DAMAGED)
    members, directory_bytes = struct.unpack("<HL", tail[at + 10 : at + 16])
    if members != 0xFFFF and directory_bytes != 0xFFFFFFFF:
        return members, directory_bytes
    locator = tail[at - 20 : at] if at >= 20 else b""
    if not locator.startswith(LOCATOR_64):
        raise UnrecognisedFile(DAMAGED)
    (offset,) = struct.unpack("<Q", locator[8:16])
    stream.seek(offset)
    record = stream.read(56)
    if len(record) < 56 or not record.startswith(END_RECORD_64):
        raise UnrecognisedFile(DAMAGED)
    members, directory_bytes = struct.unpack("<QQ", record[32:48])
    return members, directory_bytes


def files(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The files of a zip, from its directory: no folders, no macOS `__MACOSX` or `._` shadow copies."""
    return [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not PurePath(info.filename).name.startswith("._")
    ]


def name_of(info: zipfile.ZipInfo) -> str:
    return PurePath(info.filename).name


def check_member(info: zipfile.ZipInfo) -> None:
    """A file of a zip within IMPORT_MAX_WHOLE_BYTES and IMPORT_MAX_ZIP_RATIO, by what the directory declares."""
    allowed = limits.current()
    name = name_of(info) or info.filename
    if info.file_size > allowed.whole_bytes:
        raise limits.exceeded(
            f"{name!r} in the zip unpacks to {info.file_size:,} bytes", allowed.whole_bytes, "bytes",
            "IMPORT_MAX_WHOLE_BYTES",
        )  # fmt: skip
    if info.file_size > limits.RATIO_FLOOR_BYTES and info.file_size > allowed.zip_ratio * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise limits.exceeded(
            f"{name!r} in the zip unpacks to {ratio:,} times its packed size", allowed.zip_ratio, "times",
            "IMPORT_MAX_ZIP_RATIO",
        )  # fmt: skip


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """One file of the zip, checked, as a seekable stream that stops at its declared size and at the limit."""
    check_member(info)
    try:
        member = archive.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        raise UnrecognisedFile(DAMAGED) from None
    counted = limits.Bounded(
        _Member(member), most=limits.current().whole_bytes, what=repr(name_of(info)), setting="IMPORT_MAX_WHOLE_BYTES",
        owns=True,
    )  # fmt: skip
    return io.BufferedReader(counted)


class _Member(io.RawIOBase):
    """A file being unpacked: a damaged zip (a bad checksum, a cut-off file) is `UnrecognisedFile` when it shows."""

    def __init__(self, inner):
        self.inner = inner

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.inner.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        try:
            data = self.inner.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise UnrecognisedFile(DAMAGED) from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
        super().close()


def check_workbook(stream: BinaryIO) -> None:
    """
    An .xlsx refused before openpyxl reads it if any part is too large or packed too tightly, or if an XML part
    declares a DOCTYPE or entities (which no workbook needs: they are how "billion laughs" files expand), or
    does not reach its first element within its first 64 KiB (where such a declaration would hide).
    """
    with open_zip(stream) as archive:
        for info in archive.infolist():
            check_member(info)
            if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with open_member(archive, info) as part:
                head = part.read(XML_HEAD)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", errors="replace").encode()
            if XML_DECLARATIONS.search(head) or (len(head) == XML_HEAD and not XML_ELEMENT.search(head)):
                raise UnrecognisedFile(
                    f"The workbook's part {info.filename!r} declares a DOCTYPE or entities, which no spreadsheet "
                    "program writes: it is refused unread. Save the workbook again from a spreadsheet program."
                )
    stream.seek(0)
