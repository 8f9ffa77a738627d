"""Stage 2, sentences: parse every document once and split it into sentences.

Writes the sentence table (offsets into the original text, paragraph index, heading and body flags)
and the parsed documents as a spaCy DocBin for the entities and statements stages.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import re
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm

from stages.config import Params, load_params
from stages.io import read_table, write_bytes, write_table
from stages.nlp import docs_to_bytes, load_spacy
from stages.provenance import model_id, read_provenance, stage_provenance
from stages.schema import DOCUMENTS, SENTENCES

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("nlp", "sentences")

_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into of on or over the to vs vs. with".split()
)
_FINAL_PUNCT = re.compile(r"[.!?;:,]['\"”’)]*$")


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs start.

    Text with blank lines between blocks has blank-line paragraphs (hard-wrapped lines stay
    together); text without blank lines has one paragraph per line, the usual shape of scraped news.
    """
    separator = r"\n[ \t]*\n\s*" if re.search(r"\n[ \t]*\n", text.strip()) else r"\n\s*"
    starts = [len(text) - len(text.lstrip())]
    starts += [m.end() for m in re.finditer(separator, text) if m.end() < len(text)]
    return sorted(set(starts))


def is_heading(words: list[str], whole_paragraph: bool, max_words: int) -> bool:
    """A short title-case line without final punctuation ("Trump's Tomahawk Warning")."""
    if not whole_paragraph or not words or len(words) > max_words:
        return False
    if _FINAL_PUNCT.search(words[-1]):
        return False
    content = [w for w in words if w[:1].isalpha() and w.lower() not in _MINOR_WORDS]
    if not content:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= 0.75


def trimmed(sent: Span) -> tuple[int, int]:
    """Character span of a sentence without leading or trailing whitespace tokens."""
    tokens = [t for t in sent if not t.is_space]
    if not tokens:
        return sent.start_char, sent.start_char
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def sentence_rows(doc: Doc, doc_id: str, body_end: int, title: str | None, max_words: int) -> list[dict]:
    text = doc.text
    starts = paragraph_starts(text)
    spans = [trimmed(s) for s in doc.sents]
    spans = [(a, b) for a, b in spans if b > a]
    rows = []
    for start, end in spans:
        paragraph = max(bisect.bisect_right(starts, start) - 1, 0)
        par_start = starts[paragraph]
        par_end = starts[paragraph + 1] if paragraph + 1 < len(starts) else len(text)
        whole = text[par_start:par_end].strip() == text[start:end]
        sentence = text[start:end]
        heading = is_heading(sentence.split(), whole, max_words) or (
            title is not None and paragraph == 0 and sentence == title
        )
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


def split_sentences(documents: pd.DataFrame, nlp: Language, max_words: int, batch_size: int = 8) -> tuple[pd.DataFrame, list[Doc]]:
    """Parse every document; return (sentence table, parsed docs in document order)."""
    rows, docs = [], []
    records = documents.to_dict("records")
    stream = nlp.pipe(((r["text"], r) for r in records), as_tuples=True, batch_size=batch_size)
    for doc, record in tqdm(stream, total=len(records), desc="sentences", unit="doc", disable=None):
        doc.user_data["doc_id"] = record["doc_id"]
        rows += sentence_rows(doc, record["doc_id"], record["body_end"], record["title"], max_words)
        docs.append(doc)
    return pd.DataFrame(rows, columns=SENTENCES.names), docs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("documents", type=Path)
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--docbin", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.documents, args.sentences, args.docbin, load_params(args.params))


def run(documents: Path, sentences: Path, docbin: Path, params: Params) -> None:
    nlp = load_spacy(params.nlp.model)
    table, docs = split_sentences(
        read_table(documents, DOCUMENTS), nlp, params.sentences.heading_max_words, params.nlp.batch_size
    )
    provenance = stage_provenance("sentences", params, PARAMS, [read_provenance(documents)],
                                  {"spacy": model_id(params.nlp.model)})
    write_table(table, SENTENCES, sentences, provenance)
    write_bytes(docbin, docs_to_bytes(docs, provenance))


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
