"""Quotation spans in raw text.

News uses straight double quotes, curly double quotes, and curly single quotes as quote marks; the
closing single quote is also the apostrophe (Putin’s, don’t). A single mark opens a quote only where
a word cannot continue (after a space or punctuation) and closes one only where a word has ended.
A double quote left open at the end of a paragraph runs to the paragraph's end: that is how news
prints a quotation that continues in the next paragraph. Web copy sometimes drops the marks of the
paragraphs between: a paragraph with no mark at all, after one that left a quotation open and before
the paragraph where it closes, is quoted whole. Web copy mixes its marks: a straight quote
can close a curly one (when no curly closing mark follows in the paragraph) and the other way round.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

OPENERS = {"“": "”", "«": "»", "„": "“"}
DOUBLE_MARKS = '"“”«»„'
CLOSERS = {"”", "»"}


@dataclass(frozen=True)
class Quote:
    start: int  # offset of the opening mark
    end: int  # offset one past the closing mark (or the paragraph end when left open)
    inner_start: int
    inner_end: int
    closed: bool

    def contains(self, start: int, end: int) -> bool:
        return self.inner_start <= start and end <= self.inner_end


class Quotes(list):
    """A document's quotations in text order, looked up by offset with bisect: they never overlap,
    and a long transcript has thousands, which a scan per token or per cue made quadratic."""

    def __init__(self, quotes=()):
        super().__init__(quotes)
        self.starts = [q.start for q in self]
        self.ends = [q.end for q in self]
        self.inner_starts = [q.inner_start for q in self]

    def covering(self, start: int, end: int) -> Quote | None:
        """The quotation whose words contain text[start:end], if any."""
        i = bisect.bisect_right(self.starts, start) - 1
        return self[i] if i >= 0 and self[i].contains(start, end) else None

    def opening_within(self, start: int, end: int) -> bool:
        """Whether a quotation's words start in [start, end)."""
        i = bisect.bisect_left(self.inner_starts, start)
        return i < len(self) and self[i].inner_start < end

    def last_ending_by(self, offset: int) -> Quote | None:
        i = bisect.bisect_right(self.ends, offset) - 1
        return self[i] if i >= 0 else None

    def first_starting_after(self, offset: int) -> Quote | None:
        i = bisect.bisect_right(self.starts, offset)
        return self[i] if i < len(self) else None

    def overlapping(self, start: int, end: int) -> list[Quote]:
        """The quotations that end after `start` and start at or before `end`, in text order."""
        return self[bisect.bisect_right(self.ends, start) : bisect.bisect_right(self.starts, end)]


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def find_quotes(text: str, start: int = 0, end: int | None = None, inside: bool = False) -> list[Quote]:
    """Quotes inside text[start:end] (one paragraph); offsets are into `text`. `inside`: the paragraph
    before left a quotation open; when this one does not open a new one first, it begins inside it,
    and its first double closing mark ends it ("... abroad," Peskov said.)."""
    end = len(text) if end is None else end
    quotes: list[Quote] = []
    open_at, open_mark = None, None
    if inside:
        first = next((i for i in range(start, end) if text[i] in '"“”«»„'), None)
        if first is not None and text[first] in '"”»' and text[start:first].strip():
            # (a mark that opens the paragraph opens a new quotation: the usual way to go on quoting)
            if text[first] == '"' and text[first - 1].isspace():
                pass  # a straight mark after a space opens a quotation: nothing closes here
            else:
                quotes.append(Quote(start, first + 1, start, first, True))
                start = first + 1
    for i in range(start, end):
        ch = text[i]
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if open_mark is None:
            if ch in OPENERS or ch == '"':
                open_at, open_mark = i, ch
            elif ch == "‘" and not _is_word(before) and (_is_word(after) or after in "“\"'$"):
                open_at, open_mark = i, ch
        elif open_mark == "‘":
            if ch == "’" and not _is_word(after) and not before.isspace():
                quotes.append(Quote(open_at, i + 1, open_at + 1, i, True))
                open_at = open_mark = None
        elif (
            (open_mark == '"' and ch in ('"', "”"))
            or (open_mark in OPENERS and ch == OPENERS[open_mark])
            or (open_mark in OPENERS and ch in CLOSERS)
            or (open_mark == "“" and ch == '"' and not _is_word(after) and "”" not in text[i:end])
        ):
            quotes.append(Quote(open_at, i + 1, open_at + 1, i, True))
            open_at = open_mark = None
    if open_mark is not None and open_mark != "‘":
        tail = text[open_at + 1 : end].rstrip()
        quotes.append(Quote(open_at, end, open_at + 1, open_at + 1 + len(tail), False))
    return quotes


def paragraph_quotes(text: str, bounds: list[tuple[int, int]]) -> list[list[Quote]]:
    """The quotations of each paragraph (start, end) of `text`, a quotation left open at a paragraph's
    end carrying on into the next (`find_quotes`'s `inside`) and over paragraphs with no mark at all
    when a later paragraph closes it."""
    out: list[list[Quote]] = []
    for i, (start, end) in enumerate(bounds):
        left_open = bool(out) and bool(out[-1]) and not out[-1][-1].closed
        if left_open and not _has_mark(text, start, end) and _closed_later(text, bounds, i + 1):
            body = text[start:end].strip()
            if body:
                first = start + text[start:end].index(body)
                out.append([Quote(first, first + len(body), first, first + len(body), False)])
                continue
        out.append(find_quotes(text, start, end, inside=left_open))
    return out


def _has_mark(text: str, start: int, end: int) -> bool:
    return any(ch in DOUBLE_MARKS for ch in text[start:end])


def _closed_later(text: str, bounds: list[tuple[int, int]], i: int) -> bool:
    """Whether the first paragraph from `i` on with a double mark closes a quotation with it (words
    before a closing mark), rather than opening a new one."""
    for start, end in bounds[i:]:
        first = next((k for k in range(start, end) if text[k] in DOUBLE_MARKS), None)
        if first is None:
            continue
        return (
            text[first] in '"”»'
            and bool(text[start:first].strip())
            and not (text[first] == '"' and text[first - 1].isspace())
        )
    return False
