"""Calendar periods of dates: the weeks or months periods.parquet and the report group statements by."""

from __future__ import annotations

import pandas as pd


def period_of(dates: pd.Series, period: str) -> pd.DataFrame:
    """(period label, first day) of each date: "2025-10" and 2025-10-01 for a month, "2025-W42" and
    its Monday for an ISO week; null for a missing date."""
    stamps = pd.to_datetime(dates)
    if period == "week":
        iso = stamps.dt.isocalendar()
        label = iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)
        start = (stamps - pd.to_timedelta(stamps.dt.weekday, unit="D")).dt.date
    else:
        label = stamps.dt.strftime("%Y-%m").astype("string")
        start = stamps.dt.to_period("M").dt.start_time.dt.date
    missing = stamps.isna().to_numpy()
    return pd.DataFrame(
        {
            "period": [None if m else v for m, v in zip(missing, label)],
            "period_start": [None if m else v for m, v in zip(missing, start)],
        },
        index=dates.index,
    )
