"""spaCy in the stages' processes: faster DocBin reads, numpy's BLAS, the parser loaded once.

The text is parsed once (sentences stage) and handed on, one DocBin per document in a Parquet
column, so the later stages add entities and read the parse without running the parser again.
"""

from __future__ import annotations

import srsly.msgpack
from spacy.language import Language

from newsstance.config import Params
from newsstance.nlp.models import load_spacy
from newsstance.versions import model_id
from stages.engine import per_process


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


def spacy_models(params: Params) -> dict[str, str]:
    """The model ids a spaCy stage's outputs and cache name: the package in `nlp.model`."""
    return {"spacy": model_id(params.nlp.model)}


def parsed_row(result: dict) -> list[dict]:
    """A spaCy stage's row of the parsed (or tagged) table: the document's DocBin bytes."""
    return [{"doc_id": result["doc_id"], "doc": result["doc"]}]


# Parsed documents per Parquet row group: a few MB, read back a group at a time.
DOCS_PER_ROW_GROUP = 64


@per_process(maxsize=2)
def parser_pipeline(model: str) -> Language:
    """`load_spacy(model)`. The sentences stage parses with it and the statements stage reads the
    parse with its vocab and lemmas: `newsstance run` loads it once for both (~0.7 s)."""
    numpy_blas()
    return load_spacy(model)
