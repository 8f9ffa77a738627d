"""Fitting the sentiment and stance heads from labelled statements.

No English sentiment or stance classifier can be fetched at run time, so the pipeline trains small
heads over the packaged MiniLM encoder, from invented standalone statements and passages and from
real articles with gold statements, each read with its context as classify reads it. Each head is
scored by stratified k-fold cross-validation (macro-F1, a passage or article never split across
folds) before the final fit on all examples, then calibrated on real news (`calibration`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from newsstance.analysis.aggregates import share_spread
from newsstance.config import ConfigError, Params
from newsstance.schema import SENTIMENT_LABELS, STANCE_LABELS
from newsstance.scoring.calibration import calibrated, expected_calibration_error, fit_temperature_bias
from newsstance.scoring.context import Context, DocumentContext, passage_context
from newsstance.scoring.encoder import Encoder
from newsstance.scoring.heads import Head, embed_parts, features, fit_head, parts_read
from newsstance.text.articles import find_title

log = logging.getLogger("newsstance")


@dataclass(frozen=True)
class Example:
    """One labelled statement, with the context it is read in and the group CV keeps together."""

    text: str
    context: Context
    label: str
    group: str
    target: str | None = None


def _jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    if not path.is_file():
        raise ConfigError(f"labelled set not found: {path}")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            yield n, json.loads(line)


def _check_label(path: Path, n: int, label, allowed: tuple[str, ...]) -> None:
    if label not in allowed:
        raise ConfigError(f"{path}:{n}: label {label!r} is not one of {allowed}")


def read_labels(path: Path, allowed: tuple[str, ...], targets: dict[str, str] | None = None) -> list[Example]:
    """Standalone examples: a statement without its article, read as its own context."""
    rows = []
    for n, row in _jsonl(path):
        _check_label(path, n, row.get("label"), allowed)
        if targets is not None and row.get("target") not in targets:
            continue  # examples for a target that params.yaml does not configure
        rows.append(
            Example(row["text"], Context("", "", row["text"]), row["label"], f"{path.name}:{n}", row.get("target"))
        )
    return rows


def read_passages(path: Path, targets: dict[str, str]) -> tuple[list[Example], list[Example]]:
    """(sentiment, stance) examples from labelled passages: each statement in its headline and
    paragraphs, so the heads learn to read a remark in light of what the article is about."""
    sentiment, stance = [], []
    for n, passage in _jsonl(path):
        group = f"{path.name}:{passage.get('id', n)}"
        for s in passage["statements"]:
            i = s["paragraph"]
            if not 0 <= i < len(passage["paragraphs"]) or s["text"] not in passage["paragraphs"][i]:
                raise ConfigError(f"{path}:{n}: statement {s['text'][:40]!r} is not in paragraph {i}")
            context = passage_context(passage["headline"], passage["paragraphs"], i, s["speaker"])
            _check_label(path, n, s["sentiment"], SENTIMENT_LABELS)
            sentiment.append(Example(s["text"], context, s["sentiment"], group))
            for target, label in s["stance"].items():
                _check_label(path, n, label, STANCE_LABELS)
                if target in targets:
                    stance.append(Example(s["text"], context, label, group, target))
    return sentiment, stance


def read_articles(folder: Path, params: Params) -> tuple[list[Example], list[Example]]:
    """(sentiment, stance) examples from real articles and their gold (data/real/README.md): each
    unambiguous gold statement is its sentence, read in its article as classify reads a statement.
    The sentence keeps its cue ("warned", "thanked"), which carries much of the tone; measured on
    real-dev, heads fitted on the sentences score as well as on the pipeline's extracted content."""
    gold = folder / "gold" / "statements.jsonl"
    target_of = {text: target for target, text in params.targets.items()}
    articles: dict[str, tuple[str, DocumentContext]] = {}
    sentiment, stance = [], []
    for n, row in _jsonl(gold):
        if row.get("ambiguous"):
            continue
        doc = row["doc"]
        if doc not in articles:
            path = folder / "articles" / f"{doc}.txt"
            if not path.is_file():
                raise ConfigError(f"{gold}:{n}: article not found: {path}")
            text = path.read_text(encoding="utf-8")
            articles[doc] = text, DocumentContext(text, find_title(text, params.ingest.headline_max_words))
        text, document = articles[doc]
        start = text.find(row["sentence"])
        if start < 0:
            raise ConfigError(f"{gold}:{n}: sentence not found in {doc}: {row['sentence'][:60]!r}")
        speaker = params.roster[row["speaker"]].name if row["speaker"] in params.roster else ""
        context, group = document.at(start, speaker), f"{folder.name}:{doc}"
        _check_label(gold, n, row["sentiment"], SENTIMENT_LABELS)
        sentiment.append(Example(row["sentence"], context, row["sentiment"], group))
        if row.get("stance_target") in target_of:
            _check_label(gold, n, row["stance"], STANCE_LABELS)
            stance.append(Example(row["sentence"], context, row["stance"], group, target_of[row["stance_target"]]))
    return sentiment, stance


def cross_validated_f1(x: np.ndarray, labels: list[str], groups: list[str], classes, params) -> float:
    """Macro-F1 over stratified folds that keep each passage whole (its statements share a context)."""
    from sklearn.metrics import f1_score  # here: a run whose heads are up to date never imports sklearn
    from sklearn.model_selection import StratifiedGroupKFold

    folds = StratifiedGroupKFold(n_splits=params.cv_folds, shuffle=True, random_state=params.seed)
    predicted = np.empty(len(labels), dtype=object)
    y = np.array(labels, dtype=object)
    for train_idx, test_idx in folds.split(x, y, groups):
        head = fit_head(x[train_idx], list(y[train_idx]), classes, params.C, params.max_iter, {})
        predicted[test_idx] = np.array(classes, dtype=object)[head.predict_proba(x[test_idx]).argmax(1)]
    return float(f1_score(y, predicted, average="macro"))


