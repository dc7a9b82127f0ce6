"""
Dates and times as the exports write them. Each parser raises `CellError` with the form it
expected, which the caller reports against the row and column. A file that gives a time without a
zone is read in `tz` (the institution's zone, once the workflow passes it); a file that gives only
a day is placed at the start of that day in `tz`.
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .common import CellError

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "janeiro", "enero", "janvier", "januar", "января", "январь", "tháng một"),
            ("february", "feb", "fevereiro", "febrero", "février", "februar", "февраля", "февраль", "tháng hai"),
            ("march", "mar", "março", "marzo", "mars", "märz", "марта", "март", "tháng ba"),
            ("april", "apr", "abril", "avril", "апреля", "апрель", "tháng tư"),
            ("may", "maio", "mayo", "mai", "мая", "май", "tháng năm"),
            ("june", "jun", "junho", "junio", "juin", "juni", "июня", "июнь", "tháng sáu"),
            ("july", "jul", "julho", "julio", "juillet", "juli", "июля", "июль", "tháng bảy"),
            ("august", "aug", "agosto", "août", "августа", "август", "tháng tám"),
            ("september", "sep", "sept", "setembro", "septiembre", "septembre", "сентября", "сентябрь", "tháng chín"),
            ("october", "oct", "outubro", "octubre", "octobre", "oktober", "октября", "октябрь", "tháng mười"),
            ("november", "nov", "novembro", "noviembre", "novembre", "ноября", "ноябрь", "tháng mười một"),
            (
                "december",
                "dec",
                "dezembro",
                "diciembre",
                "décembre",
                "dezember",
                "декабря",
                "декабрь",
                "tháng mười hai",
            ),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:[A-Za-z]{3,9}\.?,?\s+)?"


def _month(name: str) -> int | None:
    name = " ".join(unicodedata.normalize("NFC", name).casefold().replace(".", "").split())
    if re.fullmatch(r"tháng \d{1,2}", name):  # Vietnamese also numbers months: "tháng 8"
        return int(name.split()[1])
    return MONTHS.get(name)


def _date(year: int, month: int | None, day: int, raw: str, expected: str) -> date:
    try:
        return date(year, month or 0, day)
    except ValueError:
        raise CellError(f"not a date in the form {expected}: {raw!r}") from None


def parse_month_name_date(raw: str) -> date:
    """`Tue, Jul 14, 2026`, `Jan 6, 2024`, `Fri, Jun 5, 2026` (the weekday is optional)."""
    match = re.fullmatch(_WEEKDAY + r"([^\W\d]+)\.?\s+(\d{1,2}),?\s+(\d{4})", raw.strip())
    if not match:
        raise CellError(f"not a date such as 'Jan 6, 2024' or 'Tue, Jul 14, 2026': {raw!r}")
    return _date(int(match[3]), _month(match[1]), int(match[2]), raw, "'Jan 6, 2024'")


def parse_us_date(raw) -> date:
    """`MM/DD/YYYY`, or a date a spreadsheet cell already holds."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", str(raw).strip())
    if not match:
        raise CellError(f"not a date in the form MM/DD/YYYY: {raw!r}")
    return _date(int(match[3]), int(match[1]), int(match[2]), raw, "MM/DD/YYYY")


def parse_us_datetime(raw: str, tz: tzinfo) -> datetime:
    """`MM/DD/YYYY HH:MM` (24-hour, no zone): local time, read in `tz`."""
    match = re.fullmatch(r"(\d{1,2}/\d{1,2}/\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?", raw.strip())
    if not match:
        raise CellError(f"not a date and time in the form MM/DD/YYYY HH:MM: {raw!r}")
    day = parse_us_date(match[1])
    try:
        moment = time(int(match[2]), int(match[3]), int(match[4] or 0))
    except ValueError:
        raise CellError(f"not a time of day: {raw!r}") from None
    return datetime.combine(day, moment, tzinfo=tz)


