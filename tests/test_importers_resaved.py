"""
An export opened and saved again in a spreadsheet program imports exactly what the original imports: dates
in the program's short format (US `4/17/2023`, day-first `17/04/2023`, German `17.04.23`), numbers with
thousands separators or a decimal comma, workbook dates that lost their format (Excel's day numbers). Each
re-saved variant is made here from the sample files in `tests/data/exports/`, the way a spreadsheet program
writes them back (minimal quoting, no byte-order mark).
"""

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from metrics.importers import common
from metrics.importers import dates
from metrics.importers import open_export
from metrics.importers.common import CellError

EXPORTS = Path(__file__).parent / "data" / "exports"


def us(moment, with_time=False):
    text = f"{moment.month}/{moment.day}/{moment.year}"
    return f"{text} {moment.hour}:{moment.minute:02d}" if with_time else text


def day_first(moment, with_time=False):
    text = f"{moment.day:02d}/{moment.month:02d}/{moment.year}"
    return f"{text} {moment.hour:02d}:{moment.minute:02d}" if with_time else text


def german(moment, with_time=False):
    text = f"{moment.day:02d}.{moment.month:02d}.{moment.year % 100:02d}"
    return f"{text} {moment.hour:02d}:{moment.minute:02d}" if with_time else text


def twelve_hour(moment, with_time=True):
    hour = moment.hour % 12 or 12
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {'PM' if moment.hour >= 12 else 'AM'}"


def grouped(separator):
    """
    Counts of four digits or more written with `separator` between thousands, as a locale shows them (ids,
    which a spreadsheet program keeps as text, are longer).
    """

    def write(cell: str) -> str:
        if cell.isdigit() and 3 < len(cell) <= 9:
            return f"{int(cell):,}".replace(",", separator)
        return cell

    return write


def resave(name: str, columns: dict, *, numbers=None, decimals=None) -> bytes:
    """
    The CSV `name` as a spreadsheet program writes it back: every cell of `columns` (header -> function of
    the cell) rewritten, whole numbers through `numbers`, and cells with a decimal point through `decimals`.
    """
    text = common.decode((EXPORTS / name).read_bytes())
    records = list(csv.reader(io.StringIO(text, newline="")))
    header_at = next(i for i, record in enumerate(records) if len(record) > 1)
    header = records[header_at]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(records[: header_at + 1])
    for record in records[header_at + 1 :]:
        cells = []
        for position, cell in enumerate(record):
            column = header[position] if position < len(header) else ""
            if column in columns and cell.strip() and cell.strip().casefold() != "total":
                cell = columns[column](cell)
            elif numbers and cell.isdigit():
                cell = numbers(cell)
            elif decimals and cell.replace(".", "", 1).isdigit() and "." in cell:
                cell = decimals(cell)
            cells.append(cell)
        writer.writerow(cells)
    return out.getvalue().encode()


def imported(data: bytes, name: str, today: date):
    parsed = open_export(io.BytesIO(data), filename=name, today=today)
    rows = parsed.collect()
    return parsed.facts, rows


def what(rows):
    """What an import takes from the rows: everything a post and an account row carries but its row number."""
    posts = [
        (p.external_id, p.url, p.published_at, p.content_type, p.caption, p.metrics, p.captured_on, p.handle)
        for p in rows.posts
    ]
    accounts = [(a.captured_on, a.followers) for a in rows.account_rows]
    return posts, accounts, rows.skipped_rows


def assert_imports_like_the_original(name: str, data: bytes, today: date):
    original_facts, original = imported((EXPORTS / name).read_bytes(), name, today)
    facts, resaved = imported(data, name, today)

    assert resaved.errors == []
    assert what(resaved) == what(original)
    assert (facts.format, facts.handle, facts.captured_on) == (
        original_facts.format,
        original_facts.handle,
        original_facts.captured_on,
    )
    assert original.posts or original.account_rows


def meta_time(write):
    return lambda cell: write(dates.parse_us_datetime(cell, UTC), with_time=True)


@pytest.mark.parametrize(
    "name", ["Sep-01-2026_Sep-30-2026_1234567890123456.csv", "Sep-01-2026_Sep-30-2026_9876543210987654.csv"]
)
@pytest.mark.parametrize(
    ("write", "numbers"),
    [(us, grouped(",")), (day_first, grouped(",")), (german, grouped(".")), (twelve_hour, grouped(","))],
    ids=["us", "day-first", "german", "12-hour"],
)
def test_a_resaved_meta_export_imports_like_the_original(name, write, numbers):
    data = resave(name, {"Publish time": meta_time(write)}, numbers=numbers)

    assert_imports_like_the_original(name, data, date(2026, 10, 5))


