"""Calibration on real news: temperature and class biases folded into a head, and the ECE that scores it."""

import numpy as np
import pytest

from newsstance.scoring.calibration import calibrated, expected_calibration_error, fit_temperature_bias, share_spread_of
from newsstance.scoring.heads import Head


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _sample(logits, rng):
    p = _softmax(logits)
    return (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(max=p.shape[1] - 1)


def test_an_overconfident_head_trained_on_balanced_labels_gets_its_temperature_and_prior_back():
    rng = np.random.default_rng(0)
    raw = rng.normal(0, 3, (6000, 3))  # what the head says
    truth = raw / 2.5 + np.array([0.0, -0.8, -1.5])  # the labels follow a softer, shifted softmax
    y = _sample(truth, rng)
    temperature, bias = fit_temperature_bias(raw, y)
    assert temperature == pytest.approx(2.5, rel=0.1)
    assert bias[0] == 0.0 and bias[1:] == pytest.approx([-0.8, -1.5], abs=0.15)


def test_the_calibrated_head_is_an_ordinary_head_with_rescaled_coefficients():
    rng = np.random.default_rng(1)
    head = Head(["negative", "neutral", "positive"], rng.normal(size=(3, 4)), rng.normal(size=3), {"head": "sentiment"})
    x = rng.normal(size=(10, 4))
    spread = {"calibration": {"share_spread": {"negative": 0.1, "neutral": 0.08, "positive": 0.05}}}
    new = calibrated(head, 2.0, np.array([0.0, 0.3, -0.2]), spread)
    assert np.allclose(new.predict_proba(x), _softmax(head.logits(x) / 2.0 + np.array([0.0, 0.3, -0.2])))
    assert new.meta["head"] == "sentiment"
    assert share_spread_of(new).tolist() == [0.1, 0.08, 0.05]
    assert share_spread_of(head) is None  # not calibrated: no error spread known


def test_ece_is_small_for_calibrated_probabilities_and_large_for_overconfident_ones():
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 2, (20000, 3))
    y = _sample(logits, rng)
    assert expected_calibration_error(_softmax(logits), y) < 0.02
    assert expected_calibration_error(_softmax(logits * 4), y) > 0.1
    assert np.isnan(expected_calibration_error(np.zeros((0, 3)), np.zeros(0, int)))


def test_a_head_without_fitted_biases_gets_a_temperature_only():
    rng = np.random.default_rng(3)
    raw = rng.normal(0, 3, (6000, 3))
    y = _sample(raw / 2.0 + np.array([0.0, 1.0, -1.0]), rng)  # a shifted prior it must not learn
    temperature, bias = fit_temperature_bias(raw, y, bias=False)
    assert bias.tolist() == [0.0, 0.0, 0.0] and 1.5 < temperature < 3.0
