"""The hub backend: a sentiment classifier and zero-shot stance through an NLI model.

For users whose machines reach the Hugging Face hub (or who keep models in a folder). Both models load
with `AutoModelForSequenceClassification`; their own label names are mapped onto ours:

* sentiment: `classify.hub.sentiment_labels` maps a model label (lower case) to negative / neutral /
  positive; other labels are matched by their first three letters. A class the model lacks (a
  two-label model has no neutral) gets probability 0.
* stance: one hypothesis per class, filled with the target's text ("The speaker opposes the US
  supplying Tomahawk missiles to Ukraine."), is paired with the statement; the class probabilities
  are the softmax over the three entailment logits, as in zero-shot classification.
"""

from __future__ import annotations

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from newsstance.config import ConfigError, HubParams
from newsstance.schema import SENTIMENT_LABELS, STANCE_LABELS
from newsstance.scoring.encoder import resolve_model


class SequenceClassifier:
    """A transformers sequence-classification model, batched, in inference mode."""

    def __init__(self, spec: str, max_length: int, batch_size: int):
        location = resolve_model(spec)
        self.tokenizer = AutoTokenizer.from_pretrained(location)
        self.model = AutoModelForSequenceClassification.from_pretrained(location, use_safetensors=True)  # no pickle
        self.model.eval()
        self.labels = [str(self.model.config.id2label[i]).lower() for i in range(self.model.config.num_labels)]
        self.max_length = max_length
        self.batch_size = batch_size

    def logits(self, texts: list[str], pairs: list[str] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        with torch.inference_mode():
            for b in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(
                    texts[b : b + self.batch_size],
                    pairs[b : b + self.batch_size] if pairs is not None else None,
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                out[b : b + self.batch_size] = self.model(**batch).logits.double().numpy()
        return out


def softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def label_columns(model_labels: list[str], mapping: dict[str, str]) -> dict[str, list[int]]:
    """For each of our sentiment labels, the model's output columns that mean it."""
    columns: dict[str, list[int]] = {label: [] for label in SENTIMENT_LABELS}
    for i, name in enumerate(model_labels):
        ours = mapping.get(name) or next((label for label in SENTIMENT_LABELS if name.startswith(label[:3])), None)
        if ours is not None:
            columns[ours].append(i)
    if not any(columns.values()):
        raise ConfigError(
            f"sentiment model labels {model_labels} map to none of {SENTIMENT_LABELS}: set classify.hub.sentiment_labels"
        )
    return columns


def entailment_column(model_labels: list[str]) -> int:
    found = [i for i, name in enumerate(model_labels) if name.startswith("entail")]
    if len(found) != 1:
        raise ConfigError(f"NLI model labels {model_labels} have no single entailment label")
    return found[0]


class HubBackend:
    """Sentiment and stance probabilities, in the column order of SENTIMENT_LABELS and STANCE_LABELS."""

    def __init__(self, params: HubParams):
        self.params = params
        self.sentiment_model = SequenceClassifier(params.sentiment_model, params.max_length, params.batch_size)
        self.columns = label_columns(self.sentiment_model.labels, params.sentiment_labels)
        self.nli_model = SequenceClassifier(params.nli_model, params.max_length, params.batch_size)
        self.entailment = entailment_column(self.nli_model.labels)
        self.models = {"sentiment": params.sentiment_model, "nli": params.nli_model}  # provenance

    def sentiment(self, texts: list[str], contexts=None) -> np.ndarray:
        """Hub models read the statement alone; `contexts` is accepted for the backends' shared call."""
        p = softmax(self.sentiment_model.logits(texts)) if texts else np.zeros((0, len(self.sentiment_model.labels)))
        out = np.stack([p[:, cols].sum(axis=1) for cols in self.columns.values()], axis=1)
        return out / np.clip(out.sum(axis=1, keepdims=True), 1e-12, None)

    def stance(self, texts: list[str], contexts, target_text: str) -> np.ndarray:
        scores = []
        for label in STANCE_LABELS:
            hypothesis = self.params.hypotheses[label].format(target=target_text)
            logits = self.nli_model.logits(texts, [hypothesis] * len(texts)) if texts else np.zeros((0, 3))
            scores.append(logits[:, self.entailment])
        return softmax(np.stack(scores, axis=1)) if texts else np.zeros((0, len(STANCE_LABELS)))
