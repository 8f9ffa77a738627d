"""Publication dates: from a metadata string, or read off the top of an article.

Metadata dates come in whatever shape a user typed or a feed exported, so `parse_date` accepts ISO 8601 and
the usual written forms, but refuses anything short of a full day, month and year rather than guess the rest.
Articles without metadata often state their date in a date line ("Published: 14 October 2025") or a wire
dateline ("MOSCOW, Oct 14, 2025 (Reuters) -"); `date_in_text` reads only those, never a date in running prose,
which is usually about some other day.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as _dateutil

_MIN_YEAR, _MAX_YEAR = 1900, 2100
# Two defaults differing in day, month and year: a component the value lacks shows up as a difference.
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2004, 3, 3))
# Year-first numeric dates are always year-month-day; dateutil would read them year-day-month when dayfirst.
_YEAR_FIRST = re.compile(r"\d{4}\D")

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
_MONTH += r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_ISO = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_NUMERIC = r"(?P<num>\d{1,2})[/.](?P<num2>\d{1,2})[/.]\d{4}"  # taken only when one of the two is over 12
# A full date (day, month and year) in any of the accepted written forms; case-insensitive inside.
_DATE_SRC = (
    rf"(?<![\w/])(?i:{_ISO}|\d{{4}}/\d{{1,2}}/\d{{1,2}}|{_NUMERIC}"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s*\d{{4}}|{_MONTH}\s*{_DAY}\s*,?\s*\d{{4}})(?![\w/])"
)
_DATE = re.compile(_DATE_SRC)
# What a date line may hold besides its date: a few words, a weekday, a time, a time zone, separators.
_FILLER = re.compile(
    r"(?i:\b(?:published|updated|posted|last|first|on|at)\b"
    r"|\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
    r"|\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\b\.?)?|\b\d{1,2}\s*[ap]\.?m\b\.?|\b[ap]\.?m\b\.?"
    r"|[+-]\d{1,2}(?::?\d{2})?\b)"
    r"|\b(?:UTC|GMT|Z|MSK|[A-Z]{1,3}[SD]?T)\b"
    r"|[\s:,|/\-–—•·()]"
)
# A wire dateline: place (capitals or title case), date, optional (agency) or /agency/, then a dash.
_PLACE = r"[A-Z][\w.'’-]*(?:(?:\s+|\s*/\s*|,\s*)[A-Z][\w.'’-]*){0,4}"
_DATELINE = re.compile(rf"^{_PLACE},\s*(?P<date>{_DATE_SRC})\s*(?:\([^()\n]{{1,40}}\)|/[^/\n]{{1,40}}/)?\s*(?:--?|–|—)")


def parse_date(value: str, dayfirst: bool = False) -> dt.date:
    """The calendar date a metadata string states: ISO 8601 as written (no time-zone conversion), else dateutil.

    Raises ValueError when the value is empty, not a date, lacks its day, month or year, or has a year outside
    1900-2100. `dayfirst` decides ambiguous numeric dates ("03/04/2025") only, never year-first ones.
    """
    text = value.strip()
    dayfirst = dayfirst and not _YEAR_FIRST.match(text)
    if not text:
        raise ValueError(f"empty date value: {value!r}")
    try:
        date = dt.datetime.fromisoformat(text).date()
    except ValueError:
        try:
            first, second = (_dateutil.parse(text, dayfirst=dayfirst, ignoretz=True, default=d) for d in _DEFAULTS)
        except (ValueError, OverflowError):
            raise ValueError(f"not a date: {value!r}") from None
        if first.date() != second.date():
            raise ValueError(f"incomplete date (needs day, month and year): {value!r}") from None
        date = first.date()
    if not _MIN_YEAR <= date.year <= _MAX_YEAR:
        raise ValueError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}: {value!r}")
    return date


def parse_month(value: str) -> dt.date:
    """The first day of the month a metadata string names without its day ("2023-06", "June 2023"): feeds
    and archives often date a story to the month. Raises ValueError when it is not exactly that."""
    try:
        first, second = (_dateutil.parse(value.strip(), ignoretz=True, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        raise ValueError(f"not a month: {value!r}") from None
    if (first.year, first.month) != (second.year, second.month) or first.day == second.day:
        raise ValueError(f"not a month without its day: {value!r}")
    if not _MIN_YEAR <= first.year <= _MAX_YEAR:
        raise ValueError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}: {value!r}")
    return dt.date(first.year, first.month, 1)


def _to_date(match: re.Match[str]) -> dt.date | None:
    """The date a `_DATE` match states, or None when it is ambiguous (numeric, both parts <= 12) or invalid."""
    if match["num"] and max(int(match["num"]), int(match["num2"])) <= 12:
        return None
    try:
        return parse_date(match[0])
    except ValueError:
        return None


def date_in_text(text: str, max_chars: int = 600) -> dt.date | None:
    """The publication date stated near the top of an article (its first `max_chars` characters), or None.

    Only a date line ("Published: 14 October 2025", "Updated 10:32 GMT, Tue 14 Oct 2025") or a dateline
    ("MOSCOW, Oct 14, 2025 (Reuters) - ...") counts; the first that gives a valid, unambiguous date wins.
    """
    for line in text[:max_chars].splitlines():
        line = line.strip()
        dateline = _DATELINE.match(line)
        if dateline:
            date = _to_date(_DATE.match(dateline["date"]))
            if date:
                return date
        matches = list(_DATE.finditer(line))
        if matches and not _FILLER.sub("", _DATE.sub("", line)):
            date = _to_date(matches[0])
            if date:
                return date
    return None
