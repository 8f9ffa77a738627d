"""The report's charts: Altair (Vega-Lite) specs rendered to static SVG by vl-convert.

Static SVG needs no script and no network, and the same data gives the same bytes. Every mark links
(`href`) to the statements behind it, through the statements table's filter (`#statements?...`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import vl_convert

STANCE_COLOURS = {"favor": "#2b8a3e", "against": "#c92a2a"}
WIDTH = 560


def filter_link(**criteria: str) -> str:
    """A link into the statements table with these filters set (see summary.js)."""
    return "#statements?" + urlencode({k: v for k, v in criteria.items() if v is not None})


# vl-convert resolves links against the base URL of its data loader; ours are in-page fragments.
LOADER_BASE = "https://vega.github.io/vega-datasets/"


# Characters XML 1.0 does not allow. vl-convert parses the SVG it draws, and a speaker's name or a
# document id with one of them (a form feed, found by benchmarks/fuzz.py) made it panic and abort the
# whole process, which no `except` can catch.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    """`value` (a chart spec: dicts, lists, strings, numbers) with characters XML cannot hold as U+FFFD."""
    if isinstance(value, str):
        return NOT_XML.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    return value


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render offline (the data is inline; every data request is refused) to SVG."""
    spec = json.dumps(xml_safe(chart.to_dict()))
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    return svg.replace(f'href="{LOADER_BASE}#', 'href="#')


def _speaker_axis(order: list[str]) -> alt.Y:
    return alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))