@pytest.mark.parametrize(("write", "numbers"), [(us, grouped(",")), (day_first, grouped(" ")), (german, grouped("."))])
def test_a_resaved_legacy_x_export_imports_like_the_original(write, numbers):
    name = "tweet_activity_metrics_alicerad_20210401_20210501_en.csv"
    data = resave(name, {"time": lambda cell: write(dates.parse_iso(cell, UTC), with_time=True)}, numbers=numbers)

    assert_imports_like_the_original(name, data, date(2026, 10, 5))


@pytest.mark.parametrize("write", [us, day_first, german])
def test_a_resaved_x_content_export_imports_like_the_original(write):
    name = "account_analytics_content_2026-06-01_2026-07-15.csv"
    data = resave(name, {"Date": lambda cell: write(dates.parse_month_name_date(cell))}, numbers=grouped(","))

    assert_imports_like_the_original(name, data, date(2026, 10, 5))


@pytest.mark.parametrize(
    ("write", "numbers", "decimals"),
    [
        (us, grouped(","), None),
        (day_first, grouped(","), None),
        (german, grouped("."), lambda cell: cell.replace(".", ",")),  # 800,25 hours
    ],
)
@pytest.mark.parametrize("name", ["Table data.csv", "Table data (subscribers gained).csv"])
def test_a_resaved_youtube_table_imports_like_the_original(name, write, numbers, decimals):
    columns = {"Video publish time": lambda cell: write(dates.parse_month_name_date(cell))}
    data = resave(name, columns, numbers=numbers, decimals=decimals)

    assert_imports_like_the_original(name, data, date(2026, 10, 5))


def tiktok_day(write, today):
    return lambda cell: write(dates.parse_yearless_date(cell, today))


@pytest.mark.parametrize("write", [us, day_first, german])
def test_a_resaved_tiktok_export_imports_like_the_original(write):
    today = date(2026, 1, 20)
    exported = dates.parse_yearless_date("5 January", today)
    columns = {
        "Time": tiktok_day(write, today),
        "Post time": lambda cell: write(dates.parse_yearless_date(cell, exported)),
    }
    data = resave("Content.csv", columns)

    assert_imports_like_the_original("Content.csv", data, today)


@pytest.mark.parametrize("write", [us, day_first])
def test_resaved_tiktok_follower_history_imports_like_the_original(write):
    today = date(2026, 1, 3)
    data = resave("FollowerHistory.csv", {"Date": tiktok_day(write, today)})

    assert_imports_like_the_original("FollowerHistory.csv", data, today)


