"""Scoring statements: sentiment of each and its stance toward every target.

Two backends give the probabilities (`classify.backend`): the offline default (`HeadsBackend`),
where statements and their context go once through the packaged encoder and the heads are a matrix
product; and the hub backend (`hub`), a sentiment model and zero-shot stance through an NLI model.
Documents are scored in windows, so their texts share encoder batches.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from newsstance.schema import SENTIMENT_LABELS, STANCE_LABELS, STANCE_SCORES
from newsstance.scoring.context import Context, DocumentContext
from newsstance.scoring.heads import Head, embed_parts, features, parts_read


def low_margin(p: np.ndarray, margin: float) -> np.ndarray:
    top2 = np.sort(p, axis=1)[:, -2:]
    return (top2[:, 1] - top2[:, 0]) < margin


class HeadsBackend:
    """The offline default: packaged encoder embeddings through the heads the train stage fitted.
    Each head reads the parts of a statement's context its file names (meta "reads")."""

    def __init__(self, encoder, sentiment: Head, stance: Head, models: dict[str, str] | None = None):
        self.encoder, self.sentiment_head, self.stance_head = encoder, sentiment, stance
        self.reads = {
            head: list(h.meta.get("reads", ["statement"])) for head, h in (("sentiment", sentiment), ("stance", stance))
        }
        self._cache: tuple[list[str], list[Context], dict[str, np.ndarray]] | None = None
        self._targets: dict[str, np.ndarray] = {}
        self.models = models or {}  # role -> model id, for the outputs' provenance

    def parts(self, texts: list[str], contexts: list[Context]) -> dict[str, np.ndarray]:
        """Embeddings of every part either head reads; sentiment and every target share one pass."""
        if self._cache is None or self._cache[:2] != (texts, contexts):
            names = parts_read(self.reads["sentiment"], self.reads["stance"])
            context_max_length = self.stance_head.meta.get("context_max_length")  # as the heads were fitted
            self._cache = (
                list(texts),
                list(contexts),
                embed_parts(self.encoder, texts, contexts, names, context_max_length),
            )
        return self._cache[2]

    def sentiment(self, texts: list[str], contexts: list[Context]) -> np.ndarray:
        x = features(self.parts(texts, contexts), self.reads["sentiment"])
        p = self.sentiment_head.predict_proba(x)
        return p[:, [self.sentiment_head.classes.index(c) for c in SENTIMENT_LABELS]]

    def stance(self, texts: list[str], contexts: list[Context], target_text: str) -> np.ndarray:
        if target_text not in self._targets:  # encoded alone, once per process: the same vector for every document
            self._targets[target_text] = self.encoder.encode([target_text])[0]
        target = self._targets[target_text]
        x = features(self.parts(texts, contexts), self.reads["stance"], target)
        p = self.stance_head.predict_proba(x)
        return p[:, [self.stance_head.classes.index(c) for c in STANCE_LABELS]]


