"""Paragraphs: where they start in an article's text (blank lines, or one per line)."""

from __future__ import annotations

import re


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs start.

    Text with blank lines between blocks has blank-line paragraphs (hard-wrapped lines stay
    together); text without blank lines has one paragraph per line, the usual shape of scraped news.
    """
    separator = r"\n[ \t]*\n\s*" if re.search(r"\n[ \t]*\n", text.strip()) else r"\n\s*"
    starts = [len(text) - len(text.lstrip())]
    starts += [m.end() for m in re.finditer(separator, text) if m.end() < len(text)]
    return sorted(set(starts))
