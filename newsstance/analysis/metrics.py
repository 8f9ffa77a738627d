"""Scoring attribution, sentiment and stance against hand-made gold sets.

The gold is for measuring only: nothing in the pipeline reads it. A gold statement is found when a
predicted roster statement of the same document and speaker has a sentence span overlapping the gold
sentence. A prediction is correct when it overlaps a gold statement of its speaker; one that overlaps
only `ambiguous` gold of its speaker counts neither way. A trap sentence is attributed when any
roster statement overlaps it. Recall is broken down by the gold `kind` and `mention`, precision by
the predicted `kind` and `mention_type`, so each row of the breakdown reads as one construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError
from sklearn.metrics import f1_score

from newsstance.analysis.tables import SENTIMENT_P, STANCE_P, group_shares
from newsstance.config import ConfigError, Params
from newsstance.schema import KINDS, MENTION_TYPES, SENTIMENT_LABELS, STANCE_LABELS
from newsstance.scoring.calibration import expected_calibration_error

# Gold files spell the mention "full name"; the statements table calls it "name".
MENTION_OF_GOLD = {"full name": "name"}


class GoldStatement(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    doc: str
    speaker: str
    sentence: str
    kind: Literal["direct", "indirect", "mixed"]
    mention: Literal["full name", "surname", "title", "pronoun", "continuation", "possessive"]
    sentiment: Literal["negative", "neutral", "positive"]
    stance_target: str
    stance: Literal["against", "neutral", "favor"]
    ambiguous: bool = False


class GoldTrap(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    doc: str
    sentence: str


@dataclass(frozen=True)
class GoldSet:
    """A named gold set: its statements, its traps and the documents they annotate."""

    name: str
    statements: pd.DataFrame  # doc, speaker, sentence, kind, mention, ambiguous, start, end
    traps: pd.DataFrame  # doc, sentence, start, end


def read_gold(path: Path, model: type[BaseModel]) -> list[BaseModel]:
    if not path.is_file():
        raise ConfigError(f"gold file not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate_json(line))
        except ValidationError as exc:
            raise ConfigError(f"{path}:{n}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    return rows


def locate(rows: list[BaseModel], texts: dict[str, str], source: Path) -> pd.DataFrame:
    """Gold rows with the offsets of their sentence; rows of documents not in `texts` are dropped."""
    located = []
    for row in rows:
        text = texts.get(row.doc)
        if text is None:
            continue
        start = text.find(row.sentence)
        if start < 0:
            raise ConfigError(f"{source}: sentence not found in document {row.doc}: {row.sentence[:80]!r}")
        located.append({**row.model_dump(), "start": start, "end": start + len(row.sentence)})
    return pd.DataFrame(located)


def load_gold_set(name: str, statements: Path, traps: Path, documents: pd.DataFrame) -> tuple[GoldSet, list[str]]:
    """The gold set located in the documents, and the gold documents that are missing from them."""
    gold_rows = read_gold(statements, GoldStatement)
    trap_rows = read_gold(traps, GoldTrap)
    texts = dict(zip(documents.doc_id, documents.text))
    missing = sorted({r.doc for r in gold_rows + trap_rows} - set(texts))
    gold = locate(gold_rows, texts, statements)
    if gold.empty:
        gold = pd.DataFrame(columns=[*GoldStatement.model_fields, "start", "end"])
    gold["mention"] = gold["mention"].replace(MENTION_OF_GOLD)
    trap_frame = locate(trap_rows, texts, traps)
    if trap_frame.empty:
        trap_frame = pd.DataFrame(columns=[*GoldTrap.model_fields, "start", "end"])
    return GoldSet(name, gold, trap_frame), missing


def _prf(correct: int, predicted: int, found: int, gold: int) -> dict:
    precision = correct / predicted if predicted else None
    recall = found / gold if gold else None
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rounded = {
        k: (round(v, 4) if v is not None else None)
        for k, v in (("precision", precision), ("recall", recall), ("f1", f1))
    }
    return {**rounded, "correct": correct, "predicted": predicted, "found": found, "gold": gold}


def speaker_share(gold: pd.Series, predicted: pd.Series, roster: set[str]) -> dict:
    """Each roster speaker's share of the set's statements, in the gold and as attributed, and the
    difference: what a per-speaker table built from the output gets wrong even where F1 looks fine."""

    def shares(speakers: pd.Series) -> dict[str, float]:
        counts = speakers.astype(str).value_counts()
        return {s: (counts.get(s, 0) / len(speakers) if len(speakers) else 0.0) for s in sorted(roster)}

    truth, guess = shares(gold), shares(predicted)
    error = {s: round(guess[s] - truth[s], 4) for s in sorted(roster)}
    return {
        "gold": {s: round(v, 4) for s, v in truth.items()},
        "error": error,
        "max_abs_error": max((abs(v) for v in error.values()), default=0.0),
    }


def score(predicted: pd.DataFrame, gold: GoldSet, roster: set[str]) -> tuple[dict, list[dict], pd.DataFrame]:
    """Metrics for one gold set, one error record per miss, wrong prediction and attributed trap, and
    the gold statements with the id of the predicted statement that found each (largest overlap)."""
    docs = set(gold.statements.doc) | set(gold.traps.doc)
    every = predicted[predicted.doc_id.isin(docs)]
    every = every.assign(
        speaker=every.speaker.astype(str), kind=every.kind.astype(str), mention_type=every.mention_type.astype(str)
    )
    pred = every[every.speaker.isin(roster)]
    by_doc = {d: frame for d, frame in pred.groupby("doc_id")}
    every_by_doc = {d: frame for d, frame in every.groupby("doc_id")}
    empty = pred.iloc[:0]
    errors: list[dict] = []

    gold_rows = gold.statements
    found, matched = [], []
    for row in gold_rows.itertuples():
        candidates = by_doc.get(row.doc, empty)
        hits = candidates[
            (candidates.speaker == row.speaker) & (candidates.start < row.end) & (row.start < candidates.end)
        ]
        found.append(not hits.empty)
        overlap = hits.end.clip(upper=row.end) - hits.start.clip(lower=row.start)
        matched.append(hits.statement_id.iloc[int(overlap.to_numpy().argmax())] if len(hits) else None)
        if hits.empty and not row.ambiguous:
            others = every_by_doc.get(row.doc, empty)
            others = others[(others.start < row.end) & (row.start < others.end)]
            errors.append(
                {
                    "set": gold.name,
                    "error": "missed",
                    "doc": row.doc,
                    "speaker": row.speaker,
                    "kind": row.kind,
                    "mention": row.mention,
                    "sentence": row.sentence,
                    "predicted_speakers": sorted(set(others.speaker)),
                }
            )
    gold_rows = gold_rows.assign(found=found, statement_id=matched)

    verdicts = []  # True correct, False wrong, None neither (only ambiguous gold)
    for row in pred.itertuples():
        same = gold_rows[
            (gold_rows.doc == row.doc_id)
            & (gold_rows.speaker == row.speaker)
            & (gold_rows.start < row.end)
            & (row.start < gold_rows.end)
        ]
        if not same.empty:
            verdicts.append(True if (~same.ambiguous).any() else None)
            continue
        verdicts.append(False)
        overlapping = gold_rows[
            (gold_rows.doc == row.doc_id) & (gold_rows.start < row.end) & (row.start < gold_rows.end)
        ]
        errors.append(
            {
                "set": gold.name,
                "error": "wrong speaker" if not overlapping.empty else "not in gold",
                "doc": row.doc_id,
                "speaker": row.speaker,
                "kind": row.kind,
                "mention": row.mention_type,
                "sentence": row.sentence,
                "gold_speakers": sorted(set(overlapping.speaker)),
            }
        )
    pred = pred.assign(verdict=verdicts)

    traps_hit = 0
    for row in gold.traps.itertuples():
        candidates = by_doc.get(row.doc, empty)
        hits = candidates[(candidates.start < row.end) & (row.start < candidates.end)]
        if not hits.empty:
            traps_hit += 1
            errors.append(
                {
                    "set": gold.name,
                    "error": "trap attributed",
                    "doc": row.doc,
                    "sentence": row.sentence,
                    "speaker": sorted(set(hits.speaker))[0],
                }
            )

    counted_gold = gold_rows[~gold_rows.ambiguous.astype(bool)]
    counted_pred = pred[pred.verdict.notna()]

    def breakdown(gold_col: str, pred_col: str, values) -> dict:
        out = {}
        for value in values:
            g = counted_gold[counted_gold[gold_col] == value]
            p = counted_pred[counted_pred[pred_col] == value]
            if len(g) or len(p):
                out[value] = _prf(int(p.verdict.astype(bool).sum()), len(p), int(g.found.sum()), len(g))
        return out

    metrics = {
        "overall": _prf(
            int(counted_pred.verdict.astype(bool).sum()),
            len(counted_pred),
            int(counted_gold.found.sum()),
            len(counted_gold),
        ),
        "by_kind": breakdown("kind", "kind", KINDS),
        "by_mention": breakdown("mention", "mention_type", MENTION_TYPES),
        "wrong_speaker": sum(1 for e in errors if e["error"] == "wrong speaker"),
        "traps": {"total": len(gold.traps), "attributed": traps_hit},
        "ambiguous_gold": int(gold_rows.ambiguous.astype(bool).sum()),
        "documents": len(docs),
        "speaker_share": speaker_share(counted_gold.speaker, pred.speaker, roster),
    }
    return metrics, errors, gold_rows


def lexicon_sentiment(texts: list[str]) -> list[str]:
    """VADER's compound score with its authors' thresholds (±0.05): the baseline, not the pipeline."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    compound = [vader.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compound]


