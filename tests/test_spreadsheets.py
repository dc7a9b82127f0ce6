import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portfolio.lib.spreadsheets import Table
from portfolio.lib.spreadsheets import csv_bytes
from portfolio.lib.spreadsheets import safe_cell
from portfolio.lib.spreadsheets import xlsx_bytes


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_ordinary_text_and_numbers_are_left_alone():
    assert safe_cell("Case of the week") == "Case of the week"
    assert safe_cell(-12) == -12
    assert safe_cell(None) is None


def test_a_csv_neutralises_formulas_in_headers_and_cells():
    table = Table("Posts", ["caption", "likes"], [['=HYPERLINK("http://evil.example","x")', 5], ["plain", None]])
    text = csv_bytes(table).decode("utf-8-sig")
    assert text.splitlines() == ["caption,likes", '"\'=HYPERLINK(""http://evil.example"",""x"")",5', "plain,"]


def test_an_xlsx_keeps_numbers_as_numbers_and_formulas_as_text():
    data = xlsx_bytes([Table("Rates: 2026/01", ["rate", "note"], [[Decimal("0.047"), "=2*3"], [-1, "ok"]])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Rates 202601"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["rate", "note"],
        [0.047, "'=2*3"],
        [-1, "ok"],
    ]
    assert sheet["B2"].data_type == "s"
