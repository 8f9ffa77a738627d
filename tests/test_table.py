"""Per-speaker aggregates: corrected shares and means with intervals, and the line that says how."""

import numpy as np
import pandas as pd
import pytest

from newsstance.analysis.aggregates import METHOD, METHOD_UNCALIBRATED
from newsstance.analysis.tables import speaker_summary

SPREADS = {"sentiment": np.array([0.1, 0.08, 0.05]), "stance": np.array([0.02, 0.02, 0.01])}


def _frames(n):
    statements = pd.DataFrame(
        {
            "speaker": ["peskov"] * n,
            "quote_id": [f"d{i}:0:10" for i in range(n)],
            "doc_id": [f"d{i}" for i in range(n)],
            "p_negative": [0.8] * n,
            "p_neutral": [0.15] * n,
            "p_positive": [0.05] * n,
        }
    )
    stances = pd.DataFrame(
        {
            "speaker": ["peskov"] * n,
            "quote_id": [f"d{i}:0:10" for i in range(n)],
            "target": ["tomahawk_transfer"] * n,
            "p_against": [0.7] * n,
            "p_neutral": [0.29] * n,
            "p_favor": [0.01] * n,
        }
    )
    return statements, stances


def test_speaker_with_two_statements_looks_uncertain(params):
    table = speaker_summary(*_frames(2), params, SPREADS).set_index("speaker")
    peskov = table.loc["peskov"]
    assert peskov.uncertain and peskov.n_statements == 2 and peskov.correction == METHOD
    assert peskov.share_against == pytest.approx(0.7)
    assert peskov.share_against_high - peskov.share_against_low > 0.5  # two statements decide little
    trump = table.loc["trump"]
    assert trump.n_statements == 0 and np.isnan(trump.share_favor) and np.isnan(trump.mean_sentiment_low)


def test_shares_and_means_come_from_the_probabilities_with_intervals_around_them(params):
    peskov = speaker_summary(*_frames(60), params, SPREADS).set_index("speaker").loc["peskov"]
    assert peskov.sentiment_negative == pytest.approx(0.8)
    assert peskov.sentiment_negative_low < 0.8 < peskov.sentiment_negative_high
    assert peskov.mean_sentiment == peskov.sentiment_positive - peskov.sentiment_negative
    assert peskov.net_stance_low <= peskov.net_stance <= peskov.net_stance_high < 0


def test_without_calibrated_heads_the_table_says_the_shares_are_mean_probabilities(params):
    peskov = speaker_summary(*_frames(10), params, None).set_index("speaker").loc["peskov"]
    assert peskov.correction == METHOD_UNCALIBRATED and peskov.sentiment_negative == 0.8
