"""Dates and timestamps in the formats sources write them.

Latin-American sources write dates day first ("17/05/1990"); month-first dates are only
read with explicit formats from the source's configuration. Re-exported by
``dedupe.normalise``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

DEFAULT_HINT = "1990-05-17 or 17/05/1990"


class UnreadableDate(ValueError):
    """Text that is not a date in any accepted format (or an impossible date)."""

    def __init__(self, raw: str, formats: Sequence[str] | None = None) -> None:
        self.raw = raw
        expected = " or ".join(formats) if formats else f"e.g. {DEFAULT_HINT}"
        super().__init__(f"{raw!r} is not a date (expected {expected})")


# Spanish, Portuguese and English month names and abbreviations, accents already removed.
MONTH_NAMES: dict[str, int] = {
    name: month
    for month, names in enumerate((
        ("enero", "ene", "janeiro", "jan", "january"),
        ("febrero", "feb", "fevereiro", "fev", "february"),
        ("marzo", "mar", "marco", "march"),
        ("abril", "abr", "april", "apr"),
        ("mayo", "may", "maio", "mai"),
        ("junio", "jun", "junho", "june"),
        ("julio", "jul", "julho", "july"),
        ("agosto", "ago", "august", "aug"),
        ("septiembre", "setiembre", "sep", "sept", "set", "setembro", "september"),
        ("octubre", "oct", "outubro", "out", "october"),
        ("noviembre", "nov", "novembro", "november"),
        ("diciembre", "dic", "dezembro", "dez", "december", "dec"),
    ), start=1)
    for name in names
}

# An optional time after the date: "10:00", "10:00:00.123", "10:00 p. m.", "10:00:00Z".
_TIME = (
    r"(?:(?:t|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s*m\.?)?\s*(?:z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DE = r"(?:\s+de\s+|\s*[-/.,]\s*|\s+)"  # "17 de mayo de 1990", "17-may-1990", "17 may 1990"
_PATTERNS = tuple(re.compile(pattern + _TIME + r"$") for pattern in (
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})",  # 1990-05-17
    r"(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})",  # 17/05/1990
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})",  # 19900517
    r"(?P<day>\d{1,2})" + _DE + r"(?P<month_name>[a-z]+)\.?" + _DE + r"(?P<year>\d{4}|\d{2})",
    r"(?P<month_name>[a-z]+)\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?" + _DE + r"(?P<year>\d{4})",  # May 17, 1990
))
# "0000-00-00", "00/00/0000 00:00:00": how database exports write "no date".
_ZERO_DATE = re.compile(r"0+(?P<sep>[-/.])0+(?P=sep)0+(?:[t\s]+0+:0+(?::0+(?:\.0+)?)?)?")


def _without_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _century_before(year: int, month: int, day: int, today: dt.date | None) -> int:
    """Return the year of a two-digit-year date that is not after ``today``."""
    today = today or dt.date.today()
    try:
        in_this_century = dt.date(2000 + year % 100, month, day)
    except ValueError:
        in_this_century = None  # 29 February: let the full-date check below decide
    if in_this_century is not None and in_this_century <= today:
        return 2000 + year % 100
    return 1900 + year % 100


def _match_builtin(text: str, today: dt.date | None) -> dt.datetime | None:
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("month_name") is not None:
            month = MONTH_NAMES.get(parts["month_name"])
            if month is None:
                return None
        else:
            month = int(parts["month"])
        day, year = int(parts["day"]), int(parts["year"])
        if len(parts["year"]) == 2:
            year = _century_before(year, month, day, today)
        hour = int(parts["hour"] or 0)
        if parts["ampm"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if parts["ampm"] == "p" else 0)
        micro = int((parts["fraction"] or "0")[:6].ljust(6, "0"))
        try:
            return dt.datetime(year, month, day, hour, int(parts["minute"] or 0), int(parts["second"] or 0), micro)
        except ValueError:
            return None  # 31/02/1990, month 13, hour 25
    return None


def _match_formats(text: str, formats: Sequence[str], today: dt.date | None) -> dt.datetime | None:
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%y" in fmt and parsed.date() > (today or dt.date.today()):
            # strptime puts "70".."99" in the 1900s and "00".."68" in the 2000s; we want
            # the date that is not in the future, as for the built-in formats.
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed.replace(tzinfo=None)
    return None


def parse_timestamp(
    raw: str, formats: Sequence[str] | None = None, *, today: dt.date | None = None
) -> dt.datetime | None:
    """Return the timestamp written in ``raw`` (naive, as written), or None if it is empty.

    With ``formats`` (``strptime`` formats from the source's configuration) only those are
    tried. Otherwise: ISO "1990-05-17", "1990/05/17", "19900517"; day first "17/05/1990",
    "17-05-1990", "17.05.1990", "17/05/90"; month names in Spanish, Portuguese or English
    "17 de mayo de 1990", "17-may-1990", "May 17, 1990"; each optionally followed by a time
    "10:00", "10:00:00.5", "10:00 p. m.", "T10:00:00Z". A date alone is midnight. A UTC
    offset is dropped: sources write local time, and converting only the values that carry
    an offset would disorder them against the rest of their source. Two-digit years go to
    the century that keeps the date not after ``today`` (default: the current date).
    "0000-00-00" is a database's empty date: None.
    Raises ``UnreadableDate`` for anything else, including impossible dates (31/02/1990).
    """
    text = raw.strip()
    if not text or _ZERO_DATE.fullmatch(text.lower()):
        return None
    if formats:
        parsed = _match_formats(text, formats, today)
    else:
        parsed = _match_builtin(_without_accents(text.lower()), today)
    if parsed is None:
        raise UnreadableDate(text, formats)
    return parsed


def parse_date(raw: str, formats: Sequence[str] | None = None, *, today: dt.date | None = None) -> dt.date | None:
    """Return the date written in ``raw`` (any time part ignored), or None if it is empty.

    Accepts what ``parse_timestamp`` accepts; raises ``UnreadableDate`` likewise.
    """
    parsed = parse_timestamp(raw, formats, today=today)
    return parsed.date() if parsed is not None else None
