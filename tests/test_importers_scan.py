"""
A template's records counted by numpy (`scan.plain_records`) are the records `common.Records` reads.

Over generated files (cells with commas, quotes, line breaks, CRs, accents and emoji, written properly quoted or
raw; LF or CR LF; blank lines; a BOM; a missing last line break; files cut off anywhere; blocks of a few bytes,
so that records, quoted cells and CR LF pairs straddle blocks), whenever the fast count answers, the exact
reading reads the same records (those not blank) and the same longest record, without refusing the file. And
it does answer for plain files, whatever their blocks.
"""

import csv
import io

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import reject
from hypothesis import settings
from hypothesis import strategies as st

from metrics.importers import common
from metrics.importers import limits
from metrics.importers import scan
from metrics.importers.base import UnrecognisedFile

LIMITS = {"IMPORT_MAX_ROW_CHARS": 60, "IMPORT_MAX_COLUMNS": 6}
cell = st.text(alphabet=["a", "b", " ", ",", '"', "\n", "\r", "é", "😀", "\x00"], max_size=8)
plain_cell = st.text(alphabet=["a", "b", " ", ",", '"', "\n", "é", "😀"], max_size=8)


def _opener(data: bytes):
    return common.text_opener(io.BytesIO(data), most=10**6, setting="IMPORT_MAX_BYTES")


def _exact(data: bytes) -> tuple[int, int] | None:
    """What the exact reading counts (non-blank records, longest), or None when it refuses the file."""
    records = common.Records(_opener(data))
    try:
        count = sum(1 for _, record in records if record)
    except UnrecognisedFile:  # limits.LimitExceeded too
        return None
    return None if records.cut_at else (count, records.longest)


def _fast(data: bytes, block: int) -> scan.Counted | None:
    original = scan.BLOCK_BYTES
    scan.BLOCK_BYTES = block
    try:
        return scan.plain_records(_opener(data)(), limits.current())
    finally:
        scan.BLOCK_BYTES = original


def _quoted(rows: list[list[str]], terminator: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=terminator).writerows(rows)
    return out.getvalue()


@st.composite
def files(draw) -> bytes:
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=8), min_size=1, max_size=6))
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    raw = terminator.join(",".join(row) for row in rows)  # quotes and line breaks where they fall
    text = _quoted(rows, terminator) if draw(st.booleans()) else raw
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    data = text.encode()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # cut off, maybe inside a character
    data = b"h\n" + data  # a first line of text, which the head of a file must be
    return b"\xef\xbb\xbf" + data if draw(st.booleans()) else data


@pytest.mark.slow
@override_settings(**LIMITS)
@settings(max_examples=600, deadline=None)
@given(data=files(), block=st.integers(1, 9))
def test_the_fast_count_is_the_exact_reading_whenever_it_answers(data, block):
    try:
        _opener(data)
    except UnrecognisedFile:
        reject()  # not text from its first bytes: refused before either reading
    fast = _fast(data, block)
    if fast is not None:
        assert (fast.records, fast.longest) == _exact(data)


@override_settings(**LIMITS)
@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(plain_cell, min_size=1, max_size=3), min_size=1, max_size=5),
    terminator=st.sampled_from(["\n", "\r\n"]),
    blank_lines=st.integers(0, 2),
    block=st.integers(1, 9),
)
def test_a_plain_file_is_counted_fast_in_blocks_of_any_size(rows, terminator, blank_lines, block):
    text = _quoted(rows, terminator) + terminator * blank_lines
    data = ("h" + terminator + text).encode()
    exact = _exact(data)
    if exact is None:  # over a limit of this test's: the exact reading refuses it
        assert _fast(data, block) is None
        return
    fast = _fast(data, block)
    assert fast is not None
    assert (fast.records, fast.longest) == exact


@override_settings(**LIMITS)
@pytest.mark.parametrize(
    "data",
    [
        b'h\na"b,c\n',  # a stray quote inside a cell
        b'h\n"ab"c,d\n',  # text after a closing quote
        b"h\na\rb\n",  # a lone CR
        b'h\n"never closed\n',  # cut off inside a quoted cell
        b"h\n" + b"a\n" * 40_000 + b"\xff\xfe\n",  # not UTF-8, past the head that was checked
        b"h\n" + b"a\n" * 40_000 + b"a\x00b\n",  # a NUL, as well
        # A character broken by plain text: in blocks of 4 (after the 3 bytes read for a BOM), its first byte ends a
        # block, two blocks of plain text follow, and its last two bytes start the next one.
        b"h\n" + b"a\n" * 40_000 + b"aaaa\xe2" + b"a" * 8 + b"\x82\xac\n",
        b"h\n" + b"x" * 61 + b"\n",  # a record over the row's characters
        b"h\n" + b"," * 6 + b"\n",  # a record of seven cells
    ],
)
def test_what_is_not_plain_is_left_to_the_exact_reading(data):
    assert _fast(data, 4) is None
    assert _fast(data, scan.BLOCK_BYTES) is None


def test_the_template_counts_its_rows_with_the_fast_count(monkeypatch):
    from metrics.importers import template

    answers = []

    def plain_records(*args):
        answers.append(original(*args))
        return answers[-1]

    original = scan.plain_records
    monkeypatch.setattr(scan, "plain_records", plain_records)
    data = b"external_id,captured_on,likes\np1,2026-10-01,5\n\np2,2026-10-01,7\n"
    assert template.parse(io.BytesIO(data), filename="t.csv", today=None).facts.format == "template"
    assert answers == [scan.Counted(records=3, longest=30)]  # the header and two rows; the blank line is not one
    with override_settings(IMPORT_MAX_ROWS=1), pytest.raises(limits.LimitExceeded, match="more than 1 rows"):
        template.parse(io.BytesIO(data), filename="t.csv", today=None)
