"""Stage 2, sentences: parse every document once and split it into sentences.

Writes the sentence table and the parsed documents (one DocBin per document) for the entities and
statements stages (`newsstance.nlp.sentences`). Documents stream through spaCy and out in row
groups; unchanged documents come from the cache.
"""

from __future__ import annotations

import argparse
import logging
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

from newsstance.config import Params, load_params
from newsstance.nlp.models import require_spacy_model
from newsstance.nlp.sentences import parse_documents
from newsstance.schema import DOCUMENTS, PARSED, SENTENCES
from stages.cache import DocCache, drain
from stages.io import iter_rows
from stages.nlp import DOCS_PER_ROW_GROUP, parsed_row, parser_pipeline, spacy_models
from stages.per_document import DocumentStage, Output
from stages.provenance import Provenance, canonical_json, read_provenance, sha256_hex

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("nlp", "sentences")
# The part of them that can change a result: the per-document cache keys on these only. The stage
# also reads `engine`, which decides where the work runs and never changes a table, so it is
# neither a DVC param nor in the outputs' provenance: switching engines reruns nothing.
RESULT_PARAMS = PARAMS


def document_digest(record: dict) -> str:
    return sha256_hex(canonical_json(record))


STAGE = DocumentStage(
    "sentences",
    PARAMS,
    RESULT_PARAMS,
    (Output(SENTENCES, itemgetter("sentences")), Output(PARSED, parsed_row, DOCS_PER_ROW_GROUP)),
    document_digest,
)


def _parse(records: Iterator[dict], params: Params) -> Iterator[dict]:
    return parse_documents(
        records,
        parser_pipeline(params.nlp.model),
        params.sentences.heading_max_words,
        params.engine.batch_size,
        params.nlp.piece_chars,
    )


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
    return STAGE.prepare(params, upstream, cache_dir, spacy_models(params))


def records(documents: Path) -> Iterator[dict]:
    """What this stage reads of each document (its date as ISO text, as the cache keeps it)."""
    columns = ["doc_id", "date", "outlet", "url", "text", "headline", "body_end"]
    for row in iter_rows(documents, DOCUMENTS):
        record = {k: row[k] for k in columns}
        record["date"] = record["date"].isoformat() if record["date"] is not None else None
        yield record


def results(records: Iterable[dict], params: Params, cache: DocCache) -> Iterator[dict]:
    """Per document, in order: its sentence rows and its parse, from the cache or from spaCy."""
    return STAGE.results(records, _parse, (params,), cache, params, n_process=params.engine.n_process)


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
    drain(STAGE.written(results(records(documents), params, cache), (sentences, parsed), rejected, provenance))
    return cache


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