def parse_iso(raw: str, tz: tzinfo) -> datetime:
    """An ISO date or date-time (`2026-01-01`, `2026-01-01T09:30`, `... +00:00`); no zone means `tz`."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-"))
    except ValueError:
        raise CellError(f"not an ISO date (YYYY-MM-DD) or date and time: {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_yearless_date(raw: str, reference: date) -> date:
    """
    A day and month without a year (`28 May`, `September 4`, `18 января`, `9月16日`,
    `18 tháng Tám`, `8 de setembro`): the latest such day on or before `reference`, so that
    December posts exported in January fall in the year before.
    """
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    match = re.fullmatch(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日", text) or re.fullmatch(r"(\d{1,2})월\s*(\d{1,2})일", text)
    if match:
        month, day = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{1,2})\.?\s+(?:de\s+)?(.+?)\.?", text):
        month, day = _month(match[2]), int(match[1])
    elif match := re.fullmatch(r"(.+?)\.?\s+(\d{1,2})", text):
        month, day = _month(match[1]), int(match[2])
    else:
        month = day = None
    if not month or not day:
        raise CellError(f"not a day and month such as '28 May': {raw!r}")
    for year in range(reference.year, reference.year - 9, -1):  # 29 February waits for a leap year
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    raise CellError(f"not a day and month such as '28 May': {raw!r}")


def at_midnight(day: date, tz: tzinfo) -> datetime:
    """A file that gives only the day: the start of that day in the time zone it was written in."""
    return datetime.combine(day, time(), tzinfo=tz)


def from_unix_ms(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


# --- dates as a spreadsheet program writes them back --------------------------------------------
#
# A file opened and saved again in a spreadsheet program comes back with its dates in the program's short
# format: `4/17/2023` (US), `17/04/2023` (most of the world), `17.04.23` (Germany, Russia...), with or without
# a time (`4/17/2023 15:30`, `4/17/2023 3:30 PM`). Whether `04/05/2023` is 4 May or 5 April is decided for a
# whole column at once (`DateOrder`): a date whose first number is over 12 says the column writes the day
# first, one whose second number is over 12 that it writes the month first, and dots mean the day comes first.
# A column with no such date keeps the order of the export itself (month first for Meta and LinkedIn, which
# write MM/DD/YYYY); for an export that never writes numeric dates, its ambiguous dates are errors that say so.

NUMERIC_DATE = re.compile(
    r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})\.?"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
)
DAY_FIRST, MONTH_FIRST = "day first", "month first"


class DateOrder:
    """
    Whether a column's numeric dates write the day or the month first, from every date in the column.
    `native` is the order the export itself writes (MONTH_FIRST for MM/DD/YYYY), or "" when it writes no
    numeric dates. `order` is "" when nothing tells; `witness` is the cell that decided, for messages.
    """

    def __init__(self, cells, *, native: str = ""):
        self.order, self.witness = "", ""
        for raw in cells:
            match = NUMERIC_DATE.fullmatch(raw.strip()) if isinstance(raw, str) else None
            if not match:
                continue
            first, second = int(match[1]), int(match[3])
            if match[2] == "." or first > 12:
                self.order, self.witness = DAY_FIRST, raw.strip()
            elif second > 12:
                self.order, self.witness = MONTH_FIRST, raw.strip()
            if self.order:
                break
        if not self.order:
            self.order = native

    @property
    def day_first(self) -> bool:
        return self.order == DAY_FIRST


def parse_numeric_date(raw: str, order: DateOrder, tz: tzinfo | None = None) -> date | datetime:
    """
    A date in a spreadsheet's short form, read in the column's `order`: a date, or with `tz` a date and time
    in that zone (a date alone is its midnight). `CellError` says what was expected, or why the order is unknown.
    """
    text = raw.strip()
    match = NUMERIC_DATE.fullmatch(text)
    if not match:
        raise CellError(f"not a date such as 4/17/2023 or 17/04/2023: {raw!r}")
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    year += 2000 if len(match[4]) == 2 else 0  # no export is older than the platforms
    if not order.order and first != second and first <= 12 and second <= 12:
        raise CellError(
            f"{text!r} could be day {first} of month {second} or month {first}, day {second}, and no date "
            "in this column has a number over 12 to tell: write the dates as YYYY-MM-DD"
        )
    day, month = (first, second) if order.day_first else (second, first)
    try:
        day_value = date(year, month, day)
    except ValueError:
        written = "the day first" if order.day_first else "the month first"
        raise CellError(f"not a date: {text!r} (this column writes {written}, as {order.witness!r} shows)") from None
    if tz is None:
        return day_value
    hour, minute, second_value = int(match[5] or 0), int(match[6] or 0), int(match[7] or 0)
    if match[8]:  # 12-hour clock: 12 AM is midnight, 12 PM noon
        hour = hour % 12 + (12 if match[8][0] in "Pp" else 0)
    try:
        return datetime.combine(day_value, time(hour, minute, second_value), tzinfo=tz)
    except ValueError:
        raise CellError(f"not a time of day: {raw!r}") from None


# Excel counts days from 1899-12-31 as day 1 and, to match Lotus 1-2-3, counts a 29 February 1900 that never
# was (day 60): from day 61 on, the day is 1899-12-30 plus the serial. Workbooks in the 1904 system (old Macs)
# count from 1904-01-01 as day 0.
EXCEL_EPOCH, EXCEL_EPOCH_1904 = date(1899, 12, 30), date(1904, 1, 1)


def from_excel_serial(serial: float, *, date_1904: bool = False) -> datetime:
    """A workbook's date serial (45033 -> 2023-04-17), as a naive date-time (the fraction is the time of day)."""
    if serial < 0 or serial >= 2_958_466:  # after 9999-12-31
        raise CellError(f"not a date: {serial}")
    if date_1904:
        start = EXCEL_EPOCH_1904
    else:
        if 60 <= serial < 61:
            raise CellError(f"not a date: {serial} is 29 February 1900, which Excel counts but never was")
        start = EXCEL_EPOCH if serial >= 61 else EXCEL_EPOCH + timedelta(days=1)
    whole = int(serial)
    moment = datetime.combine(start + timedelta(days=whole), time())
    return moment + timedelta(seconds=round((serial - whole) * 86_400))


def resaved(parse, order: DateOrder, tz: tzinfo | None = None):
    """
    `parse` for the export's own form, and for a file re-saved by a spreadsheet program its numeric short
    form too, read in the column's `order` (a date, or with `tz` a date and time in that zone).
    """

    def read(raw, *args):
        if isinstance(raw, str) and NUMERIC_DATE.fullmatch(raw.strip()):
            return parse_numeric_date(raw, order, tz)
        return parse(raw, *args)

    return read
