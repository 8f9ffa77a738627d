"""Sentences: parse each document once and split it into sentence rows.

A row has offsets into the original text, its paragraph, and heading and body flags; the parse
itself is handed on for the entities and statements stages.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterable, Iterator

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, Span

from newsstance.config import PIECE_CHARS
from newsstance.nlp.docbin import doc_from_bytes, doc_to_bytes
from newsstance.nlp.pieces import batches, parse_in_pieces
from newsstance.nlp.structure import METADATA, set_metadata, set_structure
from newsstance.schema import SENTENCES
from newsstance.text.paragraphs import paragraph_starts

_MINOR_WORDS = frozenset("a an and as at but by for from in into of on or over the to vs vs. with".split())
_TIMESTAMP = re.compile(r"\d{1,2}[:.]?\d{2}(?: ?[AaPp]\.?[Mm]\.?)?(?: [A-Z]{2,4})? [-–—] ")
_OPENING_MARKS = "\"“‘«'•·*"
_FINAL_PUNCT = re.compile(r"[.!?;:,]['\"”’)]*$")


def is_heading(words: list[str], whole_paragraph: bool, max_words: int) -> bool:
    """A short line without final punctuation, in title case ("Trump's Tomahawk Warning") or in
    sentence case, as live blogs head their posts ("Putin slams the West"), also when quoted whole (an
    interview's pull quote over a section) or after a live blog's time stamp; body text ends its
    paragraphs with punctuation, and a line starting in lower case is a broken-off fragment. A
    bullet's mark does not count: key points are headings too."""
    line = " ".join(words)
    stamp = _TIMESTAMP.match(line)
    if stamp and stamp.end() < len(line):
        line = line[stamp.end() :]  # a live blog's post: "2220 GMT — Zelenskyy urges ..."
    words = line.lstrip(_OPENING_MARKS + " ").split()
    if not whole_paragraph or not words or len(words) > max_words:
        return False
    if _FINAL_PUNCT.search(words[-1]):
        return False
    content = [w for w in words if w[:1].isalpha() and w.lower() not in _MINOR_WORDS]
    if not content:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= 0.75 or words[0][:1].isupper()


def trimmed(sent: Span) -> tuple[int, int]:
    """Character span of a sentence without leading or trailing whitespace tokens."""
    tokens = [t for t in sent if not t.is_space]
    if not tokens:
        return sent.start_char, sent.start_char
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def rows_of(
    text: str,
    spans: list[tuple[int, int]],
    starts: list[int],
    record: dict,
    max_words: int,
) -> list[dict]:
    """The sentence rows of `text`, whose sentences are at `spans` and paragraphs at `starts`
    (character offsets); `record` is the document's row (id, metadata, headline, body end)."""
    body_end, headline = record["body_end"], record["headline"]
    meta = {key: record.get(key) for key in METADATA}
    spans = [(a, b) for a, b in spans if b > a]
    rows = []
    headings: dict[int, bool] = {}  # by paragraph: the test is the paragraph's, once
    for start, end in spans:
        paragraph = max(bisect.bisect_right(starts, start) - 1, 0)
        par_start = starts[paragraph]
        par_end = starts[paragraph + 1] if paragraph + 1 < len(starts) else len(text)
        sentence = text[start:end]
        # The parser can split a heading ("Ukraine ‘closer to peace than we think’, Zelensky tells allies"):
        # the test is the paragraph's, and every sentence of a heading is one.
        if paragraph not in headings:
            headings[paragraph] = is_heading(text[par_start:par_end].split(), True, max_words)
        heading = headings[paragraph] or (headline is not None and paragraph == 0 and sentence == headline)
        rows.append(
            {
                **meta,
                "sent_index": len(rows),
                "paragraph": paragraph,
                "start": start,
                "end": end,
                "text": sentence,
                "is_heading": heading,
                "is_body": start < body_end,
            }
        )
    return rows


def parse_documents(
    records: Iterable[dict], nlp: Language, max_words: int, batch_size: int = 16, piece_chars: int = PIECE_CHARS
) -> Iterator[dict]:
    """Parse documents as they stream in, in batches of at most `batch_size` documents and
    `piece_chars` characters, a longer one a piece at a time (newsstance.nlp.pieces); yield, per document,
    its sentence rows and its parse (a long one's in pieces: newsstance.nlp.docbin.doc_to_bytes)."""
    for batch in batches(records, batch_size, piece_chars, lambda r: len(r["text"])):
        if len(batch[0]["text"]) > piece_chars:
            results = [_parsed_in_pieces(parse_in_pieces(nlp, batch[0]["text"], piece_chars), batch[0], max_words)]
        else:
            results = [
                _parsed(doc, record, max_words)
                for doc, record in zip(nlp.pipe([r["text"] for r in batch], batch_size=len(batch)), batch)
            ]
        yield from results  # the batch's Docs are gone by now: a long document's are hundreds of MB


def _parsed(doc: Doc, record: dict, max_words: int) -> dict:
    set_metadata(doc, record)
    text, starts = record["text"], paragraph_starts(record["text"])
    spans = [trimmed(s) for s in doc.sents]
    rows = rows_of(text, spans, starts, record, max_words)
    set_structure(doc, starts, rows)
    return {"doc_id": record["doc_id"], "sentences": rows, "doc": doc_to_bytes(doc)}


def _parsed_in_pieces(pieces: Iterator[tuple[int, Doc]], record: dict, max_words: int) -> dict:
    """A long document's result from its pieces, each let go once its sentences are read (and the
    next piece parsed: the last one carries the whole document's structure)."""
    text, starts = record["text"], paragraph_starts(record["text"])
    spans: list[tuple[int, int]] = []
    rows: list[dict] = []

    def read(pieces: Iterator[tuple[int, Doc]]) -> Iterator[Doc]:
        held = None
        for offset, doc in pieces:
            set_metadata(doc, record)
            spans.extend((offset + a, offset + b) for a, b in (trimmed(s) for s in doc.sents))
            if held is not None:
                yield held
            held = doc
        rows.extend(rows_of(text, spans, starts, record, max_words))
        if held is not None:
            set_structure(held, starts, rows)
            yield held

    data = doc_to_bytes(read(pieces))
    return {"doc_id": record["doc_id"], "sentences": rows, "doc": data}


def split_sentences(
    documents: pd.DataFrame, nlp: Language, max_words: int, batch_size: int = 8, piece_chars: int = PIECE_CHARS
) -> tuple[pd.DataFrame, list[Doc]]:
    """In memory, for small inputs: (sentence table, parsed docs in document order)."""
    results = list(parse_documents(documents.to_dict("records"), nlp, max_words, batch_size, piece_chars))
    rows = [row for r in results for row in r["sentences"]]
    return pd.DataFrame(rows, columns=SENTENCES.names), [doc_from_bytes(r["doc"], nlp.vocab) for r in results]
