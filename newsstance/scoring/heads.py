"""Linear classification heads over sentence embeddings, stored as safetensors (no pickle).

A head reads the statement and parts of its context (headline, paragraph before, own paragraph,
speaker); stance reads them in light of the target, through their element-wise products with the
target's embedding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import numpy as np
from safetensors.numpy import load_file, save

from newsstance.config import HeadPart

# What a head can read of a statement (config.HeadPart). Each head reads the parts
# `train.<head>_reads` names and records them in its file, so classify builds the same features.
PARTS: tuple[str, ...] = get_args(HeadPart)


def parts_read(*reads: list[str]) -> list[str]:
    """The parts any of these heads reads, in PARTS order: what one encoder pass must embed."""
    return [p for p in PARTS if any(p in r for r in reads)]


def embed_parts(
    encoder, statements: list[str], contexts: list, names, context_max_length: int | None = None
) -> dict[str, np.ndarray]:
    """{part: embeddings} for the statements and their contexts, in one encoder pass. Statements are
    encoded whole, the context parts truncated to context_max_length tokens; each distinct text is
    encoded once and an empty part is zeros."""
    columns = {name: statements if name == "statement" else [getattr(c, name) for c in contexts] for name in names}
    limit = {
        name: encoder.max_length if name == "statement" else context_max_length or encoder.max_length for name in names
    }
    distinct = sorted({(t, limit[name]) for name in names for t in columns[name] if t})
    emb = dict(zip(distinct, encoder.encode([t for t, _ in distinct], [n for _, n in distinct]))) if distinct else {}
    zero = np.zeros(encoder.dim, np.float32)
    return {
        name: np.stack([emb[(t, limit[name])] if t else zero for t in columns[name]])
        if columns[name]
        else np.zeros((0, encoder.dim), np.float32)
        for name in names
    }


def features(parts: dict[str, np.ndarray], reads: list[str], target: np.ndarray | None = None) -> np.ndarray:
    """The embeddings of the parts a head reads, side by side (zeros where a part is empty). For
    stance, each also multiplied element-wise by the target's embedding: one head serves every
    target, and a new target needs only its text and labelled examples."""
    columns = [parts[name] for name in reads]
    if target is not None:
        columns += [column * target for column in columns]
    return np.hstack(columns)


@dataclass
class Head:
    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features)
    intercept: np.ndarray  # (n_classes,)
    meta: dict

    def logits(self, features: np.ndarray) -> np.ndarray:
        # einsum, not BLAS: a BLAS product may sum a row differently for another number of rows, and
        # a statement's scores must not depend on how many were classified with it.
        return np.einsum("nf,cf->nc", features.astype(np.float64), self.coef) + self.intercept

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        logits = self.logits(features)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def to_bytes(self) -> bytes:
        """The safetensors file. One metadata key: safetensors writes several keys in hash order,
        which changes the bytes."""
        meta = {"newsstance": json.dumps({"classes": self.classes, "meta": self.meta}, sort_keys=True)}
        return save({"coef": self.coef, "intercept": self.intercept}, metadata=meta)

    @classmethod
    def load(cls, path: Path | str) -> "Head":
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            header = json.loads((f.metadata() or {})["newsstance"])
        tensors = load_file(str(path))
        return cls(header["classes"], tensors["coef"], tensors["intercept"], header["meta"])


def fit_head(
    features: np.ndarray, labels: list[str], classes: tuple[str, ...], C: float, max_iter: int, meta: dict
) -> Head:
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
