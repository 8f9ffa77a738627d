"""Stage 5a, train: fit the sentiment and stance heads from the labelled sets in data/labels/.

No English sentiment or stance classifier can be fetched at run time, so the pipeline trains small
heads over the packaged MiniLM encoder. Each head is scored by stratified k-fold cross-validation
(macro-F1) before the final fit on all examples.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from stages.config import ConfigError, Params, load_params
from stages.encoder import get_encoder
from stages.heads import Head, fit_head, sentiment_features, stance_features
from stages.io import write_json
from stages.provenance import canonical_json, code_version, model_id, params_digest, sha256_hex, stage_provenance
from stages.schema import SENTIMENT_LABELS, STANCE_LABELS

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("encoder", "targets", "train")


def read_labels(path: Path, allowed: tuple[str, ...], targets: dict[str, str] | None = None) -> list[dict]:
    if not path.is_file():
        raise ConfigError(f"labelled set not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in allowed:
            raise ConfigError(f"{path}:{n}: label {row.get('label')!r} is not one of {allowed}")
        if targets is not None and row.get("target") not in targets:
            continue  # examples for a target that params.yaml does not configure
        rows.append(row)
    return rows


def cross_validated_f1(features: np.ndarray, labels: list[str], classes, params) -> float:
    folds = StratifiedKFold(n_splits=params.cv_folds, shuffle=True, random_state=params.seed)
    predicted = np.empty(len(labels), dtype=object)
    y = np.array(labels, dtype=object)
    for train_idx, test_idx in folds.split(features, y):
        head = fit_head(features[train_idx], list(y[train_idx]), classes, params.C, params.max_iter, {})
        predicted[test_idx] = np.array(classes, dtype=object)[head.predict_proba(features[test_idx]).argmax(1)]
    return float(f1_score(y, predicted, average="macro"))


def train(params: Params, inputs: str = "") -> tuple[Head, Head, dict]:
    """Return (sentiment head, stance head, metrics)."""
    tp = params.train
    encoder = get_encoder(params.encoder.model, params.encoder.max_length, params.encoder.batch_size)
    sentiment_rows = read_labels(params.path(tp.sentiment_labels), SENTIMENT_LABELS)
    stance_rows = read_labels(params.path(tp.stance_labels), STANCE_LABELS, params.targets)
    missing = [t for t in params.targets if not any(r["target"] == t for r in stance_rows)]
    if missing:
        raise ConfigError(f"stance targets without labelled examples in {tp.stance_labels}: {missing}")

    log.info("train: encoding %d sentiment and %d stance examples", len(sentiment_rows), len(stance_rows))
    provenance = stage_provenance("train", params, PARAMS, models={"encoder": model_id(params.encoder.model)})
    meta = {"encoder": params.encoder.model, "max_length": params.encoder.max_length,
            "provenance": provenance.to_metadata(), "inputs": inputs}
    x_sent = sentiment_features(encoder.encode([r["text"] for r in sentiment_rows]))
    y_sent = [r["label"] for r in sentiment_rows]
    target_ids = list(params.targets)
    target_emb = dict(zip(target_ids, encoder.encode([params.targets[t] for t in target_ids])))
    x_stance = stance_features(
        encoder.encode([r["text"] for r in stance_rows]), np.stack([target_emb[r["target"]] for r in stance_rows])
    )
    y_stance = [r["label"] for r in stance_rows]

    metrics = {
        "sentiment": {"cv_macro_f1": cross_validated_f1(x_sent, y_sent, SENTIMENT_LABELS, tp), "n_examples": len(y_sent)},
        "stance": {"cv_macro_f1": cross_validated_f1(x_stance, y_stance, STANCE_LABELS, tp), "n_examples": len(y_stance)},
    }
    sentiment = fit_head(x_sent, y_sent, SENTIMENT_LABELS, tp.C, tp.max_iter, {**meta, "head": "sentiment"})
    stance = fit_head(x_stance, y_stance, STANCE_LABELS, tp.C, tp.max_iter, {**meta, "head": "stance"})
    log.info("train: cv macro-F1 sentiment %.3f, stance %.3f",
             metrics["sentiment"]["cv_macro_f1"], metrics["stance"]["cv_macro_f1"])
    return sentiment, stance, metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, required=True, help="folder for the head files")
    parser.add_argument("--metrics", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.models, args.metrics, load_params(args.params))


def inputs_digest(params: Params) -> str:
    """Everything the heads are a function of: code, params, labelled sets and encoder."""
    labels = [params.path(params.train.sentiment_labels), params.path(params.train.stance_labels)]
    return sha256_hex(canonical_json({
        "code": code_version("train"), "params": params_digest(params, PARAMS),
        "labels": [sha256_hex(p.read_bytes()) if p.is_file() else None for p in labels],
        "encoder": model_id(params.encoder.model),
    }))


def up_to_date(models: Path, metrics: Path, digest: str) -> bool:
    """`newsstance run` into a used folder skips training when the heads there were fitted from the
    same inputs (DVC makes the same decision from dvc.lock)."""
    heads = [models / "sentiment.safetensors", models / "stance.safetensors"]
    if not metrics.is_file() or not all(h.is_file() for h in heads):
        return False
    try:
        return all(Head.load(h).meta.get("inputs") == digest for h in heads)
    except Exception:  # unreadable or foreign head files: train again
        return False


def run(models: Path, metrics: Path, params: Params) -> None:
    digest = inputs_digest(params)
    if up_to_date(models, metrics, digest):
        log.info("train: heads in %s are up to date; not retraining", models)
        return
    sentiment, stance, scores = train(params, digest)
    sentiment.save(models / "sentiment.safetensors")
    stance.save(models / "stance.safetensors")
    write_json(metrics, {"train": scores})


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
