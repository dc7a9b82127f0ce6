"""
CSV and XLSX downloads of data tables, safe to open in a spreadsheet.

A cell that begins with =, +, - or @ (or a tab or carriage return, which some programs skip before
reading a formula) is run as a formula by Excel, LibreOffice and Google Sheets: a caption such as
`=HYPERLINK("http://evil.example", "click")` would become a live link in a committee member's sheet.
`safe_cell` neutralises such text with a leading apostrophe, the convention spreadsheets themselves use
for "this is text". Numbers stay numbers: a negative growth of -12 is not text and is left alone.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | None


def safe_cell(value: Cell) -> Cell:
    """The value unchanged, unless it is text a spreadsheet would run as a formula: then '-prefixed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    """One sheet: a title, its column headings and its rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so Excel reads accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(header) for header in table.headers])
    for row in table.rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """One sheet per table, headings in bold, in a workbook written in memory."""
    workbook = Workbook(write_only=True)
    for table in tables:
        # Sheet titles are at most 31 characters and may not contain []:*?/\
        title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or "Sheet"
        sheet = workbook.create_sheet(title=title)
        sheet.append([safe_cell(header) for header in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_value(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(cell: Cell) -> Cell:
    if isinstance(cell, Decimal):
        return float(cell)
    if isinstance(cell, datetime) and cell.tzinfo is not None:
        # Spreadsheets have no time zones; keep the wall-clock time the page shows.
        return cell.replace(tzinfo=None)
    return safe_cell(cell)
