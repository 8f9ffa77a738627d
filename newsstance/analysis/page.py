"""The report page: one self-contained HTML page for an analyst with ten minutes.

Jinja2 renders it with autoescaping on, so every piece of article text is escaped. Charts are static
SVG (`charts`); the one script, inline, filters and sorts the statements table, and the page's
Content-Security-Policy lets only that script run (by its hash) and forbids every request. The page
carries no timestamp or absolute path: the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
from importlib import resources
from typing import Callable, Iterable
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from newsstance.analysis import charts
from newsstance.analysis.periods import period_of
from newsstance.config import Params
from newsstance.schema import SENTIMENT_LABELS, STANCE_LABELS

# The page's template and script, package data beside this module.
TEMPLATES = "templates"


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.2f}"


def _pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100 * value:.0f} %"


def evidence_pieces(row: dict, doc_text: str) -> list[dict]:
    """The sentence span cut into plain text and highlighted mention, cue and content."""
    marks = sorted(
        (a, b, role)
        for a, b, role in (
            (row["mention_start"], row["mention_end"], "mention"),
            (row["cue_start"], row["cue_end"], "cue"),
            (row["content_start"], row["content_end"], "content"),
        )
        if row["start"] <= a < b <= row["end"]
    )
    pieces, pos = [], row["start"]
    for a, b, role in marks:
        if a < pos:  # overlapping marks (a cue inside a content span): keep the first
            continue
        pieces.append({"text": doc_text[pos:a], "role": None})
        pieces.append({"text": doc_text[a:b], "role": role})
        pos = b
    pieces.append({"text": doc_text[pos : row["end"]], "role": None})
    return [p for p in pieces if p["text"]]


def safe_svg(svg: str) -> str:
    """Chart SVG goes into the page unescaped, so check it element by element: no script, no
    foreign content, no event handler, no link that leaves the page."""
    if not svg:
        return svg
    for element in ElementTree.fromstring(svg).iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        bad = [
            name
            for name, value in element.attrib.items()
            if name.rsplit("}", 1)[-1].lower().startswith("on")
            or (name.rsplit("}", 1)[-1] == "href" and not value.startswith("#"))
        ]
        if tag in ("script", "foreignobject", "iframe") or bad:
            raise ValueError(f"chart SVG holds <{tag}> {bad}: markup that could run or leave the page")
    return svg


# What the page reads of each table; the rest stays on disk. At 10,000 documents, one dict per
# statement (160,000) and every document's text made the report the run's largest memory step.
STATEMENT_COLUMNS = [
    "statement_id",
    "quote_id",
    "doc_id",
    "date",
    "outlet",
    "speaker",
    "speaker_name",
    "in_roster",
    "kind",
    "mention_type",
    "content",
    "sentiment",
    "sentiment_score",
    "sentiment_low_margin",
    "start",
    "end",
    "mention_start",
    "mention_end",
    "cue_start",
    "cue_end",
    "content_start",
    "content_end",
]
STANCE_COLUMNS = ["statement_id", "target", "stance", "stance_score"]
DOCUMENT_COLUMNS = ["doc_id", "file", "sha256", "notes", "is_english", "duplicate_of"]


def statement_frame(
    statements: pd.DataFrame, stances: pd.DataFrame, targets: list[str], period: str = "month"
) -> pd.DataFrame:
    """The statements (index = position in statements.parquet) with their period, how often and by how
    many outlets their quote was carried, per target their stance label and score ("" and 0 without
    one), and their strength: the largest absolute score of any of them."""
    frame = statements.reset_index(drop=True).assign(speaker=statements["speaker"].astype(str).to_numpy())
    quotes = frame.groupby("quote_id")
    frame["occurrences"] = frame["quote_id"].map(quotes.size()).astype(int)
    frame["n_outlets"] = frame["quote_id"].map(quotes["outlet"].nunique()).astype(int)
    frame["period"] = period_of(frame["date"], period)["period"].fillna("").astype(str).to_numpy()
    strength = frame["sentiment_score"].abs()
    for t in targets:
        own = stances[stances["target"].astype(str) == t].set_index("statement_id")
        frame[f"stance:{t}"] = frame["statement_id"].map(own["stance"].astype(str)).fillna("")
        frame[f"stance_score:{t}"] = frame["statement_id"].map(own["stance_score"]).fillna(0.0).astype(float)
        strength = np.maximum(strength, frame[f"stance_score:{t}"].abs())
    return frame.assign(strength=strength)


def page_rows(frame: pd.DataFrame, positions, targets: list[str], texts: dict[str, str] | None = None) -> list[dict]:
    """Statements as the page shows them; with `texts`, each sentence cut into highlighted pieces."""
    rows = []
    for position, st in zip(positions, frame.iloc[list(positions)].to_dict("records")):
        row = {
            "position": int(position),
            "anchor": f"st-{position}",
            "speaker": st["speaker"],
            "speaker_name": st["speaker_name"],
            "in_roster": bool(st["in_roster"]),
            "doc_id": st["doc_id"],
            "date": st["date"].isoformat() if isinstance(st["date"], dt.date) else "",
            "outlet": st["outlet"] if isinstance(st["outlet"], str) else "",
            "period": st["period"],
            "occurrences": int(st["occurrences"]),
            "n_outlets": int(st["n_outlets"]),
            "kind": str(st["kind"]),
            "mention_type": str(st["mention_type"]),
            "content": st["content"],
            "sentiment": str(st["sentiment"]),
            "sentiment_score": float(st["sentiment_score"]),
            "low_margin": bool(st["sentiment_low_margin"]),
            "stances": {t: st[f"stance:{t}"] for t in targets},
            "stance_scores": {t: float(st[f"stance_score:{t}"]) for t in targets},
        }
        if texts is not None:
            row["pieces"] = evidence_pieces(st, texts[st["doc_id"]])
        rows.append(row)
    return rows


def noted_documents(documents: pd.DataFrame) -> list[dict]:
    """Documents kept with a caveat: decoded or extracted with changes, not English, or duplicates."""
    rows = []
    for d in documents.itertuples():
        notes = [n for n in d.notes.split("; ") if n]
        if not d.is_english:
            notes.append("does not read as English: statements may be missed or wrong")
        if isinstance(d.duplicate_of, str):
            notes.append(f"same text as {d.duplicate_of}")
        if notes:
            rows.append({"file": d.file, "notes": notes})
    return rows


def speaker_sections(frame: pd.DataFrame, speakers: pd.DataFrame, params: Params) -> list[dict]:
    """One section per roster speaker with statements: figures per target and the strongest quotes."""
    sections, records, targets = [], speakers.to_dict("records"), list(params.targets)
    for speaker_id, speaker in params.roster.items():
        own = frame[frame["speaker"] == speaker_id]
        if own.empty:
            continue
        figures = [r for r in records if str(r["speaker"]) == speaker_id]
        # the strongest distinct quotes (a reprint is not another quote); ties: document order
        ranked = own.loc[(-own["strength"]).sort_values(kind="stable").index]
        strongest = ranked.drop_duplicates("quote_id").index[: params.report.top_quotes]
        sections.append(
            {
                "id": speaker_id,
                "name": speaker.name,
                "figures": figures,
                "quotes": page_rows(frame, strongest, targets),
                "uncertain": own["quote_id"].nunique() < params.report.min_statements,
                "n_statements": len(own),
                "n_quotes": own["quote_id"].nunique(),
                "n_documents": own["doc_id"].nunique(),
            }
        )
    return sections


def table_positions(in_roster: np.ndarray, quoted: set[int], cap: int) -> np.ndarray:
    """The statements the page's table holds: all of them when they fit under `cap`; otherwise the
    speakers' strongest quotes (the page links to them: always kept, even past the cap), then roster
    speakers' statements, then the rest, up to `cap`, in document order. The page says how many it
    left out; the Parquet table has every one."""
    n = len(in_roster)
    if n <= cap:
        return np.arange(n)
    is_quoted = np.zeros(n, dtype=bool)
    is_quoted[list(quoted)] = True
    ranked = np.lexsort((np.arange(n), ~np.asarray(in_roster, dtype=bool), ~is_quoted))  # last key first
    return np.sort(ranked[: max(cap, len(quoted))])


def render_report(
    documents: pd.DataFrame,
    n_sentences: int,
    statements: pd.DataFrame,
    stances: pd.DataFrame,
    speakers: pd.DataFrame,
    periods: pd.DataFrame,
    rejected: pd.DataFrame,
    params: Params,
    provenance: dict,
    texts_of: Callable[[Iterable[str]], dict[str, str]],
) -> str:
    """The page. `texts_of(doc_ids)` gives the texts of the documents whose sentences the table shows."""
    targets = list(params.targets)
    frame = statement_frame(statements, stances, targets, params.table.period)
    heat_map, documents_left_out = charts.statements_chart(statements, params.report.max_chart_documents)
    script = resources.files(__package__).joinpath(TEMPLATES, "summary.js").read_text(encoding="utf-8")
    sections = speaker_sections(frame, speakers, params)
    quoted = {q["position"] for section in sections for q in section["quotes"]}
    positions = table_positions(frame["in_roster"].to_numpy(), quoted, params.report.max_table_statements)
    shown = page_rows(frame, positions, targets, texts_of(frame["doc_id"].iloc[positions].unique()))
    speaker_options = list(dict.fromkeys((r["speaker"], r["speaker_name"], r["in_roster"]) for r in shown))
    speaker_options.sort(key=lambda o: (not o[2], o[1]))
    env = Environment(
        loader=PackageLoader(__package__, TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    return env.get_template("summary.html.j2").render(
        fmt=_fmt,
        pct=_pct,
        link=charts.filter_link,
        overview={
            "documents": len(documents) - int((rejected["stage"] != "ingest").sum()),  # processed to the end
            "sentences": n_sentences,
            "statements": len(statements),
            "quotes": statements["quote_id"].nunique(),
            "roster_statements": int(statements["in_roster"].sum()),
            "speakers": statements["speaker"].nunique(),
            "rejected": len(rejected),
        },
        rejected=rejected.to_dict("records"),
        noted=noted_documents(documents),
        targets=[{"id": t, "text": text} for t, text in params.targets.items()],
        speakers=[{**r, "speaker": str(r["speaker"]), "target": str(r["target"])} for r in speakers.to_dict("records")],
        sections=sections,
        charts={
            "stance": {t: safe_svg(charts.stance_chart(speakers, t)) for t in targets},
            "sentiment": safe_svg(charts.sentiment_chart(speakers)),
            "time": safe_svg(charts.time_chart(periods, dict(params.targets))),
            "per_document": safe_svg(heat_map),
            "documents_left_out": documents_left_out,
        },
        statements=shown,
        left_out=len(frame) - len(shown),
        options={
            "speakers": speaker_options,
            "documents": sorted({r["doc_id"] for r in shown}),
            "periods": sorted({r["period"] for r in shown if r["period"]}),
            "kinds": sorted({r["kind"] for r in shown}),
            "sentiments": SENTIMENT_LABELS,
            "stances": STANCE_LABELS,
        },
        script=script,
        script_hash="sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode(),
        min_statements=params.report.min_statements,
        period=params.table.period,
        correction=str(speakers["correction"].iloc[0]) if len(speakers) else "",
        confidence=round(params.table.confidence * 100),
        provenance=provenance,
    )