# A speaker's shares are scored when the set holds at least this many of his gold statements.
MIN_SHARE_STATEMENTS = 5


def share_error(
    gold: pd.DataFrame,
    predicted: pd.DataFrame,
    labels: tuple[str, ...],
    gold_label: str,
    p_columns: list[str],
    spread,
    params: Params,
) -> dict:
    """Per roster speaker with enough gold statements: the largest gap over the labels between his gold
    shares and the shares the tables give from his attributed statements (what an analyst
    reads, attribution errors included); with the same gap for argmax counts, and how often the gold
    share falls in the table's interval."""
    errors, counted, covered = {}, {}, []
    for speaker, own in gold.groupby("speaker"):
        if len(own) < MIN_SHARE_STATEMENTS:
            continue
        truth = (
            own[gold_label].astype(str).value_counts(normalize=True).reindex(list(labels), fill_value=0.0).to_numpy()
        )
        p = predicted.loc[predicted.speaker == speaker, p_columns].to_numpy(dtype=float)
        if not len(p):
            errors[speaker] = counted[speaker] = float(truth.max())
            continue
        shares = group_shares(p, spread, params)
        errors[speaker] = float(np.abs(shares.share - truth).max())
        counted[speaker] = float(np.abs(np.bincount(p.argmax(1), minlength=len(labels)) / len(p) - truth).max())
        covered += list((shares.low <= truth + 1e-12) & (truth - 1e-12 <= shares.high))
    if not errors:
        return {
            "speakers": {},
            "max": None,
            "mean": None,
            "counted_max": None,
            "counted_mean": None,
            "interval_coverage": None,
        }
    return {
        "speakers": {k: round(v, 4) for k, v in sorted(errors.items())},
        "max": round(max(errors.values()), 4),
        "mean": round(float(np.mean(list(errors.values()))), 4),
        "counted_max": round(max(counted.values()), 4),
        "counted_mean": round(float(np.mean(list(counted.values()))), 4),
        "interval_coverage": round(float(np.mean(covered)), 4) if covered else None,
    }


