"""Linear classification heads over sentence embeddings, stored as safetensors (no pickle).

Sentiment reads the statement alone. Stance reads the statement in light of the target: the features
are the statement embedding and its element-wise product with the target embedding, so one head
serves every target and a new target needs only its text and labelled examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from stages.io import atomic_path


def sentiment_features(texts: np.ndarray) -> np.ndarray:
    return texts


def stance_features(texts: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return np.hstack([texts, texts * targets])


@dataclass
class Head:
    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features)
    intercept: np.ndarray  # (n_classes,)
    meta: dict

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        logits = features.astype(np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def save(self, path: Path | str) -> None:
        # One metadata key: safetensors writes several keys in hash order, which changes the bytes.
        meta = {"newsstance": json.dumps({"classes": self.classes, "meta": self.meta}, sort_keys=True)}
        with atomic_path(path) as tmp:
            save_file({"coef": self.coef, "intercept": self.intercept}, str(tmp), metadata=meta)

    @classmethod
    def load(cls, path: Path | str) -> "Head":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            header = json.loads((f.metadata() or {})["newsstance"])
        tensors = load_file(str(path))
        return cls(header["classes"], tensors["coef"], tensors["intercept"], header["meta"])


def fit_head(features: np.ndarray, labels: list[str], classes: tuple[str, ...], C: float, max_iter: int, meta: dict) -> Head:
    """Multinomial logistic regression; lbfgs is deterministic for fixed inputs and one BLAS thread
    (with several, the order of float sums can follow the thread count, and the fit amplifies it)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    model = LogisticRegression(C=C, max_iter=max_iter)
    with threadpool_limits(limits=1):
        model.fit(features, labels)
    coef, intercept = model.coef_.astype(np.float64), model.intercept_.astype(np.float64)
    if coef.shape[0] == 1:  # two classes: sklearn keeps one row, for the second class
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    order = [list(model.classes_).index(c) for c in classes]
    return Head(list(classes), coef[order], intercept[order], meta)
