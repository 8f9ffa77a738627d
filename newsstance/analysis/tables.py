"""The analyst-facing tables: statements, stances, per-speaker figures, rejected files.

statements (statement + sentiment), stances (statement x target) and speakers (roster speaker x
target aggregates, `aggregates`), plus the rejected files; and the per-speaker series `dvc plots
show` draws.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from newsstance.analysis.aggregates import METHOD, METHOD_UNCALIBRATED, Shares, class_shares, difference
from newsstance.config import Params
from newsstance.analysis.periods import period_of
from newsstance.analysis.quotes import quote_ids
from newsstance.schema import (
    PERIODS,
    QUOTES,
    REJECTED,
    SENTIMENT_LABELS,
    SPEAKERS,
    STANCE_LABELS,
    STANCES,
    STATEMENTS,
)
from newsstance.scoring.calibration import share_spread_of
from newsstance.scoring.heads import Head

log = logging.getLogger("newsstance")


def build_tables(
    raw: pd.DataFrame, sentiment: pd.DataFrame, stance: pd.DataFrame, params: Params, spreads: Spreads = None
) -> dict[str, pd.DataFrame]:
    """Join statements with their scores, find the quotes that repeat (wire copy), and aggregate per
    roster speaker and target, overall and per period: statements, stances, speakers, periods, quotes."""
    statements = raw.merge(sentiment, on="statement_id", how="left", validate="one_to_one")
    statements = statements.sort_values(["doc_id", "content_start", "content_end"], kind="stable")
    statements = statements.assign(quote_id=quote_ids(statements, params.table.quote_similarity).to_numpy())
    keys = ["statement_id", "quote_id", "doc_id", "date", "outlet", "url", "speaker"]
    stances = stance.merge(statements[keys], on="statement_id", how="inner", validate="many_to_one")
    stances = stances.sort_values(["doc_id", "statement_id", "target"], kind="stable")
    return {
        "statements": statements[STATEMENTS.names],
        "stances": stances[STANCES.names],
        "speakers": speaker_summary(statements, stances, params, spreads),
        "periods": period_summary(statements, stances, params, spreads),
        "quotes": quote_table(statements),
    }


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
    """One group's class shares with their interval (newsstance.analysis.aggregates), as tables and metrics give them."""
    tp = params.table
    return class_shares(p, spread, tp.confidence, tp.bootstrap_resamples, tp.seed)


