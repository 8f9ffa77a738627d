"""Per-speaker aggregates: shares with Wilson intervals, mean sentiment with a seeded bootstrap."""

import numpy as np
import pandas as pd
import pytest

from stages.table import bootstrap_mean, speaker_summary, wilson


def test_wilson_interval_is_wide_for_two_statements_and_narrow_for_many():
    low, high = wilson(2, 2, 0.95)
    assert high == pytest.approx(1.0) and low < 0.35  # 2 of 2 in favour is far from decided
    low, high = wilson(200, 200, 0.95)
    assert low > 0.98
    assert np.isnan(wilson(0, 0, 0.95)).all()


def test_bootstrap_is_seeded_and_covers_the_mean():
    values = np.array([-0.8, -0.5, -0.2, 0.1, 0.4, -0.6, -0.3])
    first = bootstrap_mean(values, 0.95, 2000, 13)
    assert first == bootstrap_mean(values, 0.95, 2000, 13)
    assert first[0] < values.mean() < first[1]
    assert bootstrap_mean(np.array([0.7]), 0.95, 2000, 13) == (-1.0, 1.0)  # one value: no spread known


def test_speaker_with_two_statements_looks_uncertain(params):
    statements = pd.DataFrame({"speaker": ["peskov", "peskov"], "doc_id": ["a", "b"], "sentiment_score": [-0.9, -0.7]})
    stances = pd.DataFrame({"speaker": ["peskov", "peskov"], "target": ["tomahawk_transfer"] * 2, "stance": ["against"] * 2})
    table = speaker_summary(statements, stances, params).set_index("speaker")
    peskov = table.loc["peskov"]
    assert peskov.uncertain and peskov.n_statements == 2 and peskov.share_against == 1.0
    assert peskov.share_against_low < 0.35 and peskov.share_favor_high > 0.65
    trump = table.loc["trump"]
    assert trump.n_statements == 0 and np.isnan(trump.share_favor) and np.isnan(trump.mean_sentiment_low)
