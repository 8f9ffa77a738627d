"""Stage 5b, classify: sentiment of every statement and its stance toward every target.

Statements stream through in windows of documents (`newsstance.scoring.backends`); documents whose
statements and settings are unchanged come from the cache.
"""

from __future__ import annotations

import argparse
import logging
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

from newsstance.config import Params, load_params
from newsstance.schema import DOCUMENTS, SENTIMENT_SCORES, STANCE_SCORES, STATEMENTS_RAW
from newsstance.scoring.backends import WINDOW_STATEMENTS, HeadsBackend, classify_documents, document_item, windows
from newsstance.scoring.encoder import encoder_args, encoder_id, resolve_model
from newsstance.scoring.heads import Head
from stages.cache import DocCache, drain
from stages.classify_worker import _fit_threads
from stages.encoder import get_encoder
from stages.engine import ProcessEngine, per_process
from stages.io import iter_rows
from stages.per_document import DocumentStage, Output
from stages.provenance import Provenance, canonical_json, read_provenance, sha256_hex

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("encoder", "targets", "classify")
# The part of them that can change a result: the per-document cache keys on these only. The stage
# also reads `engine`, which decides where the work runs and never changes a table, so it is
# neither a DVC param nor in the outputs' provenance: switching engines reruns nothing.
RESULT_PARAMS = ("encoder.model", "encoder.max_length", "encoder.batch_tokens", "targets", "classify")


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
        from newsstance.scoring.hub import HubBackend  # only with backend: hub (torch's NLI stack)

        return HubBackend(params.classify.hub)
    encoder = get_encoder(*encoder_args(params.encoder))
    ids, _ = backend_identity(models, params)
    return HeadsBackend(
        encoder, Head.load(models / "sentiment.safetensors"), Head.load(models / "stance.safetensors"), ids
    )


def statements_by_document(statements: Path, documents: Path) -> Iterator[dict]:
    """The statements, grouped by document as they stream by, each with its context. Both tables
    are in document order, so they are read in step."""
    texts = ((r["doc_id"], r["text"], r["headline"]) for r in iter_rows(documents, DOCUMENTS))
    rows = iter_rows(statements, STATEMENTS_RAW)
    for doc_id, group in groupby(rows, key=lambda r: r["doc_id"]):
        for other, text, title in texts:
            if other == doc_id:
                break
        else:
            raise ValueError(f"statement of document {doc_id!r}, which is not in {documents} (or not in its order)")
        yield document_item(doc_id, group, text, title)


def document_digest(item: dict) -> str:
    return sha256_hex(canonical_json(item))


STAGE = DocumentStage(
    "classify",
    PARAMS,
    RESULT_PARAMS,
    (Output(SENTIMENT_SCORES, itemgetter("sentiment")), Output(STANCE_SCORES, itemgetter("stance"))),
    document_digest,
)


@per_process(maxsize=2)
def _backend(models: str, params_json: str):
    return make_backend(Path(models), Params.model_validate_json(params_json))  # once per process / worker


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
    return STAGE.prepare(params, [*upstream, *heads], cache_dir, ids)


def results(
    items: Iterable[dict], models: Path, params: Params, cache: DocCache, engine: ProcessEngine | None = None
) -> Iterator[dict]:
    """Per document with statements, in order: its scores, from the cache or classified. `engine`:
    where to classify instead of params.engine (prepared_engine's worker); the caller closes it."""
    return STAGE.results(items, _classify, (models, params), cache, params, runner=engine, partitions=partitions)


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
        STAGE.written(
            results(statements_by_document(statements, documents), models, params, cache, engine),
            (sentiment, stance),
            rejected,
            provenance,
        )
    )
    return cache


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
