"""
A CSV's records counted at the speed of numpy: what `common.Records` finds in a first reading of a large
template (its non-blank records and its longest record, within the limits), without Python run per record.

`common.Records` reads a file record by record through Python's csv module, checking the limits as it goes,
and words every problem; for the 1,000,000 rows of a large template that first reading alone cost about a
fifth of the whole import. Most files are plain: UTF-8, every quote where RFC 4180 puts it (opening a cell,
closing it, or doubled inside it), lines ending in LF or CRLF, every record within the limits. In such a
file a record ends at each line break that follows an even number of quotes, and a cell at each comma that
does, which numpy finds over megabytes at a time. `plain_records` answers for those files only; for any
other (a stray quote, a lone CR, a NUL, text that is not UTF-8, a record near a limit, a file cut off inside
a quoted cell) it answers None, and the caller reads the file with `common.Records`, which words the problem
exactly as before. Tests hold the two readings equal over generated files.
"""

import codecs
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from .limits import Limits

BLOCK_BYTES = 512 * 1024  # a block, its decoded text (up to 4 bytes a character) and its positions stay a few MB
QUOTE, COMMA, LF, CR = (ord(char) for char in '",\n\r')
# What may stand before a quote that opens a cell, and after one that closes it.
AROUND_QUOTES = np.array([COMMA, LF, CR, QUOTE], dtype=np.uint8)


@dataclass(frozen=True)
class Counted:
    records: int  # records that are not blank lines, the header included
    longest: int  # characters of the longest record, line breaks included (as `common.Records.longest`)


def plain_records(text: TextIO, allowed: Limits) -> Counted | None:
    """
    The records of `text` (a file opened by `common.text_opener`, not yet read), counted from its bytes, if the
    file is plain and within `allowed` (see the module); None otherwise. Reading past the file's size limit
    raises `LimitExceeded`, as any reading does. `text` is closed.
    """
    try:
        if text.encoding not in ("utf-8", "utf-8-sig"):
            return None
        return _Scanner(allowed).scan(text.buffer, skip_bom=text.encoding == "utf-8-sig")
    finally:
        text.close()


