import json
import logging

import numpy as np
from conftest import ROOT

from newsstance.config import load_params
from newsstance.scoring.backends import HeadsBackend, classify, low_margin
from newsstance.scoring.encoder import encoder_args
from newsstance.scoring.heads import PARTS, Head, fit_head, parts_read
from newsstance.scoring.training import train
from stages import train as train_stage
from stages.encoder import get_encoder
from stages.layout import Layout


def test_head_round_trips_through_safetensors_without_pickle(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    y = ["a" if v > 0 else "b" for v in x[:, 0]]
    head = fit_head(x, y, ("a", "b"), C=1.0, max_iter=500, meta={"encoder": "test"})
    path = tmp_path / "h.safetensors"
    path.write_bytes(head.to_bytes())
    raw = path.read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    json.loads(raw[8 : 8 + header_len])  # a JSON header, then raw arrays: nothing to unpickle
    loaded = Head.load(path)
    assert loaded.classes == ["a", "b"] and loaded.meta == {"encoder": "test"}
    p = loaded.predict_proba(x)
    assert np.allclose(p.sum(1), 1.0)
    assert np.allclose(p, head.predict_proba(x))
    assert (np.array(loaded.classes)[p.argmax(1)] == np.array(y)).mean() > 0.9


def test_one_encoder_pass_embeds_every_part_either_head_reads_once_in_a_fixed_order():
    assert parts_read(["paragraph", "statement"], ["speaker", "statement", "headline"]) == [
        "statement",
        "paragraph",
        "headline",
        "speaker",
    ]
    assert parts_read(["statement"], []) == ["statement"]
    assert parts_read(list(reversed(PARTS))) == list(PARTS)


def test_low_margin_flags_close_calls():
    p = np.array([[0.5, 0.45, 0.05], [0.8, 0.1, 0.1]])
    assert low_margin(p, 0.15).tolist() == [True, False]


def write_labels(tmp_path):
    sentiment = [
        ("We are grateful and hopeful that peace is near.", "positive"),
        ("This is a wonderful day for our friendship.", "positive"),
        ("I am delighted with the progress of the talks.", "positive"),
        ("The meeting is scheduled for Tuesday in Geneva.", "neutral"),
        ("The delegation will travel by train.", "neutral"),
        ("The report has forty pages and three annexes.", "neutral"),
        ("This reckless provocation will end in disaster.", "negative"),
        ("We condemn these brutal and cowardly attacks.", "negative"),
        ("The threats are outrageous and dangerous.", "negative"),
    ]
    stance = [
        ("Washington should send the Tomahawks to Kyiv now.", "favor"),
        ("Ukraine needs long-range American cruise missiles.", "favor"),
        ("We will supply the Tomahawk missiles if the war continues.", "favor"),
        ("Sending Tomahawks would be a dangerous escalation.", "against"),
        ("The US must not give Ukraine long-range missiles.", "against"),
        ("Tomahawk deliveries would destroy relations with Moscow.", "against"),
        ("The harvest was good this year.", "neutral"),
        ("Interest rates were left unchanged.", "neutral"),
        ("The football final was postponed because of rain.", "neutral"),
    ]
    (tmp_path / "s.jsonl").write_text("\n".join(json.dumps({"text": t, "label": label}) for t, label in sentiment))
    (tmp_path / "t.jsonl").write_text(
        "\n".join(json.dumps({"text": t, "target": "tomahawk_transfer", "label": label}) for t, label in stance)
    )
    # Two passages: the same remark, against in a story on the missiles and neutral in one on oil.
    passages = [
        {
            "id": "m",
            "headline": "Kremlin warns Washington over Tomahawk missiles for Kyiv",
            "paragraphs": [
                "Washington is weighing Tomahawk deliveries to Ukraine.",
                '"We will find an answer," Peskov said.',
            ],
            "statements": [
                {
                    "paragraph": 1,
                    "speaker": "Dmitry Peskov",
                    "text": "We will find an answer",
                    "sentiment": "negative",
                    "stance": {"tomahawk_transfer": "against"},
                }
            ],
        },
        {
            "id": "o",
            "headline": "Oil exporters meet as prices slide",
            "paragraphs": ["Crude fell for a third week.", '"We will find an answer," the minister said.'],
            "statements": [
                {
                    "paragraph": 1,
                    "speaker": "Alexander Novak",
                    "text": "We will find an answer",
                    "sentiment": "neutral",
                    "stance": {"tomahawk_transfer": "neutral"},
                }
            ],
        },
    ]
    (tmp_path / "p.jsonl").write_text("\n".join(json.dumps(p) for p in passages))
    # A real-news folder in miniature (data/real's layout): one article, its gold statements.
    article = (
        "Kremlin warns over missiles\n"
        "Peskov said the missiles would be a dangerous provocation.\n"
        "Zelensky thanked the allies for their wonderful support.\n"
        "Peskov said the meeting was scheduled for Tuesday.\n"
        "Zelensky said Ukraine needs the Tomahawks now.\n"
    )
    gold = [
        ("peskov", "Peskov said the missiles would be a dangerous provocation.", "negative", "against"),
        ("zelensky", "Zelensky thanked the allies for their wonderful support.", "positive", "neutral"),
        ("peskov", "Peskov said the meeting was scheduled for Tuesday.", "neutral", "neutral"),
        ("zelensky", "Zelensky said Ukraine needs the Tomahawks now.", "neutral", "favor"),
    ]
    (tmp_path / "real" / "articles").mkdir(parents=True)
    (tmp_path / "real" / "gold").mkdir()
    (tmp_path / "real" / "articles" / "a.txt").write_text(article, encoding="utf-8")
    (tmp_path / "real" / "gold" / "statements.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "doc": "a",
                    "speaker": who,
                    "sentence": text,
                    "sentiment": tone,
                    "ambiguous": False,
                    "stance_target": "the US supplying Tomahawk missiles to Ukraine",
                    "stance": stance,
                }
            )
            + "\n"
            for who, text, tone, stance in gold
        ),
        encoding="utf-8",
    )
    params_text = (ROOT / "params.yaml").read_text()
    params_text = params_text.replace("data/labels/sentiment.jsonl", str(tmp_path / "s.jsonl"))
    params_text = params_text.replace("data/labels/stance.jsonl", str(tmp_path / "t.jsonl"))
    params_text = params_text.replace("data/labels/passages.jsonl", str(tmp_path / "p.jsonl"))
    params_text = params_text.replace("real_labels: data/real/train", f"real_labels: {tmp_path / 'real'}")
    params_text = params_text.replace("calibration: data/real/dev", f"calibration: {tmp_path / 'real'}")
    params_text = params_text.replace("cv_folds: 5", "cv_folds: 3")
    params_text = params_text.replace("C: 0.5", "C: 4.0")  # 20 examples: the repo's regularisation is for 2,000
    (tmp_path / "params.yaml").write_text(params_text)
    for companion in ("roster.yaml", "lexicon.yaml"):
        (tmp_path / companion).write_text((ROOT / companion).read_text())
    return load_params(tmp_path / "params.yaml")


