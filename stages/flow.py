"""`newsstance run`'s per-document stages as one stream of documents.

DVC runs sentences, entities, statements and classify one after another, each reading the table the
one before wrote, so the encoder waits for the last document's parse. `newsstance run` chains the
same stage functions instead: each document goes through sentences, entities and statements in this
process and on to the classify worker (`classify_worker.ClassifyWorker`), which encodes one window of
documents while this process parses the next. spaCy works on one core and the encoder on the
others. Each stage still writes its own tables, with the same writers and caches as under DVC, so
the tables are the same bytes (tests/test_pipeline.py compares them).

Chained only where spaCy runs in this process (local engine, `engine.n_process` 1): with more spaCy
processes they take the cores themselves, and on Dask the cluster does; the stages then run one after
another, as under DVC.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Callable, Iterator

from newsstance.config import Params
from newsstance.nlp.models import require_spacy_model
from stages import classify, entities, sentences, statements
from stages.cache import DocCache, drain
from stages.classify_worker import ClassifyWorker
from stages.provenance import read_provenance


def chained(params: Params) -> bool:
    """Whether `newsstance run` streams documents through the per-document stages together."""
    return params.engine.kind == "local" and params.engine.n_process == 1


def run(
    interim_file: Callable[[str], Path],
    models: Path,
    params: Params,
    cache: Callable[[str], Path],
    worker: ClassifyWorker | None,
) -> dict[str, DocCache]:
    """Sentences, entities, statements and classify over the documents table, as one stream; returns
    each stage's cache. `interim_file(name)` and `cache(stage)` say where the tables and caches go
    (layout.Layout); `worker`: where classify encodes (None: in this process)."""
    require_spacy_model(params.nlp.model)
    documents, models = interim_file("documents"), models.resolve()
    read = read_provenance(documents)
    sentences_from, sentences_cache = sentences.prepare(params, [read], cache("sentences"))
    entities_from, entities_cache = entities.prepare(params, [sentences_from], cache("entities"))
    statements_from, statements_cache = statements.prepare(params, [entities_from], cache("statements"))
    classify_from, classify_cache = classify.prepare(models, params, [statements_from, read], cache("classify"))

    # What a later stage needs of a document that an earlier one read, in document order: every
    # stage yields one result per document it is fed, in the order fed.
    texts: deque[tuple[str, str, str | None]] = deque()  # read, not yet attributed

    def records() -> Iterator[dict]:
        for record in sentences.records(documents):
            texts.append((record["doc_id"], record["text"], record["headline"]))
            yield record

    def parsed() -> Iterator[dict]:
        results = sentences.results(records(), params, sentences_cache)
        for result in sentences.STAGE.written(
            results,
            (interim_file("sentences"), interim_file("parsed")),
            interim_file("rejected_sentences"),
            sentences_from,
        ):
            yield {"doc_id": result["doc_id"], "doc": result["doc"]}

    def tagged() -> Iterator[dict]:
        results = entities.results(parsed(), params, entities_cache)
        for result in entities.STAGE.written(
            results,
            (interim_file("entities"), interim_file("tagged")),
            interim_file("rejected_entities"),
            entities_from,
        ):
            yield {"doc_id": result["doc_id"], "doc": result["doc"]}

    def attributed() -> Iterator[dict]:
        results = statements.results(tagged(), params, statements_cache)
        for result in statements.STAGE.written(
            results, (interim_file("statements_raw"),), interim_file("rejected_statements"), statements_from
        ):
            text, title = _next_of(texts, result["doc_id"])
            if result["statements"]:  # as classify reads statements_raw: documents with statements
                yield classify.document_item(result["doc_id"], result["statements"], text, title)

    items = worker.parsed(attributed()) if worker is not None else attributed()
    drain(
        classify.STAGE.written(
            classify.results(items, models, params, classify_cache, worker),
            (interim_file("sentiment"), interim_file("stance")),
            interim_file("rejected_classify"),
            classify_from,
        )
    )
    return {
        "sentences": sentences_cache,
        "entities": entities_cache,
        "statements": statements_cache,
        "classify": classify_cache,
    }


def _next_of(queue: deque, doc_id: str):
    """`doc_id`'s entry of `queue`, dropping the older ones: documents a stage rejected on the way."""
    while queue:
        queued_id, *value = queue.popleft()
        if queued_id == doc_id:
            return value[0] if len(value) == 1 else tuple(value)
    raise RuntimeError(f"documents out of step: {doc_id!r} came, but was not due")
