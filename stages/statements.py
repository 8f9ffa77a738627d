"""Stage 4, statements: who said what (`newsstance.attribution`), unchanged documents from the cache."""

from __future__ import annotations

import argparse
import logging
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language

from newsstance.attribution.attributor import Attributor, attribute_documents
from newsstance.config import Params, load_params
from newsstance.nlp.models import require_spacy_model
from newsstance.schema import STATEMENTS_RAW, TAGGED
from stages.cache import DocCache, drain
from stages.engine import per_process
from stages.io import iter_rows
from stages.nlp import parser_pipeline, spacy_models
from stages.per_document import DocumentStage, Output
from stages.provenance import Provenance, read_provenance, sha256_hex

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("nlp", "roster", "statements")
# The part of them that can change a result: the per-document cache keys on these only. The stage
# also reads `engine`, which decides where the work runs and never changes a table, so it is
# neither a DVC param nor in the outputs' provenance: switching engines reruns nothing.
RESULT_PARAMS = ("nlp.model", "roster", "statements")


def document_digest(item: dict) -> str:
    return sha256_hex(item["doc"])  # the tagged parse, with its paragraphs and sentences on it


STAGE = DocumentStage(
    "statements", PARAMS, RESULT_PARAMS, (Output(STATEMENTS_RAW, itemgetter("statements")),), document_digest
)


@per_process(maxsize=2)
def _attributor(params_json: str) -> tuple[Attributor, Language]:
    params = Params.model_validate_json(params_json)  # built once per process (and Dask worker)
    nlp = parser_pipeline(params.nlp.model)  # the sentences stage's, when one process runs both
    return Attributor(nlp, params.roster, params.statements), nlp


def _attribute(items: Iterator[dict], params: Params) -> Iterator[dict]:
    attributor, nlp = _attributor(params.model_dump_json())
    return attribute_documents(items, attributor, nlp.vocab)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tagged", type=Path)
    parser.add_argument("--statements", type=Path, required=True)
    parser.add_argument("--rejected", type=Path, required=True, help="the documents this stage failed on")
    parser.add_argument("--cache", type=Path, default=None, help="per-document cache folder (none: no cache)")
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.tagged, args.statements, load_params(args.params), args.cache, args.rejected)


def prepare(params: Params, upstream: list[Provenance | None], cache_dir: Path | None) -> tuple[Provenance, DocCache]:
    """(provenance of the output, per-document cache), given the provenance of the tagged table."""
    return STAGE.prepare(params, upstream, cache_dir, spacy_models(params))


def results(items: Iterable[dict], params: Params, cache: DocCache) -> Iterator[dict]:
    """Per tagged document, in order: its statements, from the cache or attributed."""
    return STAGE.results(items, _attribute, (params,), cache, params, n_process=params.engine.n_process)


def run(
    tagged: Path,
    statements: Path,
    params: Params,
    cache_dir: Path | None = None,
    rejected: Path | None = None,
) -> DocCache:
    """`rejected` defaults to rejected_statements.parquet beside `statements`."""
    require_spacy_model(params.nlp.model)  # a configuration error, before any input is read
    provenance, cache = prepare(params, [read_provenance(tagged)], cache_dir)
    rejected = rejected or statements.with_name("rejected_statements.parquet")
    drain(STAGE.written(results(iter_rows(tagged, TAGGED, 64), params, cache), (statements,), rejected, provenance))
    return cache


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
