"""Stage 5b, classify: sentiment of every statement and its stance toward every target.

Only statement contents go through the encoder (batched); the heads are a matrix product.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from stages.config import Params, load_params
from stages.encoder import get_encoder
from stages.heads import Head, sentiment_features, stance_features
from stages.io import read_table, write_table
from stages.schema import SENTIMENT_SCORES, STANCE_SCORES, STATEMENTS_RAW

log = logging.getLogger("newsstance")


def low_margin(p: np.ndarray, margin: float) -> np.ndarray:
    top2 = np.sort(p, axis=1)[:, -2:]
    return (top2[:, 1] - top2[:, 0]) < margin


def classify(
    statements: pd.DataFrame, sentiment: Head, stance: Head, encoder, targets: dict[str, str], margin: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (sentiment scores, stance scores) keyed by statement_id."""
    ids = statements["statement_id"].tolist()
    emb = encoder.encode(statements["content"].tolist()) if ids else np.zeros((0, encoder.dim), np.float32)
    p = sentiment.predict_proba(sentiment_features(emb))
    neg, neu, pos = (p[:, sentiment.classes.index(c)] for c in ("negative", "neutral", "positive"))
    sentiment_scores = pd.DataFrame(
        {
            "statement_id": ids,
            "sentiment": [sentiment.classes[i] for i in p.argmax(1)],
            "sentiment_score": pos - neg,
            "p_negative": neg,
            "p_neutral": neu,
            "p_positive": pos,
            "sentiment_low_margin": low_margin(p, margin) if ids else np.zeros(0, bool),
        }
    )
    frames = []
    target_ids = list(targets)
    target_emb = encoder.encode([targets[t] for t in target_ids])
    for target, t_emb in zip(target_ids, target_emb):
        q = stance.predict_proba(stance_features(emb, np.broadcast_to(t_emb, emb.shape)))
        against, neutral, favor = (q[:, stance.classes.index(c)] for c in ("against", "neutral", "favor"))
        frames.append(
            pd.DataFrame(
                {
                    "statement_id": ids,
                    "target": target,
                    "target_text": targets[target],
                    "stance": [stance.classes[i] for i in q.argmax(1)],
                    "stance_score": favor - against,
                    "p_against": against,
                    "p_neutral": neutral,
                    "p_favor": favor,
                    "stance_low_margin": low_margin(q, margin) if ids else np.zeros(0, bool),
                }
            )
        )
    stance_scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STANCE_SCORES.names)
    return sentiment_scores, stance_scores


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("statements", type=Path)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--sentiment", type=Path, required=True)
    parser.add_argument("--stance", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.statements, args.models, args.sentiment, args.stance, load_params(args.params))


def run(statements: Path, models: Path, sentiment: Path, stance: Path, params: Params) -> None:
    encoder = get_encoder(params.encoder.model, params.encoder.max_length, params.encoder.batch_size)
    sentiment_scores, stance_scores = classify(
        read_table(statements, STATEMENTS_RAW),
        Head.load(models / "sentiment.safetensors"),
        Head.load(models / "stance.safetensors"),
        encoder,
        params.targets,
        params.classify.low_margin,
    )
    write_table(sentiment_scores, SENTIMENT_SCORES, sentiment)
    write_table(stance_scores, STANCE_SCORES, stance)


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
