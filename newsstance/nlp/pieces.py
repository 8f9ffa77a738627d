"""Cutting a long text into pieces the parser can take.

spaCy refuses a text over `nlp.max_length` characters (E088), and its parser and NER need temporary
memory in proportion to the characters they read at once (~2.6 MB per 1,000 here). A text longer
than `nlp.piece_chars` is therefore parsed and tagged a piece at a time; the pieces travel together
(newsstance.nlp.docbin.doc_to_bytes), every offset the stages write still points into the original text, and the statements stage
joins them into one Doc and reads the document whole: a quotation that runs from one piece into the
next is attributed as in a short document.

A piece ends at the last paragraph start within its size; failing that, after the last
sentence-like punctuation; then at the last whitespace; only a text without any of these is cut
mid-word.
"""

from __future__ import annotations

import bisect
import re
from typing import Callable, Iterable, Iterator, TypeVar

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from newsstance.text.paragraphs import paragraph_starts

T = TypeVar("T")

_SENTENCE_END = re.compile(r"[.!?;:…][\"'”’»)\]]*\s+")
_WHITESPACE = re.compile(r"\s+")


def pieces(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of at most `size` characters that cover `text`."""
    if size < 1:
        raise ValueError(f"a piece needs at least one character, not {size}")
    if len(text) <= size:
        return [(0, len(text))]
    paragraphs = paragraph_starts(text)
    spans, start = [], 0
    while len(text) - start > size:
        end = _cut(text, start, start + size, paragraphs)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, limit: int, paragraphs: list[int]) -> int:
    """Where the piece that starts at `start` ends, at most at `limit`."""
    lo, hi = bisect.bisect_right(paragraphs, start), bisect.bisect_right(paragraphs, limit)
    if hi > lo:
        return paragraphs[hi - 1]
    window = text[start:limit]
    for pattern in (_SENTENCE_END, _WHITESPACE):
        last = None
        for last in pattern.finditer(window):
            pass
        if last is not None:
            return start + last.end()
    return limit


def batches(items: Iterable[T], size: int, chars: int, length: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive items in batches of at most `size` items and `chars` characters (by `length`);
    an item longer than `chars` comes alone, to be read in pieces."""
    batch, total = [], 0
    for item in items:
        n = length(item)
        if batch and (len(batch) == size or total + n > chars):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += n
        if n > chars:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def parse_in_pieces(nlp: Language, text: str, size: int) -> Iterator[tuple[int, Doc]]:
    """`nlp` over `text` a piece at a time: (offset of the piece, its Doc) per piece, each parsed
    when asked for. The pieces stay apart through the sentences and entities stages: a 5 MB
    text's Docs together are ~1 GB."""
    for start, end in pieces(text, size):
        doc = nlp(text[start:end])
        doc.tensor = numpy.zeros(
            (0,), dtype="float32"
        )  # tok2vec's output (~400 bytes a token): nothing reads it after parsing
        yield start, doc
