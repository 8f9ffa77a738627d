"""Stage 3, entities: spaCy NER with the roster's entity ruler (`newsstance.nlp.entities`)."""

from __future__ import annotations

import argparse
import logging
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language

from newsstance.config import Params, load_params
from newsstance.nlp.entities import entity_pipeline, tag_documents
from newsstance.nlp.models import require_spacy_model
from newsstance.schema import ENTITIES, PARSED, TAGGED
from stages.cache import DocCache, drain
from stages.engine import per_process
from stages.io import iter_rows
from stages.nlp import DOCS_PER_ROW_GROUP, numpy_blas, parsed_row, spacy_models
from stages.per_document import DocumentStage, Output
from stages.provenance import Provenance, read_provenance, sha256_hex

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("nlp", "roster", "entities")
# The part of them that can change a result: the per-document cache keys on these only. The stage
# also reads `engine`, which decides where the work runs and never changes a table, so it is
# neither a DVC param nor in the outputs' provenance: switching engines reruns nothing.
RESULT_PARAMS = PARAMS


@per_process(maxsize=2)
def ner_pipeline(params_json: str) -> Language:
    """The entities stage's pipeline (`newsstance.nlp.entities.entity_pipeline`) for these params."""
    numpy_blas()
    return entity_pipeline(Params.model_validate_json(params_json))


def _tag(parsed: Iterator[dict], params: Params) -> Iterator[dict]:
    return tag_documents(
        parsed, ner_pipeline(params.model_dump_json()), params.engine.batch_size, params.nlp.piece_chars
    )


def parsed_digest(record: dict) -> str:
    return sha256_hex(record["doc"])


STAGE = DocumentStage(
    "entities",
    PARAMS,
    RESULT_PARAMS,
    (Output(ENTITIES, itemgetter("entities")), Output(TAGGED, parsed_row, DOCS_PER_ROW_GROUP)),
    parsed_digest,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parsed", type=Path)
    parser.add_argument("--entities", type=Path, required=True)
    parser.add_argument("--tagged", type=Path, required=True)
    parser.add_argument("--rejected", type=Path, required=True, help="the documents this stage failed on")
    parser.add_argument("--cache", type=Path, default=None, help="per-document cache folder (none: no cache)")
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.parsed, args.entities, args.tagged, load_params(args.params), args.cache, args.rejected)


def prepare(params: Params, upstream: list[Provenance | None], cache_dir: Path | None) -> tuple[Provenance, DocCache]:
    """(provenance of the outputs, per-document cache), given the provenance of the parsed table."""
    return STAGE.prepare(params, upstream, cache_dir, spacy_models(params))


def results(parsed: Iterable[dict], params: Params, cache: DocCache) -> Iterator[dict]:
    """Per parsed document, in order: its entity rows and the tagged parse, from the cache or from spaCy."""
    return STAGE.results(parsed, _tag, (params,), cache, params, n_process=params.engine.n_process)


def run(
    parsed: Path,
    entities: Path,
    tagged: Path,
    params: Params,
    cache_dir: Path | None = None,
    rejected: Path | None = None,
) -> DocCache:
    """`rejected` defaults to rejected_entities.parquet beside `entities`."""
    require_spacy_model(params.nlp.model)  # a configuration error, before any input is read
    provenance, cache = prepare(params, [read_provenance(parsed)], cache_dir)
    rejected = rejected or entities.with_name("rejected_entities.parquet")
    drain(
        STAGE.written(
            results(iter_rows(parsed, PARSED, DOCS_PER_ROW_GROUP), params, cache),
            (entities, tagged),
            rejected,
            provenance,
        )
    )
    return cache


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
