"""Paragraphs, and the context a statement is read in.

A remark like "We will find an answer" is against the Tomahawk transfer only when the paragraph
around it is about the missiles; the same words in a story on oil prices are neutral. So the
classifier reads each statement with its context: the headline, the paragraph before, its own
paragraph and who said it (a Kremlin spokesman's "we will respond" is a warning). Train (labelled passages) and classify (documents) build that context with these same
functions, so the heads see at run time what they were fitted on.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, fields

from newsstance.text.paragraphs import paragraph_starts


@dataclass(frozen=True)
class Context:
    """What surrounds one statement. Empty strings where the document has no such part, or where
    the speaker is unknown (a standalone labelled example)."""

    headline: str
    previous: str
    paragraph: str
    speaker: str = ""  # display name, as in the roster ("Dmitry Peskov")

    def as_list(self) -> list[str]:
        """The fields in order, as classify's items carry them (Context(*them) rebuilds it).
        Shallow: dataclasses.astuple deep-copies, ~0.5 ms per statement of a cached re-run."""
        return [getattr(self, f.name) for f in fields(self)]


def passage_context(headline: str, paragraphs: list[str], index: int, speaker: str = "") -> Context:
    """The context of a statement in paragraphs[index] of a passage whose headline is separate."""
    return Context(
        headline.strip(), paragraphs[index - 1].strip() if index > 0 else "", paragraphs[index].strip(), speaker
    )


class DocumentContext:
    """Contexts of statements in one document, by offset. The first paragraph is the headline when
    the document has a title (ingest's `title`); it is never its own context's previous paragraph."""

    def __init__(self, text: str, title: str | None):
        self.text, self.starts = text, paragraph_starts(text)
        self.ends = self.starts[1:] + [len(text)]
        self.has_title = bool(title)
        self._paragraphs: dict[int, str] = {}

    def _paragraph(self, i: int) -> str:
        """Paragraph i, one string however many statements read it: a long document's thousands of
        contexts then hold each paragraph once (and so do their pickles, on the way to a worker)."""
        if i not in self._paragraphs:
            self._paragraphs[i] = self.text[self.starts[i] : self.ends[i]].strip()
        return self._paragraphs[i]

    def at(self, offset: int, speaker: str = "") -> Context:
        i = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        headline = self._paragraph(0) if self.has_title else ""
        body = 1 if self.has_title else 0  # index of the first body paragraph
        if self.has_title and i == 0:  # a statement in the headline: read it on its own
            return Context("", "", headline, speaker)
        return Context(headline, self._paragraph(i - 1) if i > body else "", self._paragraph(i), speaker)
