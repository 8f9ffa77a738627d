"""Stage 6, table: the analyst-facing Parquet files.

statements.parquet (statement + sentiment), stances.parquet (statement x target) and
speakers.parquet (roster speaker x target aggregates), plus rejected.parquet.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from stages.config import Params, load_params
from stages.io import read_table, write_table
from stages.schema import (
    REJECTED, SENTIMENT_SCORES, SPEAKERS, STANCE_SCORES, STANCES, STATEMENTS, STATEMENTS_RAW,
)

log = logging.getLogger("newsstance")


def build_tables(
    raw: pd.DataFrame, sentiment: pd.DataFrame, stance: pd.DataFrame, params: Params
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Join statements with their scores and aggregate per roster speaker and target."""
    statements = raw.merge(sentiment, on="statement_id", how="left", validate="one_to_one")
    statements = statements.sort_values(["doc_id", "content_start", "content_end"], kind="stable")
    stances = stance.merge(
        raw[["statement_id", "doc_id", "speaker"]], on="statement_id", how="inner", validate="many_to_one"
    )
    stances = stances.sort_values(["doc_id", "statement_id", "target"], kind="stable")
    return statements[STATEMENTS.names], stances[STANCES.names], speaker_summary(statements, stances, params)


def speaker_summary(statements: pd.DataFrame, stances: pd.DataFrame, params: Params) -> pd.DataFrame:
    rows = []
    for speaker_id, speaker in params.roster.items():
        own = statements[statements["speaker"].astype(str) == speaker_id]
        for target in params.targets:
            st = stances[(stances["speaker"].astype(str) == speaker_id) & (stances["target"].astype(str) == target)]
            n = len(st)
            shares = {label: (st["stance"].astype(str) == label).mean() if n else np.nan for label in ("favor", "neutral", "against")}
            rows.append(
                {
                    "speaker": speaker_id,
                    "speaker_name": speaker.name,
                    "target": target,
                    "n_statements": len(own),
                    "n_documents": own["doc_id"].nunique(),
                    "mean_sentiment": own["sentiment_score"].mean() if len(own) else np.nan,
                    "share_favor": shares["favor"],
                    "share_neutral": shares["neutral"],
                    "share_against": shares["against"],
                    "net_stance": shares["favor"] - shares["against"] if n else np.nan,
                    "uncertain": len(own) < params.report.min_statements,
                }
            )
    return pd.DataFrame(rows, columns=SPEAKERS.names)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements-raw", type=Path, required=True)
    parser.add_argument("--sentiment", type=Path, required=True)
    parser.add_argument("--stance", type=Path, required=True)
    parser.add_argument("--rejected-in", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for the Parquet files")
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.statements_raw, args.sentiment, args.stance, args.rejected_in, args.out, load_params(args.params))


def run(statements_raw: Path, sentiment: Path, stance: Path, rejected_in: Path, out: Path, params: Params) -> None:
    statements, stances, speakers = build_tables(
        read_table(statements_raw, STATEMENTS_RAW),
        read_table(sentiment, SENTIMENT_SCORES),
        read_table(stance, STANCE_SCORES),
        params,
    )
    write_table(statements, STATEMENTS, out / "statements.parquet")
    write_table(stances, STANCES, out / "stances.parquet")
    write_table(speakers, SPEAKERS, out / "speakers.parquet")
    write_table(read_table(rejected_in, REJECTED), REJECTED, out / "rejected.parquet")


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
