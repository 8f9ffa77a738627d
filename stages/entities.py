"""Stage 3, entities: spaCy NER, with roster speakers fixed by an entity ruler placed before it.

The small English model reads "Trump" as an ORG and "Tomahawks" as a PERSON. Instead of patching
its output, an EntityRuler built from the roster (every alias -> PERSON with the speaker id as
`ent_id`) and from `entities.patterns` runs first; spaCy's NER keeps those spans and labels the rest.
A last component, `repeated_surnames`, applies one sense per discourse: once an article has named
"Friedrich Merz", a later bare "Merz" is that person too, whatever the model made of it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm

from stages.config import Params, Speaker, load_params
from stages.io import write_bytes, write_table
from stages.nlp import docs_from_bytes, docs_provenance, docs_to_bytes, load_spacy
from stages.provenance import model_id, stage_provenance
from stages.schema import ENTITIES

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("nlp", "roster", "entities")


def roster_patterns(roster: dict[str, Speaker], nlp: Language) -> list[dict]:
    """One token pattern per alias, labelled PERSON and carrying the speaker id."""
    patterns = []
    for speaker_id, speaker in roster.items():
        for alias in dict.fromkeys([speaker.name, *speaker.aliases]):
            tokens = [{"ORTH": t.text} for t in nlp.make_doc(alias) if not t.is_space]
            patterns.append({"label": "PERSON", "pattern": tokens, "id": speaker_id})
    return patterns


def add_entity_ruler(nlp: Language, roster: dict[str, Speaker], extra_patterns: list[dict]) -> None:
    ruler = nlp.add_pipe("entity_ruler", before="ner")
    ruler.add_patterns(roster_patterns(roster, nlp) + [dict(p) for p in extra_patterns])
    nlp.add_pipe("repeated_surnames", after="ner")


@Language.component("repeated_surnames")
def repeated_surnames(doc: Doc) -> Doc:
    """Label a bare surname PERSON when the document names the person in full elsewhere."""
    surnames = {ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].is_title}
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


def entity_rows(doc: Doc, doc_id: str) -> list[dict]:
    return [
        {
            "doc_id": doc_id,
            "start": ent.start_char,
            "end": ent.end_char,
            "text": ent.text,
            "label": ent.label_,
            "speaker": ent.ent_id_ or None,
        }
        for ent in doc.ents
    ]


def find_entities(docs: list[Doc], nlp: Language) -> tuple[pd.DataFrame, list[Doc]]:
    """Run the entity ruler and NER over parsed docs; return (entity table, docs with entities)."""
    rows, out = [], []
    with nlp.select_pipes(enable=["entity_ruler", "ner", "repeated_surnames"]):
        for doc in tqdm(nlp.pipe(docs), total=len(docs), desc="entities", unit="doc", disable=None):
            rows += entity_rows(doc, doc.user_data["doc_id"])
            out.append(doc)
    return pd.DataFrame(rows, columns=ENTITIES.names), out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docbin", type=Path)
    parser.add_argument("--entities", type=Path, required=True)
    parser.add_argument("--docbin-out", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.docbin, args.entities, args.docbin_out, load_params(args.params))


def run(docbin: Path, entities: Path, docbin_out: Path, params: Params) -> None:
    nlp = load_spacy(params.nlp.model, with_ner=True)
    add_entity_ruler(nlp, params.roster, params.entities.patterns)
    docs = docs_from_bytes(docbin.read_bytes(), nlp)
    provenance = stage_provenance("entities", params, PARAMS, [docs_provenance(docs)],
                                  {"spacy": model_id(params.nlp.model)})
    table, docs = find_entities(docs, nlp)
    write_table(table, ENTITIES, entities, provenance)
    write_bytes(docbin_out, docs_to_bytes(docs, provenance))


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
