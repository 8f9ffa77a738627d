"""The chart of stance and sentiment over time, rendered for real (vl-convert) and read back as XML."""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import pandas as pd

from newsstance.analysis.charts import time_chart
from newsstance.analysis.page import safe_svg

TARGETS = {"tomahawk": "the US supplying Tomahawk missiles to Ukraine"}
NAN = math.nan


def row(speaker, name, period, start, sentiment, stance, n=8, target="tomahawk"):
    """One (speaker, target, period) row; NaN values for a group without statements."""
    return {
        "speaker": speaker,
        "speaker_name": name,
        "target": target,
        "period": period,
        "period_start": start,
        "n_statements": n,
        "n_quotes": n // 2,
        "uncertain": n < 5,
        "mean_sentiment": sentiment,
        "mean_sentiment_low": sentiment - 0.2,
        "mean_sentiment_high": sentiment + 0.2,
        "net_stance": stance,
        "net_stance_low": stance - 0.3,
        "net_stance_high": stance + 0.3,
    }


MONTHS = [("2025-09", dt.date(2025, 9, 1)), ("2025-10", dt.date(2025, 10, 1)), ("2025-11", dt.date(2025, 11, 1))]


def two_speakers() -> pd.DataFrame:
    """Two speakers over three months; Peskov's October has no statements (NaN) and his November few."""
    rows = [row("putin", "Vladimir Putin", p, d, 0.1 * i, -0.2 * i) for i, (p, d) in enumerate(MONTHS)]
    rows += [
        row("peskov", "Dmitry Peskov", "2025-09", MONTHS[0][1], -0.3, 0.4),
        row("peskov", "Dmitry Peskov", "2025-10", MONTHS[1][1], NAN, NAN, n=0),
        row("peskov", "Dmitry Peskov", "2025-11", MONTHS[2][1], 0.2, 0.1, n=3),
    ]
    return pd.DataFrame(rows)


def links(svg: str) -> list[tuple[str, dict[str, str]]]:
    """(the raw href, its filter) of every link in the SVG."""
    found = []
    for element in ElementTree.fromstring(svg).iter():
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] == "href":
                assert value.startswith("#statements?"), value
                found.append((value, dict(parse_qsl(value.removeprefix("#statements?")))))
    return found


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in ElementTree.fromstring(svg).iter() if element.text]


def test_every_point_links_to_its_speaker_and_period():
    svg = time_chart(two_speakers(), TARGETS)
    assert safe_svg(svg) == svg
    found = links(svg)
    expected = {("putin", p) for p, _ in MONTHS} | {("peskov", "2025-09"), ("peskov", "2025-11")}
    assert {(f["speaker"], f["period"]) for _, f in found} == expected  # Peskov's empty October: no point
    assert all(set(f) == {"speaker", "period"} for _, f in found)
    # a point per (speaker, period) in each panel: mean sentiment and the one target's net stance
    assert len(found) == 2 * len(expected)
    shown = texts(svg)
    assert "Mean sentiment" in shown and f"Net stance toward {TARGETS['tomahawk']}" in shown
    assert {"Vladimir Putin", "Dmitry Peskov"} <= set(shown)  # the legend


def test_sentiment_is_drawn_once_per_speaker_and_period_whatever_the_targets():
    targets = {"tomahawk": "Tomahawks for Ukraine", "talks": "peace talks"}
    rows = [row("putin", "Vladimir Putin", p, d, 0.3, 0.1, target=t) for p, d in MONTHS for t in targets]
    svg = time_chart(pd.DataFrame(rows), targets)
    found = links(svg)
    assert len(found) == 3 * len(MONTHS)  # sentiment once, then each target's stance
    shown = texts(svg)
    panels = [text for text in shown if text == "Mean sentiment" or text.startswith("Net stance toward")]
    assert panels == ["Mean sentiment", "Net stance toward Tomahawks for Ukraine", "Net stance toward peace talks"]


def test_a_speaker_with_a_single_period_gets_a_point_and_its_interval():
    svg = time_chart(pd.DataFrame([row("lavrov", "Sergei Lavrov", "2025-W42", dt.date(2025, 10, 13), 0.5, -0.5)]), {})
    assert safe_svg(svg) == svg
    assert sorted(href for href, _ in links(svg)) == ["#statements?speaker=lavrov&period=2025-W42"] * 2
    # the interval as a rule (a band needs two points), in each panel; a target without text: its id
    root = ElementTree.fromstring(svg)
    rules = [e for e in root.iter() if e.get("aria-roledescription") == "rule mark" and "low:" in e.get("aria-label")]
    assert len(rules) == 2 and all(float(r.get("y2")) < 0 for r in rules)
    assert "13 Oct 2025" in texts(svg)  # the one period's tick, on a domain around it
    assert "Net stance toward tomahawk" in texts(svg)


def test_the_same_data_draws_the_same_bytes_in_any_row_order():
    periods = two_speakers()
    svg = time_chart(periods, TARGETS)
    assert time_chart(periods, TARGETS) == svg
    shuffled = periods.sample(frac=1, random_state=3).reset_index(drop=True)
    assert time_chart(shuffled, TARGETS) == svg


def test_categorical_ids_draw_like_strings():
    periods = two_speakers()
    categorical = periods.astype({"speaker": "category", "target": "category"})
    assert time_chart(categorical, TARGETS) == time_chart(periods, TARGETS)


def test_nothing_to_draw_gives_no_chart():
    assert time_chart(two_speakers().iloc[:0], TARGETS) == ""
    empty = pd.DataFrame([row("peskov", "Dmitry Peskov", p, d, NAN, NAN, n=0) for p, d in MONTHS])
    assert time_chart(empty, TARGETS) == ""


def test_a_hostile_name_is_text_never_markup():
    name = "<script>alert(1)</script> & Co"
    periods = two_speakers()
    periods.loc[periods["speaker"] == "peskov", "speaker_name"] = name
    svg = time_chart(periods, {"tomahawk": "<b>Tomahawks</b> & more"})
    assert safe_svg(svg) == svg
    root = ElementTree.fromstring(svg)
    assert not any(e.tag.rsplit("}", 1)[-1].lower() in ("script", "b") for e in root.iter())
    assert name in texts(svg)
    assert "Net stance toward <b>Tomahawks</b> & more" in texts(svg)
