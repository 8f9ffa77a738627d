"""Stage 5b, classify: sentiment of every statement and its stance toward every target.

Statements stream through in windows of documents; documents whose statements and settings are
unchanged come from the cache. Two backends give the probabilities (`classify.backend`): the offline
default, where statements and their context go once through the packaged encoder and the heads are
a matrix product; and the hub backend (`stages.hub`), a sentiment model and zero-shot stance through
an NLI model.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
from itertools import chain, groupby, repeat
from pathlib import Path
from typing import Iterable, Iterator, TypeVar

import numpy as np
import pandas as pd

from stages.config import Params, load_params
from stages.encoder import encoder_args, encoder_id, get_encoder, resolve_model
from stages.context import Context, DocumentContext
from stages.heads import Head, embed_parts, features, parts_read
from stages.cache import DocCache, drain, stream_documents
from stages.engine import ProcessEngine, per_process
from stages.io import TableWriter, iter_rows
from stages.provenance import Provenance, canonical_json, read_provenance, sha256_hex, stage_provenance
from stages.faults import accepted
from stages.schema import (
    DOCUMENTS,
    REJECTED_DOCUMENTS,
    SENTIMENT_LABELS,
    SENTIMENT_SCORES,
    STANCE_LABELS,
    STANCE_SCORES,
    STATEMENTS_RAW,
)

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("encoder", "targets", "classify")
# The part of them that can change a result: the per-document cache keys on these only. The stage
# also reads `engine`, which decides where the work runs and never changes a table, so it is
# neither a DVC param nor in the outputs' provenance: switching engines reruns nothing.
RESULT_PARAMS = ("encoder.model", "encoder.max_length", "encoder.batch_tokens", "targets", "classify")


def low_margin(p: np.ndarray, margin: float) -> np.ndarray:
    top2 = np.sort(p, axis=1)[:, -2:]
    return (top2[:, 1] - top2[:, 0]) < margin


class HeadsBackend:
    """The offline default: packaged encoder embeddings through the heads the train stage fitted.
    Each head reads the parts of a statement's context its file names (meta "reads")."""

    def __init__(self, encoder, sentiment: Head, stance: Head, models: dict[str, str] | None = None):
        self.encoder, self.sentiment_head, self.stance_head = encoder, sentiment, stance
        self.reads = {
            head: list(h.meta.get("reads", ["statement"])) for head, h in (("sentiment", sentiment), ("stance", stance))
        }
        self._cache: tuple[list[str], list[Context], dict[str, np.ndarray]] | None = None
        self._targets: dict[str, np.ndarray] = {}
        self.models = models or {}  # role -> model id, for the outputs' provenance

    def parts(self, texts: list[str], contexts: list[Context]) -> dict[str, np.ndarray]:
        """Embeddings of every part either head reads; sentiment and every target share one pass."""
        if self._cache is None or self._cache[:2] != (texts, contexts):
            names = parts_read(self.reads["sentiment"], self.reads["stance"])
            context_max_length = self.stance_head.meta.get("context_max_length")  # as the heads were fitted
            self._cache = (
                list(texts),
                list(contexts),
                embed_parts(self.encoder, texts, contexts, names, context_max_length),
            )
        return self._cache[2]

    def sentiment(self, texts: list[str], contexts: list[Context]) -> np.ndarray:
        x = features(self.parts(texts, contexts), self.reads["sentiment"])
        p = self.sentiment_head.predict_proba(x)
        return p[:, [self.sentiment_head.classes.index(c) for c in SENTIMENT_LABELS]]

    def stance(self, texts: list[str], contexts: list[Context], target_text: str) -> np.ndarray:
        if target_text not in self._targets:  # encoded alone, once per process: the same vector for every document
            self._targets[target_text] = self.encoder.encode([target_text])[0]
        target = self._targets[target_text]
        x = features(self.parts(texts, contexts), self.reads["stance"], target)
        p = self.stance_head.predict_proba(x)
        return p[:, [self.stance_head.classes.index(c) for c in STANCE_LABELS]]


