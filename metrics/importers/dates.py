"""
Dates and times as the exports write them. Each parser raises `CellError` with the form it
expected, which the caller reports against the row and column. A file that gives a time without a
zone is read in `tz` (the institution's zone, once the workflow passes it); a file that gives only
a day is placed at the start of that day in `tz`.
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, tzinfo

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
