"""The report's charts: Altair (Vega-Lite) specs rendered to static SVG by vl-convert.

Static SVG needs no script and no network, and the same data gives the same bytes. Every mark links
(`href`) to the statements behind it, through the statements table's filter (`#statements?...`).
"""

from __future__ import annotations

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


def _label(row) -> str:
    return f"{row.speaker_name} (n={row.n_statements})"
