"""
Cells for CSV and XLSX exports that a spreadsheet will not run as formulas.

A cell that starts with =, +, -, @ (or a tab or carriage return, which some spreadsheets skip before looking
for one of those) is read as a formula when the file is opened: a caption or handle such as
`=HYPERLINK("http://evil.example", "click")` would run on a reviewer's machine. Such text gets a leading
apostrophe, which spreadsheets show as plain text. Numbers are left alone: a negative growth is a number,
not a formula.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as an export cell: text that could start a formula is prefixed with ', anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value