def classify(
    statements: pd.DataFrame, backend, targets: dict[str, str], margin: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (sentiment scores, stance scores) keyed by statement_id. `backend` gives probabilities in
    the order of SENTIMENT_LABELS and STANCE_LABELS. A statement without a `context` column is read on
    its own (its context is itself, as for the standalone labelled examples)."""
    ids = statements["statement_id"].tolist()
    texts = statements["content"].tolist()
    contexts = (
        [Context(*c) for c in statements["context"]] if "context" in statements else [Context("", "", t) for t in texts]
    )
    p = backend.sentiment(texts, contexts)
    neg, neu, pos = p[:, 0], p[:, 1], p[:, 2]
    sentiment_scores = pd.DataFrame(
        {
            "statement_id": ids,
            "sentiment": [SENTIMENT_LABELS[i] for i in p.argmax(1)],
            "sentiment_score": pos - neg,
            "p_negative": neg,
            "p_neutral": neu,
            "p_positive": pos,
            "sentiment_low_margin": low_margin(p, margin) if ids else np.zeros(0, bool),
        }
    )
    frames = []
    for target, target_text in targets.items():
        q = backend.stance(texts, contexts, target_text)
        against, neutral, favor = q[:, 0], q[:, 1], q[:, 2]
        frames.append(
            pd.DataFrame(
                {
                    "statement_id": ids,
                    "target": target,
                    "target_text": target_text,
                    "stance": [STANCE_LABELS[i] for i in q.argmax(1)],
                    "stance_score": favor - against,
                    "p_against": against,
                    "p_neutral": neutral,
                    "p_favor": favor,
                    "stance_low_margin": low_margin(q, margin) if ids else np.zeros(0, bool),
                }
            )
        )
    stance_scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STANCE_SCORES.names)
    return sentiment_scores, stance_scores


def document_item(doc_id: str, statements: Iterable[dict], text: str, title: str | None) -> dict:
    """What classify reads of a document: its statements (statements_raw rows), each with its
    context (headline, paragraph before, own paragraph, speaker)."""
    context = DocumentContext(text, title)
    return {
        "doc_id": doc_id,
        "statements": [
            {
                "statement_id": r["statement_id"],
                "content": r["content"],
                "context": context.at(r["content_start"], r["speaker_name"]).as_list(),
            }
            for r in statements
        ],
    }


# Statements classified together: the encoder batches texts across documents, which pads far less
# than one document at a time, and its batch shapes keep every text's embedding the same whichever
# documents share the window (newsstance.scoring.encoder.Encoder).
WINDOW_STATEMENTS = 1024


def windows(items: Iterable[dict], size: int, ramp: Iterable[int] = ()) -> Iterator[list[dict]]:
    """Consecutive documents, grouped until they hold at least `size` statements (the first windows:
    at least the sizes in `ramp`)."""
    sizes = chain(ramp, repeat(size))
    window, count, limit = [], 0, next(sizes)
    for item in items:
        window.append(item)
        count += len(item["statements"])
        if count >= limit:
            yield window
            window, count, limit = [], 0, next(sizes)
    if window:
        yield window


def classify_documents(
    items: Iterable[dict], backend, targets: dict[str, str], margin: float, window_statements: int = WINDOW_STATEMENTS
) -> Iterator[dict]:
    """Scores per document. Documents are classified a window at a time; a document's scores do not
    depend on the other documents in its window (a cached document and a fresh one agree exactly),
    so a document with more statements than a window (a transcript) is classified in windows of its
    own, which keeps the encoder's memory that of one window."""
    order = {target: k for k, target in enumerate(targets)}
    held = None  # the scores of a document's parts so far
    for window in windows((part for item in items for part in _parts(item, window_statements)), window_statements):
        statements = pd.DataFrame(
            [s for item in window for s in item["statements"]], columns=["statement_id", "content", "context"]
        )
        sentiment, stance = classify(statements, backend, targets, margin)
        n, start = len(statements), 0
        for item in window:
            end = start + len(item["statements"])
            held = held or {"doc_id": item["doc_id"], "sentiment": [], "stance": []}
            held["sentiment"] += sentiment.iloc[start:end].to_dict("records")
            # classify() gives stance target by target, each block in statement order
            held["stance"] += [
                r for k in range(len(targets)) for r in stance.iloc[k * n + start : k * n + end].to_dict("records")
            ]
            start = end
            if not item["more"]:
                held["stance"].sort(key=lambda row: order[row["target"]])  # stable: statement order within a target
                yield held
                held = None


def _parts(item: dict, size: int) -> Iterator[dict]:
    """A document's statements in parts of at most `size`; `more` says whether another part follows."""
    statements = item["statements"]
    for k in range(0, max(len(statements), 1), size):
        yield {"doc_id": item["doc_id"], "statements": statements[k : k + size], "more": k + size < len(statements)}