def score_labels(
    found: pd.DataFrame,
    predicted: pd.DataFrame,
    sentiment: pd.DataFrame,
    stance: pd.DataFrame,
    params: Params,
    spreads=None,
) -> dict:
    """Sentiment and stance on the gold statements the attribution found: macro-F1 for the trained
    heads and for the lexicon baseline (stance read off VADER polarity: positive = favor, negative =
    against), and the heads' expected calibration error; then the per-speaker share error over every
    statement attributed in the set's documents."""
    targets, spreads = params.targets, spreads or {}
    rows = found[found.statement_id.notna() & ~found.ambiguous.astype(bool)]
    content = predicted.set_index("statement_id").content
    baseline = dict(zip(rows.statement_id, lexicon_sentiment([content[i] for i in rows.statement_id])))
    as_stance = {"positive": "favor", "negative": "against", "neutral": "neutral"}
    model_sentiment = sentiment.set_index("statement_id").sentiment.astype(str)

    def f1(truth, guess, labels) -> float | None:
        return (
            round(float(f1_score(truth, guess, labels=list(labels), average="macro", zero_division=0)), 4)
            if len(truth)
            else None
        )

    def ece(truth, p: np.ndarray, labels) -> float | None:
        return (
            round(expected_calibration_error(p, np.array([labels.index(t) for t in truth])), 4) if len(truth) else None
        )

    sentiment_p = sentiment.set_index("statement_id")[SENTIMENT_P]
    out = {
        "sentiment": {
            "n": len(rows),
            "model_macro_f1": f1(rows.sentiment, [model_sentiment[i] for i in rows.statement_id], SENTIMENT_LABELS),
            "lexicon_macro_f1": f1(rows.sentiment, [baseline[i] for i in rows.statement_id], SENTIMENT_LABELS),
            "ece": ece(
                rows.sentiment, sentiment_p.loc[list(rows.statement_id)].to_numpy(dtype=float), SENTIMENT_LABELS
            ),
        }
    }
    target_of = {text: target for target, text in targets.items()}
    on_target = rows[rows.stance_target.isin(list(target_of))]
    stance = stance.astype({"target": str, "stance": str})
    model_stance = {(r.statement_id, r.target): r for r in stance.itertuples()}
    picked = [model_stance[(r.statement_id, target_of[r.stance_target])] for r in on_target.itertuples()]
    out["stance"] = {
        "n": len(on_target),
        "model_macro_f1": f1(on_target.stance, [r.stance for r in picked], STANCE_LABELS),
        "lexicon_macro_f1": f1(
            on_target.stance, [as_stance[baseline[i]] for i in on_target.statement_id], STANCE_LABELS
        ),
        "ece": ece(
            on_target.stance,
            np.array([[getattr(r, c) for c in STANCE_P] for r in picked]).reshape(-1, 3),
            STANCE_LABELS,
        ),
    }

    gold = found[~found.ambiguous.astype(bool)].assign(speaker=lambda f: f.speaker.astype(str))
    roster = predicted.assign(speaker=predicted.speaker.astype(str))
    roster = roster[roster.doc_id.isin(set(found.doc)) & roster.speaker.isin(set(params.roster))]
    said = roster.merge(sentiment, on="statement_id", how="inner")
    out["sentiment"]["share_error"] = share_error(
        gold, said, SENTIMENT_LABELS, "sentiment", SENTIMENT_P, spreads.get("sentiment"), params
    )
    for target, text in targets.items():
        on = stance[stance.target == target].merge(roster[["statement_id", "speaker"]], on="statement_id", how="inner")
        gold_on = gold[gold.stance_target == text]
        if len(gold_on):
            out["stance"].setdefault("share_error", {})[target] = share_error(
                gold_on, on, STANCE_LABELS, "stance", STANCE_P, spreads.get("stance"), params
            )
    return out
