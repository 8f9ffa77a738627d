"""spaCy in the stages' processes: faster DocBin reads, numpy's BLAS, the parser loaded once.

The text is parsed once (sentences stage) and handed on, one DocBin per document in a Parquet
column, so the later stages add entities and read the parse without running the parser again.
"""

from __future__ import annotations

from pathlib import Path

import srsly.msgpack
from spacy.language import Language

from newsstance.config import Params
from newsstance.nlp.models import load_spacy
from stages.cache import DocCache
from stages.engine import per_process
from stages.provenance import Provenance, model_id, stage_provenance


def freeze_msgpack_codecs() -> None:
    """srsly looks its msgpack codecs up afresh on every call, scanning the installed packages' entry
    points, and DocBin makes two such calls per document read: half the time of decoding a parsed
    document. The codecs cannot change during a run, so each registry answers with what it held at
    start-up (benchmarks/README.md, statements_speed)."""
    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        codecs = dict(registry.get_all())
        registry.get_all = lambda codecs=codecs: codecs


freeze_msgpack_codecs()


def numpy_blas() -> None:
    """Make the spaCy models loaded from now on multiply matrices with numpy's BLAS, on one thread.

    thinc's default multiplies with BLIS, whose build picks a kernel for the CPUs it knows and falls
    back to its generic reference kernel elsewhere: on AMD Zen 4 (and any CPU newer than the build)
    that kernel held a quarter of a parsing process's time. numpy's OpenBLAS picks an AVX-512 kernel there;
    spaCy ran 1.2-1.4 x as fast with the same tags, parses and entities (tests/test_sentences.py
    checks they are the same). The parser's own transition step still calls BLIS through a C
    pointer. One thread: the run's other core is the classify worker's, and an OpenBLAS thread
    pool on these small matrices costs more than it gives."""
    from thinc.api import NumpyOps, get_current_ops, set_current_ops
    from threadpoolctl import threadpool_limits

    ops = get_current_ops()
    if type(ops) is NumpyOps and ops.use_blis:  # not a subclass (thinc-apple-ops) or a GPU
        set_current_ops(NumpyOps(use_blis=False))
    threadpool_limits(1, user_api="blas")  # lasts for the process (numpy's OpenBLAS, in this process only)


def prepare_stage(
    stage: str,
    params: Params,
    sections: tuple[str, ...],
    result_params: tuple[str, ...],
    upstream: list[Provenance | None],
    cache_dir: Path | None,
) -> tuple[Provenance, DocCache]:
    """A spaCy stage's `prepare`: (provenance of its outputs, its per-document cache). Its model is
    the spaCy package named in `nlp.model`; `sections` are the params it reads, `result_params` the
    part of them its cache keys on."""
    models = {"spacy": model_id(params.nlp.model)}
    return (
        stage_provenance(stage, params, sections, upstream, models),
        DocCache.for_stage(cache_dir, stage, params, result_params, models),
    )


# Parsed documents per Parquet row group: a few MB, read back a group at a time.
DOCS_PER_ROW_GROUP = 64


@per_process(maxsize=2)
def parser_pipeline(model: str) -> Language:
    """`load_spacy(model)`. The sentences stage parses with it and the statements stage reads the
    parse with its vocab and lemmas: `newsstance run` loads it once for both (~0.7 s)."""
    numpy_blas()
    return load_spacy(model)
