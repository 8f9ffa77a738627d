"""The hub backend's loading and label mapping, on tiny random models built and saved here."""

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

from newsstance.config import ConfigError, HubParams
from newsstance.scoring.hub import HubBackend, SequenceClassifier, label_columns, softmax

WORDS = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "speaker",
    "supports",
    "opposes",
    "takes",
    "no",
    "position",
    "on",
    "missiles",
    "war",
    "peace",
    "talks",
    "send",
    ".",
]


def tiny_classifier(folder, id2label: dict[int, str], bias: list[float] | None = None) -> str:
    folder.mkdir()
    (folder / "vocab.txt").write_text("\n".join(WORDS) + "\n")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    if bias is not None:  # a model that always answers the same, whatever the text
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("hub")
    return {
        # label order differs from ours, and the model always says "POS"
        "sentiment": tiny_classifier(root / "sentiment", {0: "POS", 1: "NEG", 2: "NEU"}, bias=[6.0, 0.0, 0.0]),
        "nli": tiny_classifier(root / "nli", {0: "contradiction", 1: "neutral", 2: "entailment"}),
        "two_labels": tiny_classifier(root / "sst2", {0: "LABEL_0", 1: "LABEL_1"}, bias=[0.0, 3.0]),
    }


def test_sentiment_labels_are_mapped_by_name_not_position(models):
    backend = HubBackend(HubParams(sentiment_model=models["sentiment"], nli_model=models["nli"]))
    p = backend.sentiment(["the war", "peace talks", "send the missiles"])
    assert p.shape == (3, 3) and np.allclose(p.sum(axis=1), 1.0)
    assert (p.argmax(axis=1) == 2).all()  # our column 2 is positive


def test_explicit_label_map_and_a_model_without_neutral(models):
    backend = HubBackend(
        HubParams(
            sentiment_model=models["two_labels"],
            nli_model=models["nli"],
            sentiment_labels={"label_0": "negative", "label_1": "positive"},
        )
    )
    p = backend.sentiment(["peace talks"])
    assert p[0, 1] == 0.0 and p[0, 2] > p[0, 0]


def test_zero_shot_stance_is_the_softmax_of_entailment_logits(models):
    params = HubParams(sentiment_model=models["sentiment"], nli_model=models["nli"])
    backend = HubBackend(params)
    texts = ["send the missiles", "peace talks on the war"]
    p = backend.stance(texts, None, "the missiles")
    nli = SequenceClassifier(models["nli"], 64, 4)
    expected = softmax(
        np.stack(
            [
                nli.logits(texts, [params.hypotheses[label].format(target="the missiles")] * 2)[:, 2]
                for label in ("against", "neutral", "favor")
            ],
            axis=1,
        )
    )
    assert np.allclose(p, expected)


def test_unmappable_labels_are_a_configuration_error():
    with pytest.raises(ConfigError, match="sentiment_labels"):
        label_columns(["label_0", "label_1"], {})