def test_training_is_deterministic_and_heads_classify_statements(tmp_path, params):
    small = write_labels(tmp_path)
    encoder = get_encoder(*encoder_args(small.encoder))
    sentiment_a, stance_a, metrics = train(small, encoder)
    sentiment_b, stance_b, _ = train(small, encoder)
    assert np.array_equal(sentiment_a.coef, sentiment_b.coef) and np.array_equal(stance_a.coef, stance_b.coef)
    assert 0.0 <= metrics["sentiment"]["cv_macro_f1"] <= 1.0 and metrics["stance"]["n_examples"] == 15
    assert metrics["stance"]["n_in_passages"] == 2 and stance_a.meta["reads"] == small.train.stance_reads
    assert metrics["sentiment"]["n_real"] == metrics["stance"]["n_real"] == 4
    # calibrated on the real folder: class biases for sentiment, a temperature only for stance
    assert metrics["sentiment"]["calibration"]["n"] == 4 and metrics["stance"]["calibration"]["bias"] == [0.0] * 3
    assert sentiment_a.meta["calibration"]["temperature"] == metrics["sentiment"]["calibration"]["temperature"]

    import pandas as pd

    statements = pd.DataFrame(
        {
            "statement_id": ["a", "b"],
            "content": [
                "The Tomahawks must go to Ukraine without delay.",
                "Supplying those missiles would be a catastrophic provocation.",
            ],
        }
    )
    encoder = get_encoder(*encoder_args(small.encoder))
    sent, stance = classify(statements, HeadsBackend(encoder, sentiment_a, stance_a), small.targets, 0.15)
    assert np.allclose(sent[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1.0)
    assert np.allclose(sent["sentiment_score"], sent["p_positive"] - sent["p_negative"])
    assert stance["target"].tolist() == ["tomahawk_transfer"] * 2
    assert stance["stance"].tolist() == ["favor", "against"]


def test_saved_head_bytes_do_not_depend_on_the_process(tmp_path):
    """DVC hashes the head files: the same head must always give the same bytes."""
    head = Head(["a", "b", "c"], np.eye(3), np.zeros(3), {"encoder": "x", "head": "sentiment", "max_length": 8})
    blobs = set()
    for i in range(12):
        (tmp_path / f"h{i}.safetensors").write_bytes(head.to_bytes())
        blobs.add((tmp_path / f"h{i}.safetensors").read_bytes())
    assert len(blobs) == 1


def test_embed_parts_truncates_context_only_and_does_not_depend_on_statement_order(params):
    from newsstance.scoring.context import Context
    from newsstance.scoring.encoder import encoder_args
    from newsstance.scoring.heads import embed_parts
    from stages.encoder import get_encoder

    encoder = get_encoder(*encoder_args(params.encoder))
    paragraph = "Moscow warned on Monday that long-range missiles would change everything. " * 6
    statements = ["We will respond.", "The missiles would change everything for the worse, officials said at length."]
    contexts = [Context("Kremlin warns", "", paragraph, "Dmitry Peskov"), Context("", "", "", "")]
    names = ["statement", "paragraph", "headline", "speaker"]
    parts = embed_parts(encoder, statements, contexts, names, context_max_length=8)
    assert np.allclose(parts["paragraph"][0], encoder.encode([paragraph], 8)[0], atol=1e-6)
    assert not np.allclose(parts["paragraph"][0], encoder.encode([paragraph])[0], atol=1e-3)
    assert np.allclose(parts["statement"][1], encoder.encode([statements[1]])[0], atol=1e-6)  # never truncated
    assert not parts["headline"][1].any() and not parts["speaker"][1].any()  # empty parts are zeros
    flipped = embed_parts(encoder, statements[::-1], contexts[::-1], names, context_max_length=8)
    for name in names:
        assert np.array_equal(flipped[name][::-1], parts[name])


def test_a_documents_scores_do_not_depend_on_the_documents_classified_with_it(params):
    """classify batches texts across a window of documents; the cache needs each document's scores
    to be exactly those it gets alone."""
    from newsstance.scoring.backends import classify_documents
    from newsstance.scoring.encoder import encoder_args
    from stages.encoder import get_encoder

    encoder = get_encoder(*encoder_args(params.encoder))
    rng = np.random.default_rng(1)
    sentiment = Head(
        ["negative", "neutral", "positive"],
        rng.normal(size=(3, 2 * 384)),
        np.zeros(3),
        {"reads": ["statement", "paragraph"], "context_max_length": 16},
    )
    stance = Head(
        ["against", "neutral", "favor"],
        rng.normal(size=(3, 2 * 3 * 384)),
        np.zeros(3),
        {"reads": ["statement", "paragraph", "speaker"], "context_max_length": 16},
    )
    backend = HeadsBackend(encoder, sentiment, stance)
    remarks = [
        "We will respond.",
        "The missiles must go to Kyiv without delay, the minister told reporters on Monday.",
        "Talks are going well.",
        "Nobody wants an escalation.",
        "That would be a mistake.",
    ]
    documents = [
        {
            "doc_id": f"d{d}",
            "statements": [
                {
                    "statement_id": f"d{d}s{i}",
                    "content": text,
                    "context": ["Headline", "", f"Paragraph {d}: {text}", "Dmitry Peskov"],
                }
                for i, text in enumerate(remarks[d:] + remarks[:d][: d % 3])
            ],
        }
        for d in range(4)
    ]
    targets = {"a": "the US supplying Tomahawk missiles to Ukraine", "b": "a ceasefire"}
    together = list(classify_documents(documents, backend, targets, 0.15, window_statements=100))
    alone = [r for d in documents for r in classify_documents([d], backend, targets, 0.15)]
    assert [r["doc_id"] for r in together] == [d["doc_id"] for d in documents]
    assert together == alone
    assert [s["target"] for s in together[1]["stance"]] == ["a"] * 5 + ["b"] * 5
    # A document with more statements than a window (a transcript) is classified in windows of its
    # own, parts of other documents' windows included: the same scores, in the same order.
    in_parts = list(classify_documents(documents, backend, targets, 0.15, window_statements=2))
    assert in_parts == alone


def test_heads_are_fitted_once_per_machine_and_shared_by_output_folders(tmp_path, caplog):
    """`newsstance run` into a new folder takes the heads fitted from the same inputs before."""
    small, store = write_labels(tmp_path), tmp_path / "store"
    first, second = tmp_path / "first", tmp_path / "second"
    with caplog.at_level(logging.INFO, logger="newsstance"):
        train_stage.run(first / "models", first / "m.json", small, store)
        assert "taken from" not in caplog.text
        train_stage.run(second / "models", second / "m.json", small, store)
    assert f"taken from {store}" in caplog.text
    for name in ("models/sentiment.safetensors", "models/stance.safetensors", "m.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()

    (next(store.iterdir()) / "stance.safetensors").write_bytes(b"damaged")  # a damaged entry is fitted again
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="newsstance"):
        train_stage.run(tmp_path / "third" / "models", tmp_path / "third" / "m.json", small, store)
    assert "taken from" not in caplog.text
    assert (tmp_path / "third" / "models" / "stance.safetensors").read_bytes() == (
        first / "models" / "stance.safetensors"
    ).read_bytes()
    assert (next(store.iterdir()) / "stance.safetensors").read_bytes() != b"damaged"  # and replaced


def test_the_machine_cache_is_the_users_unless_the_environment_names_one(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSSTANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Layout.for_out_dir(tmp_path, tmp_path / "out").fitted_heads == tmp_path / "xdg" / "newsstance" / "heads"
    monkeypatch.setenv("NEWSSTANCE_CACHE_DIR", str(tmp_path / "mine"))
    assert Layout.for_out_dir(tmp_path, tmp_path / "out").fitted_heads == tmp_path / "mine" / "heads"