def stance_chart(speakers: pd.DataFrame, target: str) -> str:
    """Diverging bars: share favor to the right, share against to the left, each with its Wilson
    interval; a speaker with few statements is drawn faint."""
    rows = []
    for s in speakers[(speakers["target"].astype(str) == target) & (speakers["n_statements"] > 0)].itertuples():
        for label, sign in (("favor", 1), ("against", -1)):
            rows.append(
                {
                    "label": _label(s),
                    "stance": label,
                    "share": sign * getattr(s, f"share_{label}"),
                    "low": sign * getattr(s, f"share_{label}_low"),
                    "high": sign * getattr(s, f"share_{label}_high"),
                    "uncertain": bool(s.uncertain),
                    "link": filter_link(speaker=str(s.speaker), **{f"stance_{target}": label}),
                }
            )
    if not rows:
        return ""
    data = pd.DataFrame(rows)
    order = list(dict.fromkeys(data["label"]))
    base = alt.Chart(data).encode(y=_speaker_axis(order))
    x = alt.X(
        "share:Q",
        title="← share against · share favor →",
        scale=alt.Scale(domain=[-1, 1]),
        axis=alt.Axis(format="%", labelExpr="abs(datum.value) * 100 + '%'"),
    )
    # a share of 0 draws no bar: a zero-width link would lead to an empty table
    bars = (
        base.transform_filter("datum.share != 0")
        .mark_bar(height=14)
        .encode(
            x=x,
            color=alt.Color(
                "stance:N",
                scale=alt.Scale(domain=list(STANCE_COLOURS), range=list(STANCE_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            opacity=alt.condition("datum.uncertain", alt.value(0.35), alt.value(0.9)),
            href="link:N",
            tooltip=[alt.Tooltip("label:N", title="speaker"), "stance:N", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    intervals = base.mark_rule(color="#222").encode(x="low:Q", x2="high:Q")
    return to_svg((bars + intervals).properties(width=WIDTH, title="Stance by speaker, with 95 % intervals"))


def sentiment_chart(speakers: pd.DataFrame) -> str:
    """Mean sentiment per speaker as a point on [-1, 1] with its bootstrap interval."""
    first = speakers.drop_duplicates("speaker")
    first = first[first["n_statements"] > 0]
    if first.empty:
        return ""
    data = pd.DataFrame(
        {
            "label": [_label(s) for s in first.itertuples()],
            "mean": first["mean_sentiment"].to_numpy(),
            "low": first["mean_sentiment_low"].to_numpy(),
            "high": first["mean_sentiment_high"].to_numpy(),
            "uncertain": first["uncertain"].to_numpy(dtype=bool),
            "link": [filter_link(speaker=str(s)) for s in first["speaker"]],
        }
    )
    base = alt.Chart(data).encode(y=_speaker_axis(list(data["label"])))
    scale = alt.Scale(domain=[-1, 1])
    rule = base.mark_rule(color="#555").encode(
        x=alt.X("low:Q", scale=scale, title="mean sentiment (negative ← → positive)"), x2="high:Q"
    )
    point = base.mark_point(filled=True, size=90).encode(
        x=alt.X("mean:Q", scale=scale),
        color=alt.condition("datum.uncertain", alt.value("#adb5bd"), alt.value("#1c7ed6")),
        href="link:N",
        tooltip=[alt.Tooltip("label:N", title="speaker"), alt.Tooltip("mean:Q", format="+.2f")],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(strokeDash=[3, 3], color="#999").encode(x="x:Q")
    return to_svg((zero + rule + point).properties(width=WIDTH, title="Sentiment by speaker, with 95 % intervals"))


def statements_chart(statements: pd.DataFrame, max_documents: int) -> tuple[str, int]:
    """Statements per document and speaker as a heat map of counts, for the documents with the
    most statements; returns (svg, number of documents left out)."""
    if statements.empty:
        return "", 0
    counts = (
        statements.assign(speaker_id=statements["speaker"].astype(str), speaker=statements["speaker_name"])
        .groupby(["doc_id", "speaker", "speaker_id"], observed=True)
        .size()
        .rename("n")
        .reset_index()
    )
    per_doc = counts.groupby("doc_id")["n"].sum().sort_values(ascending=False, kind="stable")
    shown = sorted(per_doc.index[:max_documents])
    counts = counts[counts["doc_id"].isin(shown)].copy()
    counts["link"] = [filter_link(speaker=s, doc=d) for s, d in zip(counts["speaker_id"], counts["doc_id"])]
    base = alt.Chart(counts).encode(
        x=alt.X("speaker:N", title=None, axis=alt.Axis(labelAngle=-30, orient="top", labelLimit=160)),
        y=alt.Y("doc_id:N", title=None, sort=shown, axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("n:Q", title="statements", scale=alt.Scale(scheme="blues")),
        href="link:N",
        tooltip=["doc_id:N", "speaker:N", "n:Q"],
    )
    text = base.mark_text(fontSize=11).encode(
        text="n:Q",
        color=alt.condition("datum.n > 3", alt.value("white"), alt.value("black")),
        href="link:N",
    )
    chart = (cells + text).properties(title="Statements per document and speaker", width=alt.Step(64))
    return to_svg(chart), max(0, len(per_doc) - len(shown))


TIME_PANEL_HEIGHT = 140
TIME_TICKS = 8


def time_chart(periods: pd.DataFrame, targets: dict[str, str]) -> str:
    """Each speaker's mean sentiment and net stance toward each target, period by period: one panel
    per measure on a shared time axis, a line through the values over a band of their 95 % intervals.

    A band needs two periods, so a speaker's lone period draws its interval as a rule; an uncertain
    period (too few statements) is a hollow point. Every point links to that speaker's statements of
    that period. Rows without a value are left out, so a line bridges the periods between."""
    panels = _time_panels(periods, targets)
    if not panels:
        return ""
    dates = sorted(set(pd.concat([data["date"] for _, _, data in panels])))
    # one explicit domain, in UTC, so every panel's time axis is the same and no clock's zone shows;
    # ticks on period starts (at most TIME_TICKS), not on the Sundays a default time axis picks
    weekly = all("-W" in period for _, _, data in panels for period in data["period"])
    ticks = [_utc(day) for day in dates[:: -(-len(dates) // TIME_TICKS)]]
    # a single period would make an empty domain: half a period either side
    half = dt.timedelta(days=0 if len(dates) > 1 else 4 if weekly else 15)
    start, end = dt.date.fromisoformat(dates[0]) - half, dt.date.fromisoformat(dates[-1]) + half
    x_scale = alt.Scale(type="utc", domain=[_utc(start), _utc(end)], nice=False, padding=12)
    tick_format = "%-d %b %Y" if weekly else "%b %Y"
    y_scale = alt.Scale(domain=[-1, 1])
    labels = sorted(set(pd.concat([data["label"] for _, _, data in panels])))
    colour = alt.Color(
        "label:N",
        scale=alt.Scale(domain=labels),
        legend=alt.Legend(orient="bottom", title=None, columns=3, labelLimit=220, symbolOpacity=1),
    )
    charts = []
    for i, (title, measure, data) in enumerate(panels):
        last = i == len(panels) - 1
        x = alt.X(
            "date:T",
            scale=x_scale,
            title=None,
            axis=alt.Axis(values=ticks, format=tick_format, labels=last, ticks=last, domain=last, labelOverlap=True),
        )
        base = alt.Chart(data).encode(x=x, color=colour)
        value = alt.Y("value:Q", scale=y_scale, title=None, axis=alt.Axis(values=[-1, -0.5, 0, 0.5, 1]))
        low = alt.Y("low:Q", scale=y_scale, title=None)
        tooltip = [
            alt.Tooltip("label:N", title="speaker"),
            alt.Tooltip("period:N", title="period"),
            alt.Tooltip("value:Q", title=measure, format="+.2f"),
            alt.Tooltip("n_statements:Q", title="statements"),
            alt.Tooltip("n_quotes:Q", title="quotes"),
        ]
        point = {"size": 40, "strokeWidth": 1.5, "opacity": 1}
        layers = [
            alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(strokeDash=[3, 3], color="#999").encode(y="y:Q"),
            base.transform_filter("!datum.single").mark_area(opacity=0.15).encode(y=low, y2="high:Q"),
            base.transform_filter("datum.single").mark_rule(strokeWidth=1.5).encode(y=low, y2="high:Q"),
            base.mark_line(strokeWidth=1.5).encode(y=value),
            base.transform_filter("!datum.uncertain")
            .mark_point(filled=True, **point)
            .encode(y=value, href="link:N", tooltip=tooltip),
            base.transform_filter("datum.uncertain")
            .mark_point(filled=False, fill="white", **point)
            .encode(y=value, href="link:N", tooltip=tooltip),
        ]
        charts.append(
            alt.layer(*layers).properties(
                width=WIDTH, height=TIME_PANEL_HEIGHT, title=alt.TitleParams(title, anchor="start", fontSize=12)
            )
        )
    chart = alt.vconcat(*charts, spacing=14).resolve_scale(color="shared", x="shared", y="shared")
    return to_svg(chart.properties(title="Over time, with 95 % intervals (hollow: few statements)"))


def _utc(day: str | dt.date) -> alt.DateTime:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def _time_panels(periods: pd.DataFrame, targets: dict[str, str]) -> list[tuple[str, str, pd.DataFrame]]:
    """(title, measure, rows to draw) per panel: mean sentiment once per (speaker, period), then net stance
    per target in `targets`' order; sorted, so the same data gives the same chart."""
    if periods.empty:
        return []
    frame = periods.assign(
        speaker=periods["speaker"].astype(str),
        target=periods["target"].astype(str),
        period=periods["period"].astype(str),
        date=pd.to_datetime(periods["period_start"]).dt.strftime("%Y-%m-%d"),
    ).sort_values(["speaker", "date", "period", "target"], kind="stable")
    # a speaker's name is its colour; two speakers sharing one would share a line
    names = frame.drop_duplicates("speaker").set_index("speaker")["speaker_name"].astype(str)
    shared = names[names.duplicated(keep=False)].index
    labels = {s: f"{n} ({s})" if s in shared else n for s, n in names.items()}
    measures = [("Mean sentiment", "mean sentiment", frame, "mean_sentiment")]
    for target in [*targets, *sorted(set(frame["target"]) - set(targets))]:
        text = targets.get(target, target)
        measures.append((f"Net stance toward {text}", "net stance", frame[frame["target"] == target], "net_stance"))
    panels = []
    for title, measure, rows, column in measures:
        rows = rows.dropna(subset=[column, f"{column}_low", f"{column}_high"])
        rows = rows.drop_duplicates(["speaker", "period"])  # sentiment: the same on every target's row
        if rows.empty:
            continue
        per_speaker = rows.groupby("speaker")["period"].transform("size")
        data = pd.DataFrame(
            {
                "speaker": rows["speaker"].to_numpy(),
                "label": rows["speaker"].map(labels).to_numpy(),
                "period": rows["period"].astype(str).to_numpy(),
                "date": rows["date"].to_numpy(),
                "value": rows[column].to_numpy(dtype=float),
                "low": rows[f"{column}_low"].to_numpy(dtype=float),
                "high": rows[f"{column}_high"].to_numpy(dtype=float),
                "n_statements": rows["n_statements"].to_numpy(dtype=int),
                "n_quotes": rows["n_quotes"].to_numpy(dtype=int),
                "uncertain": rows["uncertain"].to_numpy(dtype=bool),
                "single": (per_speaker == 1).to_numpy(),
                "link": [filter_link(speaker=s, period=str(p)) for s, p in zip(rows["speaker"], rows["period"])],
            }
        )
        panels.append((title, measure, data))
    return panels


def _label(row) -> str:
    return f"{row.speaker_name} (n={row.n_statements})"
