"""Stage 2, sentences: parse every document once and split it into sentences.

Writes the sentence table (offsets into the original text, paragraph index, heading and body flags)
and the parsed documents (one DocBin per document) for the entities and statements stages.
Documents stream through spaCy and out in row groups; unchanged documents come from the cache.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import re
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, Span

from stages.config import PIECE_CHARS, Params, load_params
from stages.context import paragraph_starts
from stages.cache import DocCache, drain, stream_documents
from stages.io import TableWriter, iter_rows
from stages.nlp import (
    DOCS_PER_ROW_GROUP,
    doc_from_bytes,
    doc_to_bytes,
    parser_pipeline,
    prepare_stage,
    require_spacy_model,
)
from stages.provenance import Provenance, canonical_json, read_provenance, sha256_hex
from stages.faults import accepted
from stages.pieces import batches, parse_in_pieces
from stages.schema import DOCUMENTS, PARSED, REJECTED_DOCUMENTS, SENTENCES

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("nlp", "sentences")
# The part of them that can change a result: the per-document cache keys on these only. The stage
# also reads `engine`, which decides where the work runs and never changes a table, so it is
# neither a DVC param nor in the outputs' provenance: switching engines reruns nothing.
RESULT_PARAMS = ("nlp.model", "nlp.piece_chars", "sentences")

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


def sentence_rows(doc: Doc, doc_id: str, body_end: int, title: str | None, max_words: int) -> list[dict]:
    return rows_of(doc.text, [trimmed(s) for s in doc.sents], doc_id, body_end, title, max_words)


def rows_of(
    text: str, spans: list[tuple[int, int]], doc_id: str, body_end: int, title: str | None, max_words: int
) -> list[dict]:
    """The sentence rows of `text`, whose sentences are at `spans` (character offsets)."""
    starts = paragraph_starts(text)
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
        heading = headings[paragraph] or (title is not None and paragraph == 0 and sentence == title)
        rows.append(
            {
                "doc_id": doc_id,
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
    `piece_chars` characters, a longer one a piece at a time (stages.pieces); yield, per document,
    its sentence rows and its parse (a long one's in pieces: stages.nlp.doc_to_bytes)."""
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
    doc.user_data["doc_id"] = record["doc_id"]
    return {
        "doc_id": record["doc_id"],
        "sentences": sentence_rows(doc, record["doc_id"], record["body_end"], record["title"], max_words),
        "doc": doc_to_bytes(doc),
    }


def _parsed_in_pieces(pieces: Iterator[tuple[int, Doc]], record: dict, max_words: int) -> dict:
    """A long document's result from its pieces, each let go once its sentences are read."""
    spans: list[tuple[int, int]] = []

    def read(pieces: Iterator[tuple[int, Doc]]) -> Iterator[Doc]:
        for offset, doc in pieces:
            doc.user_data["doc_id"] = record["doc_id"]
            spans.extend((offset + a, offset + b) for a, b in (trimmed(s) for s in doc.sents))
            yield doc

    data = doc_to_bytes(read(pieces))
    return {
        "doc_id": record["doc_id"],
        "sentences": rows_of(record["text"], spans, record["doc_id"], record["body_end"], record["title"], max_words),
        "doc": data,
    }


def split_sentences(
    documents: pd.DataFrame, nlp: Language, max_words: int, batch_size: int = 8, piece_chars: int = PIECE_CHARS
) -> tuple[pd.DataFrame, list[Doc]]:
    """In memory, for small inputs: (sentence table, parsed docs in document order)."""
    results = list(parse_documents(documents.to_dict("records"), nlp, max_words, batch_size, piece_chars))
    rows = [row for r in results for row in r["sentences"]]
    return pd.DataFrame(rows, columns=SENTENCES.names), [doc_from_bytes(r["doc"], nlp.vocab) for r in results]


def _parse(records: Iterator[dict], params: Params) -> Iterator[dict]:
    return parse_documents(
        records,
        parser_pipeline(params.nlp.model),
        params.sentences.heading_max_words,
        params.nlp.batch_size,
        params.nlp.piece_chars,
    )


def document_digest(record: dict) -> str:
    return sha256_hex(canonical_json(record))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("documents", type=Path)
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--parsed", type=Path, required=True)
    parser.add_argument("--rejected", type=Path, required=True, help="the documents this stage failed on")
    parser.add_argument("--cache", type=Path, default=None, help="per-document cache folder (none: no cache)")
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.documents, args.sentences, args.parsed, load_params(args.params), args.cache, args.rejected)


def prepare(params: Params, upstream: list[Provenance | None], cache_dir: Path | None) -> tuple[Provenance, DocCache]:
    """(provenance of the outputs, per-document cache), given the provenance of the documents table."""
    return prepare_stage("sentences", params, PARAMS, RESULT_PARAMS, upstream, cache_dir)


def records(documents: Path) -> Iterator[dict]:
    """What this stage reads of each document."""
    columns = ["doc_id", "text", "title", "body_end"]
    return ({k: r[k] for k in columns} for r in iter_rows(documents, DOCUMENTS))


def results(records: Iterable[dict], params: Params, cache: DocCache) -> Iterator[dict]:
    """Per document, in order: its sentence rows and its parse, from the cache or from spaCy."""
    return stream_documents(
        "sentences", records, document_digest, _parse, (params,), cache, params.engine, n_process=params.nlp.n_process
    )


def written(
    results: Iterable[dict], sentences: Path, parsed: Path, rejected: Path, provenance: Provenance
) -> Iterator[dict]:
    """Pass every accepted result on once it is written (rejections go to `rejected` only); the
    tables appear when the last one has passed."""
    with (
        TableWriter(SENTENCES, sentences, provenance) as sentence_out,
        TableWriter(PARSED, parsed, provenance, group_rows=DOCS_PER_ROW_GROUP) as parsed_out,
        TableWriter(REJECTED_DOCUMENTS, rejected, provenance) as rejected_out,
    ):
        for result in accepted(results, rejected_out):
            sentence_out.write(result["sentences"])
            parsed_out.write([{"doc_id": result["doc_id"], "doc": result["doc"]}])
            yield result


def run(
    documents: Path,
    sentences: Path,
    parsed: Path,
    params: Params,
    cache_dir: Path | None = None,
    rejected: Path | None = None,
) -> DocCache:
    """`rejected` defaults to rejected_sentences.parquet beside `sentences`."""
    require_spacy_model(params.nlp.model)  # a configuration error, before any input is read
    provenance, cache = prepare(params, [read_provenance(documents)], cache_dir)
    rejected = rejected or sentences.with_name("rejected_sentences.parquet")
    drain(written(results(records(documents), params, cache), sentences, parsed, rejected, provenance))
    return cache


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
