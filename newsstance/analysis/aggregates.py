"""A group's class shares from its statements' calibrated probabilities, with honest intervals.

Counting a speaker's argmax labels undercounts whatever the classifier hesitates on. The mean of
probabilities calibrated on real news (newsstance.scoring.calibration) counts each statement by how likely each
class is, and the calibration has already moved the heads from their training balance to real news'
(Bella et al. 2010, "Quantification via probability estimators"). EM re-estimation of each group's
priors (Saerens et al. 2002) was measured too and lost: benchmarks/README.md has the figures.

The interval resamples the statements, draws each one's label from its probability, and adds the
spread of per-speaker errors the heads showed on the calibration set, so it holds the sampling
spread, the classifier's per-statement uncertainty and its systematic error on one speaker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHOD = (
    "Shares are the mean of probabilities calibrated on real news; intervals resample statements, draw each "
    "label from its probability and add the per-speaker error the classifier showed on the calibration set."
)
# The hub backend's models are not calibrated here.
METHOD_UNCALIBRATED = (
    "Shares are the mean of the classifier's probabilities, not calibrated on real news; intervals "
    "resample statements and draw each label from its probability."
)


@dataclass(frozen=True)
class Shares:
    share: np.ndarray  # (k,) class shares
    low: np.ndarray  # (k,) interval bounds
    high: np.ndarray
    draws: np.ndarray  # (resamples, k): for a difference of two shares (net stance, mean sentiment)


def class_shares(p: np.ndarray, spread: np.ndarray | None, confidence: float, resamples: int, seed: int) -> Shares:
    """Shares of a group's statements (rows of p) with a percentile interval. `spread`: the standard
    deviation, per class, of a speaker's share error on the calibration set (None: not known)."""
    k = p.shape[1]
    if len(p) == 0:
        nan = np.full(k, np.nan)
        return Shares(nan, nan, nan, np.full((0, k), np.nan))
    rng = np.random.default_rng(seed)
    # Resampling n statements and drawing each one's label from its probabilities draws n labels
    # independently from the mean of the probabilities: one multinomial draw per resample, whose
    # cost does not grow with the group (a re-run after one changed document recomputes every
    # speaker's interval).
    mean = p.mean(axis=0)
    draws = rng.multinomial(len(p), mean / mean.sum(), size=resamples) / len(p)
    if spread is not None:
        draws = (draws + rng.normal(0.0, 1.0, draws.shape) * spread).clip(0.0, 1.0)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(draws, [alpha, 1 - alpha], axis=0)
    return Shares(p.mean(axis=0), low, high, draws)


def difference(shares: Shares, plus: int, minus: int, confidence: float) -> tuple[float, float, float]:
    """(share[plus] - share[minus], interval low, high): net stance, or mean sentiment."""
    if not len(shares.draws):
        return np.nan, np.nan, np.nan
    alpha = (1 - confidence) / 2
    low, high = np.quantile(shares.draws[:, plus] - shares.draws[:, minus], [alpha, 1 - alpha])
    return float(shares.share[plus] - shares.share[minus]), float(low), float(high)


def share_spread(p: np.ndarray, y: np.ndarray, groups: list[str], min_size: int = 5) -> np.ndarray:
    """Per class, the standard deviation of a group's share error (mean probability - true share) left
    once its sampling variance is taken out: how far off one speaker's shares can be beyond chance."""
    k = p.shape[1]
    errors, sampling = [], []
    for group in sorted(set(groups)):
        rows = np.array([g == group for g in groups])
        if rows.sum() < min_size:
            continue
        truth = np.bincount(y[rows], minlength=k) / rows.sum()
        errors.append(p[rows].mean(axis=0) - truth)
        sampling.append(truth * (1 - truth) / rows.sum())
    if not errors:
        return np.zeros(k)
    return np.sqrt(np.maximum(np.mean(np.square(errors), axis=0) - np.mean(sampling, axis=0), 0.0))
