"""Stage 7, report: reports/summary.html, one self-contained page for an analyst.

Rendered by Jinja2 with autoescaping on, so every piece of article text is escaped; the page holds
no script and loads nothing. It carries no timestamp or absolute path: the same inputs give the
same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
from importlib import metadata
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

import stages
from stages.config import Params, load_params
from stages.io import read_table, write_text
from stages.schema import DOCUMENTS, REJECTED, SENTENCES, SPEAKERS, STANCES, STATEMENTS

log = logging.getLogger("newsstance")

PACKAGES = ("spacy", "transformers", "torch", "scikit-learn", "pandas", "pyarrow", "dvc")


def params_digest(params: Params) -> str:
    return hashlib.sha256(params.model_dump_json().encode()).hexdigest()


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.2f}"


def _pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100 * value:.0f} %"


def evidence_pieces(row, doc_text: str) -> list[dict]:
    """The sentence span cut into plain text and highlighted mention, cue and content."""
    marks = sorted(
        (a, b, role)
        for a, b, role in (
            (row.mention_start, row.mention_end, "mention"),
            (row.cue_start, row.cue_end, "cue"),
            (row.content_start, row.content_end, "content"),
        )
        if row.start <= a < b <= row.end
    )
    pieces, pos = [], row.start
    for a, b, role in marks:
        if a < pos:  # overlapping marks (a cue inside a content span): keep the first
            continue
        pieces.append({"text": doc_text[pos:a], "role": None})
        pieces.append({"text": doc_text[a:b], "role": role})
        pos = b
    pieces.append({"text": doc_text[pos : row.end], "role": None})
    return [p for p in pieces if p["text"]]


def render_report(
    documents: pd.DataFrame,
    sentences: pd.DataFrame,
    statements: pd.DataFrame,
    stances: pd.DataFrame,
    speakers: pd.DataFrame,
    rejected: pd.DataFrame,
    params: Params,
) -> str:
    texts = dict(zip(documents["doc_id"], documents["text"]))
    stance_of = {(r.statement_id, str(r.target)): str(r.stance) for r in stances.itertuples()}
    rows = []
    for i, st in enumerate(statements.itertuples()):
        rows.append(
            {
                "anchor": f"st-{i}",
                "speaker": str(st.speaker),
                "speaker_name": st.speaker_name,
                "in_roster": bool(st.in_roster),
                "doc_id": st.doc_id,
                "kind": str(st.kind),
                "content": st.content,
                "sentiment": str(st.sentiment),
                "sentiment_score": float(st.sentiment_score),
                "stances": {t: stance_of.get((st.statement_id, t), "") for t in params.targets},
                "pieces": evidence_pieces(st, texts[st.doc_id]),
            }
        )
    sections = []
    for speaker_id, speaker in params.roster.items():
        own = [r for r in rows if r["speaker"] == speaker_id]
        if not own:
            continue
        strongest = sorted(own, key=lambda r: -abs(r["sentiment_score"]))[: params.report.top_quotes]
        sections.append(
            {"id": speaker_id, "name": speaker.name, "uncertain": len(own) < params.report.min_statements, "quotes": strongest}
        )
    env = Environment(loader=PackageLoader("stages", "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.get_template("summary.html.j2")
    return template.render(
        fmt=_fmt,
        pct=_pct,
        overview={
            "documents": len(documents),
            "sentences": len(sentences),
            "statements": len(statements),
            "speakers": statements["speaker"].nunique(),
            "rejected": len(rejected),
        },
        rejected=rejected.to_dict("records"),
        targets=[{"id": t, "text": text} for t, text in params.targets.items()],
        speakers=[{**r, "speaker": str(r["speaker"]), "target": str(r["target"])} for r in speakers.to_dict("records")],
        speaker_sections=sections,
        statements=rows,
        provenance={
            "version": stages.__version__,
            "params_digest": params_digest(params),
            "spacy_model": f"{params.nlp.model} {_version(params.nlp.model.replace('_', '-'))}",
            "encoder": params.encoder.model,
            "packages": [(p, _version(p)) for p in PACKAGES],
            "inputs": documents[["file", "sha256"]].to_dict("records"),
        },
    )


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interim", type=Path, required=True)
    parser.add_argument("--processed", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.interim, args.processed, args.out, load_params(args.params))


def run(interim: Path, processed: Path, out: Path, params: Params) -> None:
    html = render_report(
        read_table(interim / "documents.parquet", DOCUMENTS),
        read_table(interim / "sentences.parquet", SENTENCES),
        read_table(processed / "statements.parquet", STATEMENTS),
        read_table(processed / "stances.parquet", STANCES),
        read_table(processed / "speakers.parquet", SPEAKERS),
        read_table(processed / "rejected.parquet", REJECTED),
        params,
    )
    write_text(out, html)
    log.info("wrote %s", out)


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
