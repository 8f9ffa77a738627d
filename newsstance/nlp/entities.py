"""Entities: spaCy NER, with roster speakers fixed by an entity ruler placed before it.

The small English model reads "Trump" as an ORG and "Tomahawks" as a PERSON. Instead of patching
its output, an EntityRuler built from the roster (every alias -> PERSON with the speaker id as
`ent_id`) and from `entities.patterns` runs first; spaCy's NER keeps those spans and labels the rest.
A last component, `repeated_surnames`, applies one sense per discourse: once an article has named
"Friedrich Merz", a later bare "Merz" is that person too, whatever the model made of it.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import pandas as pd
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Doc, Span

from newsstance.config import PIECE_CHARS, Params, Speaker
from newsstance.nlp.docbin import doc_from_bytes, doc_pieces, doc_to_bytes, piece_count
from newsstance.nlp.models import load_ner
from newsstance.nlp.pieces import batches
from newsstance.nlp.structure import METADATA
from newsstance.schema import ENTITIES


def roster_patterns(roster: dict[str, Speaker], nlp: Language) -> list[dict]:
    """One token pattern per alias, labelled PERSON and carrying the speaker id; one per namesake,
    PERSON with no id: the longer match wins, so "Melania Trump" is not the speaker "Trump"."""

    def tokens(name: str) -> list[dict]:
        return [{"ORTH": t.text} for t in nlp.make_doc(name) if not t.is_space]

    patterns = []
    for speaker_id, speaker in roster.items():
        for alias in dict.fromkeys([speaker.name, *speaker.aliases]):
            patterns.append({"label": "PERSON", "pattern": tokens(alias), "id": speaker_id})
        patterns += [{"label": "PERSON", "pattern": tokens(name)} for name in speaker.namesakes]
    return patterns


def add_entity_ruler(nlp: Language, roster: dict[str, Speaker], extra_patterns: list[dict]) -> None:
    ruler = nlp.add_pipe("entity_ruler", before="ner")
    ruler.add_patterns(roster_patterns(roster, nlp) + [dict(p) for p in extra_patterns])
    nlp.add_pipe("repeated_surnames", after="ner")


@Language.component("repeated_surnames")
def repeated_surnames(doc: Doc) -> Doc:
    """Label a bare surname PERSON when the document names the person in full elsewhere."""
    return label_surnames(doc, full_name_surnames(doc))


def full_name_surnames(doc: Doc) -> set[str]:
    return {ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].is_title}


def label_surnames(doc: Doc, surnames: set[str]) -> Doc:
    """Label PERSON each bare `surnames` token the NER left unlabelled or took for a one-word ORG."""
    if not surnames:
        return doc
    ents, changed = list(doc.ents), False
    covered = {t.i: ent for ent in ents for t in ent}
    for tok in doc:
        if tok.text not in surnames or tok.pos_ != "PROPN":
            continue
        ent = covered.get(tok.i)
        if ent is None:
            ents.append(Span(doc, tok.i, tok.i + 1, label="PERSON"))
            changed = True
        elif ent.label_ == "ORG" and len(ent) == 1:
            ents[ents.index(ent)] = Span(doc, tok.i, tok.i + 1, label="PERSON")
            changed = True
    if changed:
        doc.ents = sorted(ents, key=lambda e: e.start)
    return doc


def entity_rows(doc: Doc, doc_id: str, offset: int = 0) -> list[dict]:
    """`offset`: where `doc` starts in the document's text (a piece of a long one). The rows carry
    the document's metadata from the Doc (its date as ISO text)."""
    meta = {key: doc.user_data.get(key) for key in METADATA}
    return [
        {
            **meta,
            "doc_id": doc_id,
            "start": offset + ent.start_char,
            "end": offset + ent.end_char,
            "text": ent.text,
            "label": ent.label_,
            "speaker": ent.ent_id_ or None,
        }
        for ent in doc.ents
    ]


def tag_documents(
    parsed: Iterable[dict], nlp: Language, batch_size: int = 16, piece_chars: int = PIECE_CHARS
) -> Iterator[dict]:
    """Add entities to parsed documents as they stream in, in batches of at most `batch_size`
    documents and `piece_chars` characters, a longer one a piece at a time; yield, per document,
    its entity rows and the tagged parse."""

    def documents() -> Iterator[Doc | dict]:  # a Doc, or the record of a long document kept in pieces
        for record in parsed:
            yield record if piece_count(record["doc"]) > 1 else doc_from_bytes(record["doc"], nlp.vocab)

    alone = piece_chars + 1  # a long document's pieces go through on their own
    for batch in batches(documents(), batch_size, piece_chars, lambda d: alone if isinstance(d, dict) else _length(d)):
        if isinstance(batch[0], dict):
            results = [_tag_pieces(nlp, batch[0]["doc_id"], batch[0]["doc"])]
        else:
            results = [_tagged(doc) for doc in nlp.pipe(batch, batch_size=len(batch))]
        yield from results  # the batch's Docs are gone by now


def _tagged(doc: Doc) -> dict:
    doc_id = doc.user_data["doc_id"]
    return {"doc_id": doc_id, "entities": entity_rows(doc, doc_id), "doc": doc_to_bytes(doc)}


def _length(doc: Doc) -> int:
    """Characters of a doc's text, without building the text."""
    return doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0


# What the ruler and NER set on a token: a long document's pieces keep only this between two passes.
ENTITY_ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]


def _tag_pieces(nlp: Language, doc_id: str, pieces: bytes) -> dict:
    """A long document's result: the ruler and NER a piece at a time, then, a piece at a time again,
    one sense per discourse over the whole document."""
    surnames: set[str] = set()
    annotations = []
    with nlp.select_pipes(disable=["repeated_surnames"]):
        for doc in doc_pieces(pieces, nlp.vocab):
            doc = nlp(doc)
            surnames.update(full_name_surnames(doc))
            annotations.append(doc.to_array(ENTITY_ATTRS))
    rows: list[dict] = []

    def labelled() -> Iterator[Doc]:
        offset = 0
        for doc, annotation in zip(doc_pieces(pieces, nlp.vocab), annotations):
            doc = label_surnames(doc.from_array(ENTITY_ATTRS, annotation), surnames)
            rows.extend(entity_rows(doc, doc_id, offset))
            offset += _length(doc)
            yield doc

    data = doc_to_bytes(labelled())
    return {"doc_id": doc_id, "entities": rows, "doc": data}


def find_entities(docs: list[Doc], nlp: Language) -> tuple[pd.DataFrame, list[Doc]]:
    """In memory, for small inputs: (entity table, docs with entities)."""
    results = list(tag_documents(({"doc": doc_to_bytes(d)} for d in docs), nlp))
    rows = [row for r in results for row in r["entities"]]
    return pd.DataFrame(rows, columns=ENTITIES.names), [doc_from_bytes(r["doc"], nlp.vocab) for r in results]


def entity_pipeline(params: Params) -> Language:
    """The model's NER with the roster's ruler before it and repeated_surnames after."""
    nlp = load_ner(params.nlp.model)
    add_entity_ruler(nlp, params.roster, params.entities.patterns)
    return nlp
