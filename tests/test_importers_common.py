"""The shared rules every format uses: encodings, preamble, headers, counts and dates."""

import codecs
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from metrics.importers import UnrecognisedFile
from metrics.importers import common
from metrics.importers import dates
from metrics.importers.common import CellError
from metrics.plausibility import COUNT_REASON


def test_encoding_is_sniffed_from_the_byte_order_mark():
    assert common.decode(codecs.BOM_UTF8 + b"Post ID,x\n") == "Post ID,x\n"
    assert common.decode(codecs.BOM_UTF16_LE + "sep=,\n".encode("utf-16-le")) == "sep=,\n"
    assert common.decode("impressões\n".encode()) == "impressões\n"


def test_a_head_cut_inside_a_character_still_decodes_for_sniffing():
    head = "id do Tweet,impressões".encode()[:-4]  # cut inside "õ"

    assert common.head_text(head) == "id do Tweet,impress"


def test_undecodable_bytes_are_an_unrecognised_file():
    with pytest.raises(UnrecognisedFile, match="re-save it as CSV UTF-8"):
        common.decode("São Paulo".encode("latin-1"))


def test_preamble_lines_are_passed_over():
    records, _ = common.csv_records('sep=,\n"Instagram follows"\n"Date","Primary"\n"2026-01-01T00:00:00","20"\n')
    header, rows = common.split_header(records)

    assert header == ["Date", "Primary"]
    assert rows == [(4, ["2026-01-01T00:00:00", "20"])]


def test_headers_match_case_insensitively_trimmed_with_aliases_in_order_of_preference():
    columns = common.match_columns(
        [" Subscribers ", "SUBSCRIBERS GAINED", "cliques em hashtags:", "Mystery"],
        {"follows": ("Subscribers gained", "Subscribers"), "hashtags": ("cliques em hashtags",)},
    )

    assert columns.positions == {"follows": 1, "hashtags": 2}
    assert columns.headers["follows"] == "SUBSCRIBERS GAINED"
    assert columns.ignored == ("Subscribers", "Mystery")


@pytest.mark.parametrize(
    ("raw", "count"),
    [
        ("424.0", 424),
        ("1,234", 1234),
        ("1.2K", 1200),
        ("3M", 3_000_000),
        ("0", 0),
        ("", None),
        ("  ", None),
        ("-", None),
        ("undefined", None),
        (12.0, 12),  # a spreadsheet cell
        (None, None),
    ],
)
def test_counts_are_coerced_leniently_and_blanks_are_not_zero(raw, count):
    assert common.parse_count(raw) == count


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-3", "negative count: -3"),
        ("12.5", "not a whole number: 12.5"),
        ("lots", "not a number: 'lots'"),
        # Above the plausibility ceiling (`metrics.plausibility.COUNT_CEILING`), let alone a 64-bit column.
        ("100000000000000000000", f"too large to be a count: 100000000000000000000 is {COUNT_REASON}"),
        ("9.3E18", f"too large to be a count: 9.3E18 is {COUNT_REASON}"),
        ("1000000000001", f"too large to be a count: 1000000000001 is {COUNT_REASON}"),
    ],
)
def test_bad_counts_say_what_they_found(raw, message):
    with pytest.raises(CellError, match=f"^{re.escape(message)}$"):
        common.parse_count(raw)


def test_iso_datetimes_keep_their_zone_and_get_the_given_one_otherwise():
    assert dates.parse_iso("2020-02-10 18:00 +0000", UTC) == datetime(2020, 2, 10, 18, tzinfo=UTC)
    assert dates.parse_iso("2026-03-01", ZoneInfo("Asia/Tokyo")) == datetime(2026, 3, 1, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_us_dates_and_times():
    assert dates.parse_us_date("09/24/2026") == date(2026, 9, 24)
    assert dates.parse_us_datetime("09/24/2026 15:30", UTC) == datetime(2026, 9, 24, 15, 30, tzinfo=UTC)
    with pytest.raises(CellError, match="MM/DD/YYYY"):
        dates.parse_us_date("24/09/2026")


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("Tue, Jul 14, 2026", date(2026, 7, 14)),
        ("Fri, Jun 5, 2026", date(2026, 6, 5)),
        ("Jan 6, 2024", date(2024, 1, 6)),
    ],
)
def test_month_name_dates(raw, day):
    assert dates.parse_month_name_date(raw) == day


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("28 May", date(2025, 5, 28)),  # after the reference day this year: last year
        ("9 July", date(2025, 7, 9)),
        ("2 January", date(2026, 1, 2)),
        ("28 December", date(2025, 12, 28)),
        ("September 4", date(2025, 9, 4)),
        ("18 января", date(2026, 1, 18)),
        ("9月16日", date(2025, 9, 16)),
        ("18 tháng Tám", date(2025, 8, 18)),
        ("8 de setembro", date(2025, 9, 8)),
    ],
)
def test_yearless_dates_take_the_latest_year_not_after_the_reference(raw, day):
    assert dates.parse_yearless_date(raw, date(2026, 1, 20)) == day


def test_29_february_waits_for_a_leap_year():
    assert dates.parse_yearless_date("29 February", date(2027, 3, 1)) == date(2024, 2, 29)


def test_garbage_yearless_date():
    with pytest.raises(CellError, match="not a day and month such as '28 May': '32 Smarch'"):
        dates.parse_yearless_date("32 Smarch", date(2026, 1, 20))


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("Views (1).csv", "Views.csv"),
        ("C:\\Users\\alice\\Downloads\\Table data.csv", "Table data.csv"),
        ("a/b.csv", "b.csv"),
    ],
)
def test_base_name_drops_folders_and_download_suffixes(name, base):
    assert common.base_name(name) == base


def test_the_ceiling_is_the_largest_count_accepted():
    assert common.parse_count(str(10**12)) == 10**12
    assert common.parse_count("1,000,000,000,000") == 10**12
    with pytest.raises(CellError, match="too large to be a count"):
        common.parse_count(str(2**63 - 1))