def classify(
    statements: pd.DataFrame, backend, targets: dict[str, str], margin: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (sentiment scores, stance scores) keyed by statement_id. `backend` gives probabilities in
    the order of SENTIMENT_LABELS and STANCE_LABELS. A statement without a `context` column is read on
    its own (its context is itself, as for the standalone labelled examples)."""
    ids = statements["statement_id"].tolist()
    texts = statements["content"].tolist()
    contexts = (
        [Context(*c) for c in statements["context"]] if "context" in statements else [Context("", "", t) for t in texts]
    )
    p = backend.sentiment(texts, contexts)
    neg, neu, pos = p[:, 0], p[:, 1], p[:, 2]
    sentiment_scores = pd.DataFrame(
        {
            "statement_id": ids,
            "sentiment": [SENTIMENT_LABELS[i] for i in p.argmax(1)],
            "sentiment_score": pos - neg,
            "p_negative": neg,
            "p_neutral": neu,
            "p_positive": pos,
            "sentiment_low_margin": low_margin(p, margin) if ids else np.zeros(0, bool),
        }
    )
    frames = []
    for target, target_text in targets.items():
        q = backend.stance(texts, contexts, target_text)
        against, neutral, favor = q[:, 0], q[:, 1], q[:, 2]
        frames.append(
            pd.DataFrame(
                {
                    "statement_id": ids,
                    "target": target,
                    "target_text": target_text,
                    "stance": [STANCE_LABELS[i] for i in q.argmax(1)],
                    "stance_score": favor - against,
                    "p_against": against,
                    "p_neutral": neutral,
                    "p_favor": favor,
                    "stance_low_margin": low_margin(q, margin) if ids else np.zeros(0, bool),
                }
            )
        )
    stance_scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STANCE_SCORES.names)
    return sentiment_scores, stance_scores


def backend_identity(models: Path, params: Params) -> tuple[dict[str, str], list[Provenance | None]]:
    """(model ids, provenance of the heads) of the configured backend, without loading a model: a
    run whose documents all come from the cache never loads one."""
    if params.classify.backend == "hub":
        return {"sentiment": params.classify.hub.sentiment_model, "nli": params.classify.hub.nli_model}, []
    resolve_model(params.encoder.model)  # a missing encoder package fails here, with the fix
    heads = {name: models / f"{name}.safetensors" for name in ("sentiment", "stance")}
    ids = {"encoder": encoder_id(params.encoder)}
    ids.update({f"{name}_head": "sha256:" + sha256_hex(path.read_bytes()) for name, path in heads.items()})
    return ids, [Provenance.from_metadata(Head.load(path).meta.get("provenance")) for path in heads.values()]


def make_backend(models: Path, params: Params):
    if params.classify.backend == "hub":
        from stages.hub import HubBackend

        return HubBackend(params.classify.hub)
    encoder = get_encoder(*encoder_args(params.encoder))
    ids, _ = backend_identity(models, params)
    return HeadsBackend(
        encoder, Head.load(models / "sentiment.safetensors"), Head.load(models / "stance.safetensors"), ids
    )


def statements_by_document(statements: Path, documents: Path) -> Iterator[dict]:
    """The statements, grouped by document as they stream by, each with its context. Both tables
    are in document order, so they are read in step."""
    texts = ((r["doc_id"], r["text"], r["title"]) for r in iter_rows(documents, DOCUMENTS))
    rows = iter_rows(statements, STATEMENTS_RAW)
    for doc_id, group in groupby(rows, key=lambda r: r["doc_id"]):
        for other, text, title in texts:
            if other == doc_id:
                break
        else:
            raise ValueError(f"statement of document {doc_id!r}, which is not in {documents} (or not in its order)")
        yield document_item(doc_id, group, text, title)


def document_item(doc_id: str, statements: Iterable[dict], text: str, title: str | None) -> dict:
    """What classify reads of a document: its statements (statements_raw rows), each with its
    context (headline, paragraph before, own paragraph, speaker)."""
    context = DocumentContext(text, title)
    return {
        "doc_id": doc_id,
        "statements": [
            {
                "statement_id": r["statement_id"],
                "content": r["content"],
                "context": context.at(r["content_start"], r["speaker_name"]).as_list(),
            }
            for r in statements
        ],
    }


def document_digest(item: dict) -> str:
    return sha256_hex(canonical_json(item))


# Statements classified together: the encoder batches texts across documents, which pads far less
# than one document at a time, and its batch shapes keep every text's embedding the same whichever
# documents share the window (stages.encoder.Encoder).
WINDOW_STATEMENTS = 1024


def windows(items: Iterable[dict], size: int, ramp: Iterable[int] = ()) -> Iterator[list[dict]]:
    """Consecutive documents, grouped until they hold at least `size` statements (the first windows:
    at least the sizes in `ramp`)."""
    sizes = chain(ramp, repeat(size))
    window, count, limit = [], 0, next(sizes)
    for item in items:
        window.append(item)
        count += len(item["statements"])
        if count >= limit:
            yield window
            window, count, limit = [], 0, next(sizes)
    if window:
        yield window


def classify_documents(
    items: Iterable[dict], backend, targets: dict[str, str], margin: float, window_statements: int = WINDOW_STATEMENTS
) -> Iterator[dict]:
    """Scores per document. Documents are classified a window at a time; a document's scores do not
    depend on the other documents in its window (a cached document and a fresh one agree exactly),
    so a document with more statements than a window (a transcript) is classified in windows of its
    own, which keeps the encoder's memory that of one window."""
    order = {target: k for k, target in enumerate(targets)}
    held = None  # the scores of a document's parts so far
    for window in windows((part for item in items for part in _parts(item, window_statements)), window_statements):
        statements = pd.DataFrame(
            [s for item in window for s in item["statements"]], columns=["statement_id", "content", "context"]
        )
        sentiment, stance = classify(statements, backend, targets, margin)
        n, start = len(statements), 0
        for item in window:
            end = start + len(item["statements"])
            held = held or {"doc_id": item["doc_id"], "sentiment": [], "stance": []}
            held["sentiment"] += sentiment.iloc[start:end].to_dict("records")
            # classify() gives stance target by target, each block in statement order
            held["stance"] += [
                r for k in range(len(targets)) for r in stance.iloc[k * n + start : k * n + end].to_dict("records")
            ]
            start = end
            if not item["more"]:
                held["stance"].sort(key=lambda row: order[row["target"]])  # stable: statement order within a target
                yield held
                held = None


def _parts(item: dict, size: int) -> Iterator[dict]:
    """A document's statements in parts of at most `size`; `more` says whether another part follows."""
    statements = item["statements"]
    for k in range(0, max(len(statements), 1), size):
        yield {"doc_id": item["doc_id"], "statements": statements[k : k + size], "more": k + size < len(statements)}


@per_process(maxsize=2)
def _backend(models: str, params_json: str):
    return make_backend(Path(models), Params.model_validate_json(params_json))  # once per process / worker


T = TypeVar("T")
_DONE = object()


class ClassifyWorker(ProcessEngine):
    """For `newsstance run`: one worker process that starts loading the encoder as soon as it is made,
    while the stages before classify run in this process, and then classifies there. Importing
    transformers' model classes and loading the weights take ~3.5 s, the largest fixed cost of a run
    that re-classifies a few documents.

    When this process parses the documents it sends (`worker.parsed(items)`, stages.flow), the worker
    encodes a window on one thread fewer than torch's default if this process is parsing as the
    window starts, so spaCy keeps a core: on 2 cores and 150 documents, spaCy beside the encoder on
    both threads took 1.7 x as long as alone, the encoder 2.1 x; beside the encoder on one thread,
    spaCy did not slow down (benchmarks/README.md has the figures of whole runs). The encoder is the
    slower of the two, so this process may parse up to IN_FLIGHT windows ahead of it (a few MB each).
    When it is that far ahead it waits, and the worker has every thread, until half of them are
    done: waiting for one window at a time, it would start parsing again in the middle of each of
    the worker's windows. The thread count changes no embedding (tests/test_encoder.py checks it)."""

    IN_FLIGHT = 16

    def __init__(self, params: Params):
        self.parsing_now = multiprocessing.get_context().Event()
        super().__init__(
            1,
            max_in_flight=self.IN_FLIGHT,
            refill_at=self.IN_FLIGHT // 2,
            initializer=_share_cores,
            initargs=(self.parsing_now,),
        )
        self.prepare(get_encoder, *encoder_args(params.encoder))

    def parsed(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, with the worker told that this process is busy while it makes the next one."""
        items = iter(items)
        while True:
            self.parsing_now.set()
            try:
                item = next(items, _DONE)
            finally:
                self.parsing_now.clear()
            if item is _DONE:
                return
            yield item


# In a ClassifyWorker's process: the parent's "parsing now" flag and torch's default thread count.
_PARENT_PARSING = None
_THREADS = 0


def _share_cores(parsing_now) -> None:
    import torch

    global _PARENT_PARSING, _THREADS
    _PARENT_PARSING, _THREADS = parsing_now, torch.get_num_threads()


def _fit_threads() -> None:
    """Before each window a ClassifyWorker encodes: leave the parent a core while it parses."""
    if _PARENT_PARSING is not None:
        import torch

        torch.set_num_threads(max(1, _THREADS - 1) if _PARENT_PARSING.is_set() else _THREADS)


def prepared_engine(params: Params) -> ClassifyWorker | None:
    """The classify worker for `newsstance run`; None with the Dask engine (classify runs on its
    workers) or the hub backend (its models load in this process, when a document needs them)."""
    if params.engine.kind != "local" or params.classify.backend != "heads":
        return None
    return ClassifyWorker(params)


def partitions(items: Iterable[dict]) -> Iterator[list[dict]]:
    """What classify sends to a worker: a window of documents, so their texts share encoder batches.
    The first three are 1/8, 1/4 and 1/2 of a window: a ClassifyWorker then starts encoding once
    this process has parsed ~8 documents, not ~64."""
    return windows(items, WINDOW_STATEMENTS, [max(1, WINDOW_STATEMENTS >> k) for k in (3, 2, 1)])


def _classify(items: Iterator[dict], models: Path, params: Params) -> Iterator[dict]:
    _fit_threads()
    backend = _backend(str(models), params.model_dump_json())
    return classify_documents(items, backend, params.targets, params.classify.low_margin)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("statements", type=Path)
    parser.add_argument("--documents", type=Path, required=True, help="documents.parquet: the statements' context")
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--sentiment", type=Path, required=True)
    parser.add_argument("--stance", type=Path, required=True)
    parser.add_argument("--rejected", type=Path, required=True, help="the documents this stage failed on")
    parser.add_argument("--cache", type=Path, default=None, help="per-document cache folder (none: no cache)")
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(
        args.statements,
        args.documents,
        args.models,
        args.sentiment,
        args.stance,
        load_params(args.params),
        args.cache,
        rejected=args.rejected,
    )


def prepare(
    models: Path, params: Params, upstream: list[Provenance | None], cache_dir: Path | None
) -> tuple[Provenance, DocCache]:
    """(provenance of the outputs, per-document cache), given the provenance of the statements and
    documents tables. Loads no model."""
    ids, heads = backend_identity(models, params)
    return (
        stage_provenance("classify", params, PARAMS, [*upstream, *heads], ids),
        DocCache.for_stage(cache_dir, "classify", params, RESULT_PARAMS, ids),
    )


def results(
    items: Iterable[dict], models: Path, params: Params, cache: DocCache, engine: ProcessEngine | None = None
) -> Iterator[dict]:
    """Per document with statements, in order: its scores, from the cache or classified. `engine`:
    where to classify instead of params.engine (prepared_engine's worker); the caller closes it."""
    return stream_documents(
        "classify",
        items,
        document_digest,
        _classify,
        (models, params),
        cache,
        params.engine,
        runner=engine,
        partitions=partitions,
    )


def written(
    results: Iterable[dict], sentiment: Path, stance: Path, rejected: Path, provenance: Provenance
) -> Iterator[dict]:
    """Pass every accepted result on once it is written (rejections go to `rejected` only); the
    tables appear when the last one has passed."""
    with (
        TableWriter(SENTIMENT_SCORES, sentiment, provenance) as sentiment_out,
        TableWriter(STANCE_SCORES, stance, provenance) as stance_out,
        TableWriter(REJECTED_DOCUMENTS, rejected, provenance) as rejected_out,
    ):
        for result in accepted(results, rejected_out):
            sentiment_out.write(result["sentiment"])
            stance_out.write(result["stance"])
            yield result


def run(
    statements: Path,
    documents: Path,
    models: Path,
    sentiment: Path,
    stance: Path,
    params: Params,
    cache_dir: Path | None = None,
    engine: ProcessEngine | None = None,
    rejected: Path | None = None,
) -> DocCache:
    """`rejected` defaults to rejected_classify.parquet beside `sentiment`."""
    models = models.resolve()
    provenance, cache = prepare(models, params, [read_provenance(statements), read_provenance(documents)], cache_dir)
    rejected = rejected or sentiment.with_name("rejected_classify.parquet")
    drain(
        written(
            results(statements_by_document(statements, documents), models, params, cache, engine),
            sentiment,
            stance,
            rejected,
            provenance,
        )
    )
    return cache


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