def resaved_workbook(name: str, write_date, write_count) -> bytes:
    """The LinkedIn workbook with its Created date and count cells rewritten as a spreadsheet program might."""
    book = openpyxl.load_workbook(EXPORTS / name)
    sheet = book["All posts"]
    header = [cell.value for cell in sheet[2]]
    date_column, counts = header.index("Created date"), {"Impressions", "Clicks", "Likes", "Comments", "Reposts"}
    for row in sheet.iter_rows(min_row=3):
        cell = row[date_column]
        if cell.value is not None:
            day = cell.value.date() if isinstance(cell.value, datetime) else dates.parse_us_date(cell.value)
            cell.value, cell.number_format = write_date(day), "General"
        for position, value in enumerate(header):
            if value in counts and isinstance(row[position].value, int | float):
                row[position].value = write_count(row[position].value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


@pytest.mark.parametrize(
    ("write_date", "write_count"),
    [
        (excel_serial, lambda count: count),  # the dates lost their format: Excel's day numbers
        (lambda day: day_first(day), lambda count: f"{int(count):,}"),  # numbers stored as text
        (lambda day: german(day), lambda count: f"{int(count):,}".replace(",", ".")),
    ],
    ids=["day-numbers", "day-first-text", "german-text"],
)
def test_a_resaved_linkedin_workbook_imports_like_the_original(write_date, write_count):
    name = "northfield-radiology_content_1758326400000.xlsx"
    data = resaved_workbook(name, write_date, write_count)

    assert_imports_like_the_original(name, data, date(2026, 10, 5))


# --- the rules, cell by cell ---------------------------------------------------------------------


def test_a_column_holding_13_04_is_day_first_and_decides_for_every_date_in_it():
    order = dates.DateOrder(["04/05/2023", "13/04/2023"])

    assert order.day_first
    assert dates.parse_numeric_date("04/05/2023", order) == date(2023, 5, 4)


def test_a_column_holding_04_13_is_month_first():
    order = dates.DateOrder(["04/05/2023", "4/13/2023"])

    assert dates.parse_numeric_date("04/05/2023", order) == date(2023, 4, 5)


def test_dotted_dates_are_day_first_with_two_digit_years():
    order = dates.DateOrder(["17.04.23"])

    assert dates.parse_numeric_date("17.04.23", order) == date(2023, 4, 17)


def test_a_column_that_cannot_tell_is_refused_with_the_reason():
    order = dates.DateOrder(["04/05/2023", "05/05/2023"])

    with pytest.raises(CellError, match=r"could be day 4 of month 5 or month 4, day 5.*YYYY-MM-DD"):
        dates.parse_numeric_date("04/05/2023", order)
    assert dates.parse_numeric_date("05/05/2023", order) == date(2023, 5, 5)  # the same either way


def test_an_export_that_writes_month_first_keeps_that_order_when_the_column_cannot_tell():
    order = dates.DateOrder(["04/05/2023"], native=dates.MONTH_FIRST)

    assert dates.parse_numeric_date("04/05/2023", order) == date(2023, 4, 5)


def test_a_date_against_its_column_names_the_date_that_decided():
    order = dates.DateOrder(["09/15/2026", "31/12/2026"])

    with pytest.raises(CellError, match=r"'31/12/2026' \(this column writes the month first, as '09/15/2026' shows\)"):
        dates.parse_numeric_date("31/12/2026", order)


def test_a_resaved_file_whose_dates_cannot_tell_names_row_and_column():
    body = "Content,Video title,Video publish time,Views\nAbCdEfGhIjK,a,4/5/2024,10\nAbCdEfGhIjL,b,3/2/2024,11\n"

    _, rows = imported(body.encode(), "Table data.csv", date(2026, 10, 5))

    assert [(error.row, error.column) for error in rows.errors] == [
        (2, "Video publish time"),
        (3, "Video publish time"),
    ]
    assert "write the dates as YYYY-MM-DD" in rows.errors[0].message


@pytest.mark.parametrize(
    ("serial", "day"),
    [
        (45033, datetime(2023, 4, 17)),
        (45033.5, datetime(2023, 4, 17, 12)),
        (61, datetime(1900, 3, 1)),
        (59, datetime(1900, 2, 28)),
        (1, datetime(1900, 1, 1)),
    ],
)
def test_excel_day_numbers_with_the_1900_leap_year_quirk(serial, day):
    assert dates.from_excel_serial(serial) == day


def test_the_29_february_1900_that_never_was_is_an_error():
    with pytest.raises(CellError, match="never was"):
        dates.from_excel_serial(60)


def test_workbooks_counting_from_1904():
    assert dates.from_excel_serial(43571, date_1904=True) == datetime(2023, 4, 17)


@pytest.mark.parametrize(
    ("raw", "day_first", "count"),
    [
        ("1,234", False, 1234),
        ("1 234", False, 1234),
        ("1\u00a0234", True, 1234),
        ("1'234", False, 1234),
        ("1.234", True, 1234),
        ("1,234", True, 1234),
        ("12.345.678", True, 12_345_678),
        (" 1234 ", False, 1234),  # a number stored as text
    ],
)
def test_counts_with_thousands_separators(raw, day_first, count):
    assert common.parse_count(raw, day_first) == count


def test_a_dot_between_thousands_is_a_decimal_point_unless_the_file_writes_the_day_first():
    with pytest.raises(CellError, match=r"not a whole number: 1\.234"):
        common.parse_count("1.234")


@pytest.mark.parametrize(
    ("raw", "day_first", "value"),
    [("927,5816", True, "927.5816"), ("1.234,5", False, "1234.5"), ("1,234.5", True, "1234.5"), ("7,0", True, "7.0")],
)
def test_decimals_with_a_comma(raw, day_first, value):
    assert str(common.parse_decimal(raw, day_first)) == value
