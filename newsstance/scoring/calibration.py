"""Calibrated probabilities: a head's logits rescaled on labelled real news, and how far off they are.

The heads are fitted on invented labels with balanced classes, where real statements run about
55 / 30 / 15 % negative / neutral / positive and are mostly neutral on a stance target. A
temperature (how confident) and a bias per class (which prior) fitted on real labelled statements
make p(class) mean what it says; both fold into the head's own coefficients, so a calibrated head is
an ordinary head and classify costs the same (Guo et al. 2017, "On calibration of modern neural
networks", with the bias of their vector scaling). A stance prior belongs to a corpus's topics more
than to the head (the calibration set is 98 % neutral on the missiles, coverage of the missile debate
is not), so `train.fit_bias` names the heads whose biases are fitted; the others get a temperature.
"""

from __future__ import annotations

import numpy as np

from newsstance.scoring.heads import Head


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def fit_temperature_bias(logits: np.ndarray, y: np.ndarray, bias: bool = True) -> tuple[float, np.ndarray]:
    """(temperature, bias) minimising the negative log-likelihood of softmax(logits / T + b) on the
    labels y (class indices). The first class's bias is 0 (softmax ignores a common shift); without
    `bias`, every bias is 0 and only the temperature is fitted."""
    from scipy.optimize import minimize

    k = logits.shape[1]

    def nll(theta: np.ndarray) -> float:
        z = logits / np.exp(theta[0]) + (np.concatenate([[0.0], theta[1:]]) if bias else 0.0)
        return -float(_log_softmax(z)[np.arange(len(y)), y].mean())

    result = minimize(nll, np.zeros(k if bias else 1), method="L-BFGS-B")
    return float(np.exp(result.x[0])), np.concatenate([[0.0], result.x[1:]]) if bias else np.zeros(k)


def calibrated(head: Head, temperature: float, bias: np.ndarray, meta: dict) -> Head:
    """The head whose probabilities are softmax(logits / temperature + bias)."""
    return Head(head.classes, head.coef / temperature, head.intercept / temperature + bias, {**head.meta, **meta})


def share_spread_of(head: Head) -> np.ndarray | None:
    """Per class, the spread of one speaker's share error on the set the head was calibrated on (in
    its class order); None for a head that was not calibrated."""
    spread = head.meta.get("calibration", {}).get("share_spread")
    return np.array([spread[c] for c in head.classes]) if spread else None


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: the gap between confidence and accuracy, averaged over equal-width confidence
    bins weighted by their share of the statements."""
    if len(y) == 0:
        return float("nan")
    confidence, correct = p.max(axis=1), p.argmax(axis=1) == y
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(correct[which == b].mean() - confidence[which == b].mean()) * (which == b).mean()
            for b in range(bins)
            if (which == b).any()
        )
    )
