"""Stage 6, table: the analyst-facing Parquet files (`newsstance.analysis.tables`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsstance.analysis.tables import build_tables, head_spreads, plot_series, rejected_files
from newsstance.config import Params, load_params
from newsstance.schema import (
    DOCUMENTS,
    PERIODS,
    QUOTES,
    REJECTED,
    REJECTED_DOCUMENTS,
    SENTIMENT_SCORES,
    SPEAKERS,
    STANCE_SCORES,
    STANCES,
    STATEMENTS,
    STATEMENTS_RAW,
)
from stages.io import read_table, write_json, write_table
from stages.provenance import read_provenance, stage_provenance

# The analyst's tables, each written to <out>/<name>.parquet.
TABLES = (STATEMENTS, STANCES, SPEAKERS, PERIODS, QUOTES, REJECTED)

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("roster", "targets", "report.min_statements", "table", "classify.backend")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements-raw", type=Path, required=True)
    parser.add_argument("--sentiment", type=Path, required=True)
    parser.add_argument("--stance", type=Path, required=True)
    parser.add_argument(
        "--documents", type=Path, required=True, help="documents.parquet: file names of rejected documents"
    )
    parser.add_argument("--rejected-in", type=Path, required=True, help="the files ingest rejected")
    parser.add_argument(
        "--stage-rejected",
        type=Path,
        action="append",
        default=[],
        help="the documents a per-document stage rejected (once per stage)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the Parquet files")
    parser.add_argument("--plots", type=Path, default=None, help="folder for the dvc plots series")
    parser.add_argument(
        "--models",
        type=Path,
        default=None,
        help="the heads classify used: their calibration figures widen the per-speaker intervals",
    )
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(
        args.statements_raw,
        args.sentiment,
        args.stance,
        args.rejected_in,
        args.out,
        load_params(args.params),
        args.plots,
        args.stage_rejected,
        args.documents,
        args.models,
    )


def run(
    statements_raw: Path,
    sentiment: Path,
    stance: Path,
    rejected_in: Path,
    out: Path,
    params: Params,
    plots: Path | None = None,
    stage_rejected: list[Path] = (),
    documents: Path | None = None,
    models: Path | None = None,
) -> None:
    """`stage_rejected`: the per-document stages' rejected_<stage>.parquet (their file names come from
    `documents`). Statements of a document classify rejected are left out with it."""
    inputs = (statements_raw, sentiment, stance, rejected_in, *stage_rejected)
    provenance = stage_provenance("table", params, PARAMS, [read_provenance(p) for p in inputs])
    failed = [read_table(path, REJECTED_DOCUMENTS) for path in stage_rejected]
    raw = read_table(statements_raw, STATEMENTS_RAW)
    dropped = {doc_id for frame in failed for doc_id in frame["doc_id"]}
    if dropped:
        raw = raw[~raw["doc_id"].isin(dropped)]
    tables = build_tables(
        raw,
        read_table(sentiment, SENTIMENT_SCORES),
        read_table(stance, STANCE_SCORES),
        params,
        head_spreads(models, params),
    )
    named = read_table(documents, DOCUMENTS, ["doc_id", "file"]) if documents is not None else None
    tables["rejected"] = rejected_files(read_table(rejected_in, REJECTED), failed, named)
    for table in TABLES:
        write_table(tables[table.name], table, out / f"{table.name}.parquet", provenance)
    if plots is not None:
        for name, rows in plot_series(tables["speakers"]).items():
            write_json(plots / f"{name}.json", rows)


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