def per_quote(rows: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The probabilities of each distinct quote among the rows: the mean of its occurrences'."""
    if rows.empty:
        return np.zeros((0, len(columns)))
    return rows.groupby("quote_id", sort=True)[columns].mean().to_numpy(dtype=float)


def figures(own: pd.DataFrame, stances: pd.DataFrame, params: Params, spreads: Spreads, head: dict) -> list[dict]:
    """The rows of one speaker (or one speaker in one period), one per target: `head` plus counts,
    shares, means and their intervals over the distinct quotes of `own` (statements) and `stances`."""
    spreads = spreads or {}
    sentiment_spread, stance_spread = spreads.get("sentiment"), spreads.get("stance")
    method = METHOD if sentiment_spread is not None and stance_spread is not None else METHOD_UNCALIBRATED
    confidence, rows = params.table.confidence, []
    n_quotes = own["quote_id"].nunique()
    tone = group_shares(per_quote(own, SENTIMENT_P), sentiment_spread, params)
    mean, low, high = difference(
        tone, SENTIMENT_LABELS.index("positive"), SENTIMENT_LABELS.index("negative"), confidence
    )
    for target in params.targets:
        st = stances[stances["target"].astype(str) == target]
        row = {
            **head,
            "target": target,
            "n_statements": len(own),
            "n_quotes": n_quotes,
            "n_documents": own["doc_id"].nunique(),
            "mean_sentiment": mean,
            "mean_sentiment_low": low,
            "mean_sentiment_high": high,
            "uncertain": n_quotes < params.report.min_statements,
            "correction": method,
        }
        for k, label in enumerate(SENTIMENT_LABELS):
            row[f"sentiment_{label}"], row[f"sentiment_{label}_low"], row[f"sentiment_{label}_high"] = (
                tone.share[k],
                tone.low[k],
                tone.high[k],
            )
        shares = group_shares(per_quote(st, STANCE_P), stance_spread, params)
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
    return rows


def speaker_summary(
    statements: pd.DataFrame, stances: pd.DataFrame, params: Params, spreads: Spreads = None
) -> pd.DataFrame:
    """One row per roster speaker and target, over all their statements."""
    speaker_of, stance_speaker_of = statements["speaker"].astype(str), stances["speaker"].astype(str)
    rows = []
    for speaker_id, speaker in params.roster.items():
        head = {"speaker": speaker_id, "speaker_name": speaker.name}
        own, st = statements[speaker_of == speaker_id], stances[stance_speaker_of == speaker_id]
        rows += figures(own, st, params, spreads, head)
    return pd.DataFrame(rows, columns=SPEAKERS.names)


def period_summary(
    statements: pd.DataFrame, stances: pd.DataFrame, params: Params, spreads: Spreads = None
) -> pd.DataFrame:
    """speaker_summary per period (table.period) for roster speakers' dated statements."""
    periods = period_of(statements["date"], params.table.period)
    dated = statements.join(periods)[periods["period"].notna().to_numpy()]
    if len(dated) < len(statements):
        log.info("periods: %d statement(s) without a date are left out", len(statements) - len(dated))
    stances = stances.merge(dated[["statement_id", "period"]], on="statement_id", how="inner")
    rows = []
    for speaker_id, speaker in params.roster.items():
        own = dated[dated["speaker"].astype(str) == speaker_id]
        own_stances = stances[stances["speaker"].astype(str) == speaker_id]
        for (label, start), group in own.groupby(["period", "period_start"], sort=True):
            head = {"speaker": speaker_id, "speaker_name": speaker.name, "period": label, "period_start": start}
            rows += figures(group, own_stances[own_stances["period"] == label], params, spreads, head)
    return pd.DataFrame(rows, columns=PERIODS.names)


def quote_table(statements: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct quote: its first occurrence, where it was carried, its mean sentiment."""
    if statements.empty:
        return pd.DataFrame(columns=QUOTES.names)
    stamps = pd.to_datetime(statements["date"])
    groups = statements.assign(stamp=stamps.to_numpy()).groupby("quote_id", sort=True)
    first = statements.set_index("statement_id").loc[groups.size().index]  # a quote's id is its first statement
    outlets = [sorted({o for o in group if isinstance(o, str)}) for group in groups["outlet"].agg(list)]
    quotes = pd.DataFrame(
        {
            "quote_id": first.index.to_numpy(),
            "speaker": first["speaker"].astype(str).to_numpy(),
            "speaker_name": first["speaker_name"].to_numpy(),
            "in_roster": first["in_roster"].to_numpy(),
            "content": first["content"].to_numpy(),
            "occurrences": groups.size().to_numpy(),
            "n_documents": groups["doc_id"].nunique().to_numpy(),
            "n_outlets": [len(o) for o in outlets],
            "outlets": outlets,
            "first_date": [_day(d) for d in groups["stamp"].min()],
            "last_date": [_day(d) for d in groups["stamp"].max()],
            **{c: groups[c].mean().to_numpy() for c in SENTIMENT_P},
        }
    )
    quotes["sentiment"] = [SENTIMENT_LABELS[k] for k in quotes[SENTIMENT_P].to_numpy().argmax(axis=1)]
    quotes["sentiment_score"] = quotes["p_positive"] - quotes["p_negative"]
    order = quotes.assign(_first=[d or dt.date.max for d in quotes["first_date"]])
    quotes = quotes.loc[order.sort_values(["speaker", "_first", "quote_id"], kind="stable").index]
    return quotes[QUOTES.names].reset_index(drop=True)


def _day(stamp) -> dt.date | None:
    return None if pd.isna(stamp) else stamp.date()


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
