"""Publication dates: metadata strings (parse_date) and dates read off the top of an article (date_in_text)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from newsstance.text.dates import date_in_text, parse_date, parse_month

OCT_14 = date(2025, 10, 14)


# --- parse_date ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2025-10-14", " 2025-10-14\n", "2025-10-14T09:30:00Z", "2025-10-14 09:30:00+03:00"])
def test_iso_date_and_datetime(value):
    assert parse_date(value) == OCT_14


def test_iso_datetime_keeps_the_written_day():
    assert parse_date("2025-10-14T01:00:00+03:00") == OCT_14  # 2025-10-13 in UTC
    assert parse_date("2025-10-14T23:30:00-05:00") == OCT_14  # 2025-10-15 in UTC


@pytest.mark.parametrize(
    "value",
    [
        "14 October 2025",
        "Oct. 14, 2025",
        "October 14 2025",
        "14 Oct. 2025",
        "Tuesday, 14 Oct 2025 10:32 GMT",
        "October 14, 2025 5:01 PM EDT",
        "14th October 2025",
        "2025/10/14",
    ],
)
def test_written_dates(value):
    assert parse_date(value) == OCT_14


def test_abbreviated_month_with_dot():
    assert parse_date("Sept. 3, 2025") == date(2025, 9, 3)


def test_numeric_day_over_twelve_is_day_first_either_way():
    assert parse_date("14/10/2025") == OCT_14
    assert parse_date("14/10/2025", dayfirst=True) == OCT_14


def test_dayfirst_switches_ambiguous_numeric_dates():
    assert parse_date("03/04/2025") == date(2025, 3, 4)
    assert parse_date("03/04/2025", dayfirst=True) == date(2025, 4, 3)


def test_dayfirst_leaves_year_first_dates_alone():
    assert parse_date("2025/03/04", dayfirst=True) == date(2025, 3, 4)
    assert parse_date("2025.03.04", dayfirst=True) == date(2025, 3, 4)


@pytest.mark.parametrize("value", ["October 2025", "Oct 14", "2025", "Tuesday", "10:32 GMT"])
def test_month_and_year_only_is_rejected(value):
    with pytest.raises(ValueError, match="incomplete date") as raised:
        parse_date(value)
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize("value", ["not a date", "yesterday", "2025-02-30", "31 February 2025", "14 Octobre 2025"])
def test_non_date_is_rejected(value):
    with pytest.raises(ValueError, match="not a date") as raised:
        parse_date(value)
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize("value", ["14 October 1850", "2101-01-01", "0001-01-01"])
def test_year_out_of_range_is_rejected(value):
    with pytest.raises(ValueError, match="year outside 1900-2100") as raised:
        parse_date(value)
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_empty_value_is_rejected(value):
    with pytest.raises(ValueError, match="empty date value"):
        parse_date(value)


# --- date_in_text: date lines -------------------------------------------------------------------------------

HEADLINE = "Kremlin rejects ceasefire proposal\n"
BODY = "\nThe Kremlin said on Tuesday it would not accept the proposal.\n"


@pytest.mark.parametrize(
    "line",
    [
        "Published: 14 October 2025",
        "Updated 10:32 GMT, Tue 14 Oct 2025",
        "October 14, 2025 | 5:01 PM EDT",
        "2025-10-14",
        "2025-10-14T09:30:00Z",
        "Last updated: Tuesday, October 14, 2025 — 10.32 am",
        "First published on Tue 14 Oct 2025 10.32 BST",
        "Posted Oct. 14, 2025 at 5:01 p.m. ET",
        "14/10/2025 - 10:32",
        "Published 14 Oct 2025 | Updated 15 Oct 2025",
    ],
)
def test_date_line(line):
    assert date_in_text(HEADLINE + line + BODY) == OCT_14


def test_year_first_date_line_is_year_month_day():
    assert date_in_text(HEADLINE + "Published 2025/03/04" + BODY) == date(2025, 3, 4)


def test_date_line_with_abbreviated_september():
    assert date_in_text(HEADLINE + "Published: Sept. 3, 2025" + BODY) == date(2025, 9, 3)


def test_ambiguous_numeric_date_line_gives_none():
    assert date_in_text(HEADLINE + "Published: 03/04/2025" + BODY) is None


def test_date_line_with_an_invalid_date_gives_none():
    assert date_in_text(HEADLINE + "Published: 31 February 2025" + BODY) is None


# --- date_in_text: datelines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        "MOSCOW, Oct 14, 2025 (Reuters) - The Kremlin said on Tuesday it would not accept the proposal.",
        "WASHINGTON, October 14, 2025 /PRNewswire/ -- Acme Corp. today announced a new product.",
        "NEW YORK, Oct. 14, 2025 (AP) — Stocks rose on Tuesday.",
        "KYIV, Ukraine, 14 October 2025 (AFP) - Air raid sirens sounded across the capital.",
    ],
)
def test_dateline_with_agency(paragraph):
    assert date_in_text(HEADLINE + "\n" + paragraph) == OCT_14


def test_dateline_in_title_case_without_agency():
    assert date_in_text(HEADLINE + "\nKyiv, 14 October 2025 — Ukraine's air defences were busy overnight.") == OCT_14


def test_dateline_without_year_gives_none():
    assert date_in_text(HEADLINE + "\nMOSCOW, Oct 14 (Reuters) - The Kremlin said on Tuesday it would not.") is None


# --- date_in_text: what does not count ----------------------------------------------------------------------


def test_date_in_running_prose_is_not_the_publication_date():
    text = HEADLINE + "\nOn Feb. 24, 2022, Russia invaded Ukraine, starting the largest war in Europe since 1945.\n"
    assert date_in_text(text) is None


def test_date_mid_sentence_is_not_the_publication_date():
    text = "Talks resume\n\nThe talks, first held on 14 October 2025 in Geneva, resume today.\n"
    assert date_in_text(text) is None


def test_ambiguous_numeric_date_in_dateline_gives_none():
    assert date_in_text("LONDON, 03/04/2025 (Reuters) - Shares fell.") is None


def test_date_beyond_max_chars_is_ignored():
    text = HEADLINE + "x" * 700 + "\nPublished: 14 October 2025\n"
    assert date_in_text(text) is None
    assert date_in_text(text, max_chars=2000) == OCT_14


def test_first_qualifying_date_wins():
    text = HEADLINE + "On Feb. 24, 2022, Russia invaded.\nPublished: 14 October 2025\nUpdated: 15 October 2025\n"
    assert date_in_text(text) == OCT_14


def test_text_without_a_date_gives_none():
    assert date_in_text("") is None
    assert date_in_text(HEADLINE + BODY) is None


@pytest.mark.parametrize("value", ["2023-06", "June 2023", "Jun. 2023"])
def test_a_month_without_its_day_gives_its_first_day(value):
    assert parse_month(value) == date(2023, 6, 1)


@pytest.mark.parametrize("value", ["2023-06-05", "2023", "garbage"])
def test_parse_month_refuses_anything_but_a_month(value):
    with pytest.raises(ValueError, match=re.escape(repr(value))):
        parse_month(value)
