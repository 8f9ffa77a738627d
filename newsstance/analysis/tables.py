"""The analyst-facing tables: statements, stances, per-speaker figures, rejected files.

statements (statement + sentiment), stances (statement x target) and speakers (roster speaker x
target aggregates, `aggregates`), plus the rejected files; and the per-speaker series `dvc plots
show` draws.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from newsstance.analysis.aggregates import METHOD, METHOD_UNCALIBRATED, Shares, class_shares, difference
from newsstance.config import Params
from newsstance.schema import REJECTED, SENTIMENT_LABELS, SPEAKERS, STANCE_LABELS, STANCES, STATEMENTS
from newsstance.scoring.calibration import share_spread_of
from newsstance.scoring.heads import Head

log = logging.getLogger("newsstance")


def build_tables(
    raw: pd.DataFrame, sentiment: pd.DataFrame, stance: pd.DataFrame, params: Params, spreads: Spreads = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Join statements with their scores and aggregate per roster speaker and target."""
    statements = raw.merge(sentiment, on="statement_id", how="left", validate="one_to_one")
    statements = statements.sort_values(["doc_id", "content_start", "content_end"], kind="stable")
    stances = stance.merge(
        raw[["statement_id", "doc_id", "speaker"]], on="statement_id", how="inner", validate="many_to_one"
    )
    stances = stances.sort_values(["doc_id", "statement_id", "target"], kind="stable")
    return statements[STATEMENTS.names], stances[STANCES.names], speaker_summary(statements, stances, params, spreads)


# Per head, the spread of a speaker's share error on the calibration set; None: not calibrated.
Spreads = dict[str, np.ndarray | None] | None

SENTIMENT_P = [f"p_{label}" for label in SENTIMENT_LABELS]
STANCE_P = [f"p_{label}" for label in STANCE_LABELS]


def head_spreads(models: Path | None, params: Params) -> Spreads:
    """The share-error spreads the calibrated heads in `models` carry (none for the hub backend)."""
    if models is None or params.classify.backend != "heads":
        return None
    return {name: share_spread_of(Head.load(models / f"{name}.safetensors")) for name in ("sentiment", "stance")}


def group_shares(p: np.ndarray, spread: np.ndarray | None, params: Params) -> Shares:
    """One speaker's class shares with their interval (newsstance.analysis.aggregates), as tables and metrics give them."""
    tp = params.table
    return class_shares(p, spread, tp.confidence, tp.bootstrap_resamples, tp.seed)


def speaker_summary(
    statements: pd.DataFrame, stances: pd.DataFrame, params: Params, spreads: Spreads = None
) -> pd.DataFrame:
    spreads = spreads or {}
    sentiment_spread, stance_spread = spreads.get("sentiment"), spreads.get("stance")
    method = METHOD if sentiment_spread is not None and stance_spread is not None else METHOD_UNCALIBRATED
    confidence, rows = params.table.confidence, []
    for speaker_id, speaker in params.roster.items():
        own = statements[statements["speaker"].astype(str) == speaker_id]
        tone = group_shares(own[SENTIMENT_P].to_numpy(dtype=float), sentiment_spread, params)
        mean, low, high = difference(
            tone, SENTIMENT_LABELS.index("positive"), SENTIMENT_LABELS.index("negative"), confidence
        )
        for target in params.targets:
            st = stances[(stances["speaker"].astype(str) == speaker_id) & (stances["target"].astype(str) == target)]
            row = {
                "speaker": speaker_id,
                "speaker_name": speaker.name,
                "target": target,
                "n_statements": len(own),
                "n_documents": own["doc_id"].nunique(),
                "mean_sentiment": mean,
                "mean_sentiment_low": low,
                "mean_sentiment_high": high,
                "uncertain": len(own) < params.report.min_statements,
                "correction": method,
            }
            for k, label in enumerate(SENTIMENT_LABELS):
                row[f"sentiment_{label}"], row[f"sentiment_{label}_low"], row[f"sentiment_{label}_high"] = (
                    tone.share[k],
                    tone.low[k],
                    tone.high[k],
                )
            shares = group_shares(st[STANCE_P].to_numpy(dtype=float), stance_spread, params)
            for k, label in enumerate(STANCE_LABELS):
                row[f"share_{label}"], row[f"share_{label}_low"], row[f"share_{label}_high"] = (
                    shares.share[k],
                    shares.low[k],
                    shares.high[k],
                )
            row["net_stance"], row["net_stance_low"], row["net_stance_high"] = difference(
                shares, STANCE_LABELS.index("favor"), STANCE_LABELS.index("against"), confidence
            )
            rows.append(row)
    return pd.DataFrame(rows, columns=SPEAKERS.names)


def plot_series(speakers: pd.DataFrame) -> dict[str, list[dict]]:
    """Per-speaker stance and sentiment as JSON rows for dvc.yaml's plots (speakers with statements)."""
    said = speakers[speakers["n_statements"] > 0]
    stance = [
        {
            "speaker_target": f"{r.speaker_name} · {r.target}",
            "speaker": str(r.speaker),
            "target": str(r.target),
            "n_statements": int(r.n_statements),
            "share_favor": r.share_favor,
            "share_against": r.share_against,
            "net_stance": r.net_stance,
        }
        for r in said.itertuples()
    ]
    sentiment = [
        {
            "speaker": r.speaker_name,
            "n_statements": int(r.n_statements),
            "mean_sentiment": r.mean_sentiment,
            "mean_sentiment_low": r.mean_sentiment_low,
            "mean_sentiment_high": r.mean_sentiment_high,
        }
        for r in said.drop_duplicates("speaker").itertuples()
    ]
    return {"stance": stance, "sentiment": sentiment}


def rejected_files(
    ingest_rejected: pd.DataFrame, stage_rejected: list[pd.DataFrame], documents: pd.DataFrame | None
) -> pd.DataFrame:
    """Every input that was not processed to the end: the files ingest rejected and, named by
    `documents` (doc_id, file), the documents a per-document stage failed on; sorted by file name."""
    frames = [ingest_rejected]
    failed = [frame for frame in stage_rejected if len(frame)]
    if failed:
        if documents is None:
            raise ValueError("documents the stages rejected are named by documents.parquet, which was not given")
        named = pd.concat(failed, ignore_index=True).merge(documents, on="doc_id", how="left", validate="many_to_one")
        frames.append(named[REJECTED.names])
    rejected = pd.concat([f.astype(object) for f in frames], ignore_index=True)
    rejected = rejected.sort_values(["file", "stage"], kind="stable").reset_index(drop=True)
    for row in rejected.itertuples():
        log.warning("rejected %s (%s): %s", row.file, row.stage, row.reason)
    log.info("%d file(s) rejected; listed in rejected.parquet and the report", len(rejected))
    return rejected