class _Scanner:
    """The state carried from one block of bytes to the next."""

    def __init__(self, allowed: Limits):
        self.allowed = allowed
        self.records = self.longest = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.quotes = 0  # quotes read so far (only their parity matters)
        self.previous = LF  # the byte before the current block: a file starts as if after a line break
        self.previous_outside = True  # whether that byte is outside a quoted cell
        self.previous_closes = False  # whether that byte is a quote that closes a cell
        self.chars = 0  # characters read so far
        self.record_start = 0  # the character at which the current record starts
        self.commas = 0  # commas of the current record so far, outside quotes

    def scan(self, stream, *, skip_bom: bool) -> Counted | None:
        start = stream.read(len(codecs.BOM_UTF8))
        if skip_bom and start == codecs.BOM_UTF8:  # not a character of the text
            start = b""
        if start and not self._block(start):
            return None
        while block := stream.read(BLOCK_BYTES):
            if not self._block(block):
                return None
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
        if self.quotes % 2 or (self.previous == CR and self.previous_outside):
            return None  # cut off inside a quoted cell, or a last line ending in a lone CR
        last = np.array([self.chars]) if self.chars > self.record_start else np.array([], dtype=np.int64)
        if not self._count(last, np.zeros(len(last), dtype=np.int64), crlf=None):  # a last record without a line break
            return None
        return Counted(records=self.records, longest=self.longest)

    def _block(self, block: bytes) -> bool:
        data = np.frombuffer(block, dtype=np.uint8)
        ascii_only = data.max() < 0x80  # then it is UTF-8 already, a character a byte
        if not ascii_only or self.decoder.getstate()[0]:  # (unless a character of the last block is unfinished)
            try:
                self.decoder.decode(block)
            except UnicodeDecodeError:
                return False
        if not data.all():  # a NUL: UTF-16 without its mark, or not text
            return False
        # Quotes are few: a byte is inside a quoted cell when an odd number of quotes come before it, which a
        # binary search over the quotes' positions tells for the bytes that matter (quotes, line breaks, CRs).
        quote_at = np.flatnonzero(data == QUOTE)
        carry = self.quotes & 1

        def outside(positions: np.ndarray) -> np.ndarray:
            return (np.searchsorted(quote_at, positions) + carry) % 2 == 0

        opening = outside(quote_at)
        opens, closes = quote_at[opening], quote_at[~opening]
        if not self._quotes_in_place(data, opens, closes):
            return False
        # A CR outside quotes must be followed by an LF (a lone CR ends a line for Python's csv: read slowly); a CR
        # that ends the block is checked with the next one.
        cr_at = np.flatnonzero(data == CR)
        cr_at = cr_at[outside(cr_at)]
        if (data[cr_at[cr_at + 1 < len(data)] + 1] != LF).any():
            return False
        if self.previous == CR and self.previous_outside and data[0] != LF:
            return False
        line_ends = np.flatnonzero(data == LF)
        line_ends = line_ends[outside(line_ends)]
        commas = self._commas(data, opens, closes, line_ends)
        # Characters: every byte but UTF-8's continuation bytes.
        continuing = None if ascii_only else np.flatnonzero((data & 0xC0) == 0x80)
        ends = line_ends + 1
        if continuing is not None:
            ends -= np.searchsorted(continuing, line_ends)
        crlf = data[np.maximum(line_ends - 1, 0)] == CR
        if len(line_ends) and line_ends[0] == 0:
            crlf[0] = self.previous == CR
        if not self._count(self.chars + ends, commas[:-1], crlf=crlf):
            return False
        self.commas += int(commas[-1])
        self.chars += len(data) - (0 if continuing is None else len(continuing))
        self.quotes += len(quote_at)
        self.previous = int(data[-1])
        self.previous_outside = bool(outside(np.array([len(data) - 1]))[0])
        self.previous_closes = bool(len(closes) and closes[-1] == len(data) - 1)
        return True

    def _quotes_in_place(self, data: np.ndarray, opens: np.ndarray, closes: np.ndarray) -> bool:
        """
        Whether every quote is where RFC 4180 puts it: one that opens a cell follows a comma, a line break or the
        quote that closed the cell's previous part (a doubled quote); one that closes a cell is followed by a
        comma, a line break or another quote. Python's strict csv reader refuses anything else.
        """
        if not np.isin(data[opens[opens > 0] - 1], AROUND_QUOTES).all():
            return False
        if len(opens) and opens[0] == 0 and self.previous not in AROUND_QUOTES:
            return False
        if not np.isin(data[closes[closes + 1 < len(data)] + 1], AROUND_QUOTES).all():
            return False
        return not (self.previous_closes and data[0] not in AROUND_QUOTES)

    def _commas(self, data: np.ndarray, opens: np.ndarray, closes: np.ndarray, line_ends: np.ndarray) -> np.ndarray:
        """
        The commas outside quotes of each record ending at `line_ends`, and (the last item) after the last one:
        every comma, less those of the quoted stretches (an opening quote to its closing one, or to the block's
        edges), which are few.
        """
        comma_at = np.flatnonzero(data == COMMA)
        starts = np.concatenate(([0], opens)) if self.quotes & 1 else opens  # a stretch open since the last block
        stops = np.concatenate((closes, [len(data)])) if len(closes) < len(starts) else closes
        inside = np.searchsorted(comma_at, stops) - np.searchsorted(comma_at, starts)
        inside_before = np.concatenate(([0], np.cumsum(inside)))
        bounds = np.concatenate((line_ends, [len(data)]))  # outside any stretch, but maybe the last
        before = np.searchsorted(comma_at, bounds) - inside_before[np.searchsorted(starts, bounds)]
        return np.diff(before, prepend=0)

    def _count(self, ends: np.ndarray, commas: np.ndarray, *, crlf: np.ndarray | None) -> bool:
        """
        Count the records ending at the characters `ends` (past their line breaks), with `commas` outside quotes
        each; `crlf`: whether each line break is a CR LF (None: the last record, with no line break). False for a
        record near a limit.
        """
        if not len(ends):
            return True
        commas = commas.astype(np.int64)
        commas[0] += self.commas
        lengths = np.diff(ends, prepend=self.record_start)
        # Near a limit the exact reading decides, and words the refusal.
        if lengths.max() >= self.allowed.row_chars or commas.max() + 1 >= self.allowed.columns:
            return False
        if crlf is None:
            self.records += len(lengths)
        else:  # a blank line is a record of its line break alone
            self.records += len(lengths) - int(((lengths == 1) | ((lengths == 2) & crlf)).sum())
        self.longest = max(self.longest, int(lengths.max()))
        self.record_start, self.commas = int(ends[-1]), 0
        return True