def example_features(
    encoder, sentiment_rows: list[Example], stance_rows: list[Example], params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """(sentiment features, stance features) as the heads read them. One encoder pass for both: the
    stance examples share most texts with the sentiment ones, and the encoder encodes each distinct
    text once (an embedding does not depend on its batch)."""
    tp = params.train
    rows = sentiment_rows + stance_rows
    names = parts_read(tp.sentiment_reads, tp.stance_reads)
    parts = embed_parts(
        encoder, [r.text for r in rows], [r.context for r in rows], names, params.encoder.context_max_length
    )
    n = len(sentiment_rows)
    target_emb = dict(zip(params.targets, encoder.encode(list(params.targets.values()))))
    targets = np.stack([target_emb[r.target] for r in stance_rows]) if stance_rows else np.zeros((0, encoder.dim))
    return (
        features({k: v[:n] for k, v in parts.items()}, tp.sentiment_reads),
        features({k: v[n:] for k, v in parts.items()}, tp.stance_reads, targets),
    )


def calibrate(head: Head, x: np.ndarray, examples: list[Example], source: str, bias: bool) -> tuple[Head, dict]:
    """The head with its temperature and class biases fitted on labelled real statements, and the
    figures: the calibration error before and after, on that set, and the spread of one speaker's
    share error there (newsstance.analysis.aggregates widens the tables' intervals by it)."""
    y = np.array([head.classes.index(e.label) for e in examples])
    temperature, biases = fit_temperature_bias(head.logits(x), y, bias)
    result = calibrated(head, temperature, biases, {})
    p = result.predict_proba(x)
    spread = share_spread(p, y, [e.context.speaker for e in examples])
    result.meta["calibration"] = {
        "set": source,
        "n": len(y),
        "temperature": round(temperature, 6),
        "bias": [round(b, 6) for b in biases],
        "share_spread": dict(zip(head.classes, [round(float(v), 6) for v in spread])),
    }
    return result, {
        **result.meta["calibration"],
        "ece_before": round(expected_calibration_error(head.predict_proba(x), y), 4),
        "ece_after": round(expected_calibration_error(p, y), 4),
    }


def train(params: Params, encoder: Encoder, meta: dict | None = None) -> tuple[Head, Head, dict]:
    """Return (sentiment head, stance head, metrics). `meta` goes into both heads' files (what they
    were fitted from)."""
    tp = params.train
    passage_sentiment, passage_stance = read_passages(params.path(tp.passages), params.targets)
    real_sentiment, real_stance = read_articles(params.path(tp.real_labels), params) if tp.real_labels else ([], [])
    sentiment_rows = (
        read_labels(params.path(tp.sentiment_labels), SENTIMENT_LABELS) + passage_sentiment + real_sentiment
    )
    stance_rows = (
        read_labels(params.path(tp.stance_labels), STANCE_LABELS, params.targets) + passage_stance + real_stance
    )
    missing = [t for t in params.targets if not any(r.target == t for r in stance_rows)]
    if missing:
        raise ConfigError(f"stance targets without labelled examples in {tp.stance_labels} or {tp.passages}: {missing}")

    log.info("train: encoding %d sentiment and %d stance examples", len(sentiment_rows), len(stance_rows))
    meta = {
        "encoder": params.encoder.model,
        "max_length": params.encoder.max_length,
        "context_max_length": params.encoder.context_max_length,
        **(meta or {}),
    }
    x_sent, x_stance = example_features(encoder, sentiment_rows, stance_rows, params)
    y_sent, y_stance = [r.label for r in sentiment_rows], [r.label for r in stance_rows]
    metrics = {
        "sentiment": {
            "cv_macro_f1": cross_validated_f1(x_sent, y_sent, [r.group for r in sentiment_rows], SENTIMENT_LABELS, tp),
            "n_examples": len(y_sent),
            "n_in_passages": len(passage_sentiment),
            "n_real": len(real_sentiment),
        },
        "stance": {
            "cv_macro_f1": cross_validated_f1(x_stance, y_stance, [r.group for r in stance_rows], STANCE_LABELS, tp),
            "n_examples": len(y_stance),
            "n_in_passages": len(passage_stance),
            "n_real": len(real_stance),
        },
    }
    sentiment = fit_head(
        x_sent,
        y_sent,
        SENTIMENT_LABELS,
        tp.C,
        tp.max_iter,
        {**meta, "head": "sentiment", "reads": list(tp.sentiment_reads)},
    )
    stance = fit_head(
        x_stance, y_stance, STANCE_LABELS, tp.C, tp.max_iter, {**meta, "head": "stance", "reads": list(tp.stance_reads)}
    )
    if tp.calibration:
        held_sentiment, held_stance = read_articles(params.path(tp.calibration), params)
        x_sent, x_stance = example_features(encoder, held_sentiment, held_stance, params)
        sentiment, metrics["sentiment"]["calibration"] = calibrate(
            sentiment, x_sent, held_sentiment, str(tp.calibration), "sentiment" in tp.fit_bias
        )
        stance, metrics["stance"]["calibration"] = calibrate(
            stance, x_stance, held_stance, str(tp.calibration), "stance" in tp.fit_bias
        )
    log.info(
        "train: cv macro-F1 sentiment %.3f, stance %.3f",
        metrics["sentiment"]["cv_macro_f1"],
        metrics["stance"]["cv_macro_f1"],
    )
    return sentiment, stance, metrics
