"""Per-speaker shares from calibrated probabilities, with intervals that hold the classifier's error."""

import numpy as np
import pytest

from newsstance.analysis.aggregates import class_shares, difference, share_spread


def test_shares_are_mean_probabilities_with_a_seeded_interval_around_them():
    rng = np.random.default_rng(0)
    p = rng.dirichlet([4, 2, 1], 300)
    first, again = class_shares(p, None, 0.95, 500, 13), class_shares(p, None, 0.95, 500, 13)
    assert first.share == pytest.approx(p.mean(axis=0))
    assert np.array_equal(first.low, again.low) and np.array_equal(first.high, again.high)
    assert (first.low < first.share).all() and (first.share < first.high).all()
    net, low, high = difference(first, 2, 0, 0.95)
    assert net == pytest.approx(first.share[2] - first.share[0]) and low < net < high


def test_a_confident_classifier_still_gets_a_wide_interval_when_it_errs_by_speaker():
    p = np.tile([0.7, 0.2, 0.1], (400, 1))  # 400 statements, every one read as likely negative
    sampling = class_shares(p, None, 0.95, 500, 13)
    widened = class_shares(p, np.array([0.1, 0.08, 0.05]), 0.95, 500, 13)
    assert sampling.high[0] - sampling.low[0] < 0.1
    assert widened.high[0] - widened.low[0] > 0.3  # +-2 sd of the error on one speaker seen in calibration
    assert (widened.low >= 0).all() and (widened.high <= 1).all()


def test_no_statement_gives_nan():
    empty = class_shares(np.zeros((0, 3)), None, 0.95, 200, 13)
    assert np.isnan(empty.share).all() and np.isnan(difference(empty, 2, 0, 0.95)).all()


def test_share_spread_is_the_speaker_error_beyond_sampling_noise():
    rng = np.random.default_rng(1)
    honest = rng.dirichlet([2, 1, 1], 3000)  # calibrated on every speaker alike: labels drawn from them
    y = (rng.random(3000)[:, None] > np.cumsum(honest, axis=1)).sum(axis=1).clip(max=2)
    groups = [f"s{i % 6}" for i in range(3000)]
    biased = honest.copy()
    for g in range(6):  # each speaker read 10 points too negative or too neutral
        rows = np.array([x == f"s{g}" for x in groups])
        biased[rows] += (0.1 if g % 2 else -0.1) * np.array([1.0, -1.0, 0.0])
    assert share_spread(honest, y, groups).max() < 0.03
    assert share_spread(biased, y, groups)[0] == pytest.approx(0.1, abs=0.02)


def test_the_interval_is_that_of_resampling_statements_and_drawing_their_labels():
    """One multinomial draw per resample stands for resampling the statements and drawing each
    one's label from its probabilities: the two give the same interval, up to simulation noise."""
    rng = np.random.default_rng(2)
    p = rng.dirichlet([0.3, 0.3, 0.3], 200)  # confident and mixed statements
    cumulative, brute = np.cumsum(p, axis=1), []
    for _ in range(4000):
        rows = rng.integers(0, len(p), len(p))
        labels = (rng.random(len(p))[:, None] > cumulative[rows]).sum(axis=1).clip(max=2)
        brute.append(np.bincount(labels, minlength=3) / len(p))
    low, high = np.quantile(brute, [0.025, 0.975], axis=0)
    shares = class_shares(p, None, 0.95, 4000, 13)
    assert shares.low == pytest.approx(low, abs=0.01) and shares.high == pytest.approx(high, abs=0.01)
