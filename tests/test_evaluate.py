"""The evaluate stage's scoring rules, on hand-built predictions and gold."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from newsstance.analysis.metrics import load_gold_set, score
from newsstance.config import ConfigError
from newsstance.schema import STATEMENTS_RAW

TEXT = (
    "Putin said the talks were over. "  # 0..31
    "Peskov added that nothing had changed. "  # 32..70
    "The Kremlin said it was calm. "  # 71..100
    "Trump might say something, the paper reported."  # 101..
)
ROSTER = {"putin", "peskov", "trump"}
LABELS = {"sentiment": "neutral", "stance": "neutral", "stance_target": "the talks"}


def sentence_span(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def prediction(speaker: str, sentence: str, kind="indirect", mention_type="surname") -> dict:
    start, end = sentence_span(sentence)
    row = {c: None for c in STATEMENTS_RAW.names}
    row.update(
        doc_id="d", speaker=speaker, kind=kind, mention_type=mention_type, start=start, end=end, sentence=sentence
    )
    return row


@pytest.fixture
def gold_set(tmp_path):
    statements = [
        {
            "doc": "d",
            "speaker": "putin",
            "sentence": "Putin said the talks were over.",
            "kind": "indirect",
            "mention": "surname",
            **LABELS,
        },
        {
            "doc": "d",
            "speaker": "peskov",
            "sentence": "Peskov added that nothing had changed.",
            "kind": "indirect",
            "mention": "full name",
            **LABELS,
        },
        {
            "doc": "d",
            "speaker": "trump",
            "sentence": "Trump might say something, the paper reported.",
            "kind": "indirect",
            "mention": "surname",
            "ambiguous": True,
            **LABELS,
        },
    ]
    traps = [{"doc": "d", "sentence": "The Kremlin said it was calm."}, {"doc": "other", "sentence": "Not here."}]
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in statements))
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in traps))
    documents = pd.DataFrame({"doc_id": ["d"], "text": [TEXT]})
    return load_gold_set("toy", tmp_path / "s.jsonl", tmp_path / "t.jsonl", documents)


def test_found_wrong_speaker_trap_and_ambiguous(gold_set):
    gold, missing = gold_set
    assert missing == ["other"]
    predicted = pd.DataFrame(
        [
            prediction("putin", "Putin said the talks were over."),
            prediction("putin", "Peskov added that nothing had changed."),  # Peskov's words pinned on Putin
            prediction("peskov", "The Kremlin said it was calm.", mention_type="title"),  # a trap
            prediction("trump", "Trump might say something, the paper reported."),  # ambiguous: neither way
            prediction("lavrov", "Peskov added that nothing had changed."),  # outside the roster: not scored
        ]
    )
    metrics, errors, _ = score(predicted, gold, ROSTER)
    overall = metrics["overall"]
    assert (overall["gold"], overall["found"]) == (2, 1)  # the ambiguous row is not counted
    assert (overall["predicted"], overall["correct"]) == (3, 1)
    assert overall["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert overall["f1"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5), abs=1e-4)
    assert metrics["wrong_speaker"] == 1
    assert metrics["traps"] == {"total": 1, "attributed": 1}
    assert metrics["ambiguous_gold"] == 1
    assert metrics["by_mention"]["name"]["recall"] == 0.0  # gold "full name" is reported as "name"
    assert metrics["by_mention"]["title"]["precision"] == 0.0
    kinds = {e["error"] for e in errors}
    assert kinds == {"missed", "wrong speaker", "not in gold", "trap attributed"}
    missed = next(e for e in errors if e["error"] == "missed")
    assert missed["speaker"] == "peskov" and missed["predicted_speakers"] == ["lavrov", "putin"]


def test_perfect_predictions_score_one(gold_set):
    gold, _ = gold_set
    predicted = pd.DataFrame(
        [
            prediction("putin", "Putin said the talks were over."),
            prediction("peskov", "Peskov added that nothing had changed.", mention_type="name"),
        ]
    )
    metrics, errors, _ = score(predicted, gold, ROSTER)
    assert metrics["overall"]["f1"] == 1.0 and errors == []
    assert metrics["traps"]["attributed"] == 0


def test_gold_sentence_missing_from_its_document_is_an_error(tmp_path):
    (tmp_path / "s.jsonl").write_text(
        json.dumps(
            {
                "doc": "d",
                "speaker": "putin",
                "sentence": "Never written.",
                "kind": "direct",
                "mention": "surname",
                **LABELS,
            }
        )
        + "\n"
    )
    (tmp_path / "t.jsonl").write_text("")
    with pytest.raises(ConfigError, match="sentence not found in document d"):
        load_gold_set(
            "toy", tmp_path / "s.jsonl", tmp_path / "t.jsonl", pd.DataFrame({"doc_id": ["d"], "text": [TEXT]})
        )


def test_bad_gold_row_names_file_and_line(tmp_path):
    (tmp_path / "s.jsonl").write_text(
        json.dumps({"doc": "d", "speaker": "putin", "sentence": "x", "kind": "shouted", "mention": "surname"}) + "\n"
    )
    (tmp_path / "t.jsonl").write_text("")
    with pytest.raises(ConfigError, match=r"s.jsonl:1: .*kind"):
        load_gold_set(
            "toy", tmp_path / "s.jsonl", tmp_path / "t.jsonl", pd.DataFrame({"doc_id": ["d"], "text": [TEXT]})
        )


def _label_frames(target_text: str):
    found = pd.DataFrame(
        {
            "doc": ["d"] * 4,
            "speaker": ["peskov"] * 4,
            "statement_id": ["s1", "s2", "s3", None],
            "ambiguous": [False, False, False, False],
            "sentiment": ["negative", "positive", "neutral", "negative"],
            "stance": ["against", "favor", "neutral", "against"],
            "stance_target": [target_text] * 4,
        }
    )
    predicted = pd.DataFrame(
        {
            "statement_id": ["s1", "s2", "s3"],
            "doc_id": ["d"] * 3,
            "speaker": ["peskov"] * 3,
            "content": [
                "This is a terrible, disgusting and dangerous provocation",
                "A wonderful, excellent result for everyone",
                "The meeting is on Tuesday",
            ],
        }
    )
    sentiment = pd.DataFrame(
        {
            "statement_id": ["s1", "s2", "s3"],
            "sentiment": ["negative", "positive", "positive"],
            "p_negative": [0.8, 0.1, 0.1],
            "p_neutral": [0.1, 0.1, 0.3],
            "p_positive": [0.1, 0.8, 0.6],
        }
    )
    stance = pd.DataFrame(
        {
            "statement_id": ["s1", "s2", "s3"],
            "target": ["tomahawk_transfer"] * 3,
            "stance": ["against", "favor", "neutral"],
            "p_against": [0.9, 0.05, 0.1],
            "p_neutral": [0.05, 0.05, 0.8],
            "p_favor": [0.05, 0.9, 0.1],
        }
    )
    return found, predicted, sentiment, stance


def test_label_scores_compare_the_heads_with_the_lexicon_baseline(params):
    from newsstance.analysis.metrics import score_labels

    found, predicted, sentiment, stance = _label_frames(params.targets["tomahawk_transfer"])
    scores = score_labels(found, predicted, sentiment, stance, params)
    assert scores["sentiment"]["n"] == 3  # the gold statement nobody found is not scored
    assert scores["stance"]["model_macro_f1"] == 1.0
    assert scores["sentiment"]["lexicon_macro_f1"] == 1.0  # VADER gets these obvious ones right
    assert scores["sentiment"]["model_macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3, abs=1e-4)
    # top-label ECE: the 0.8 bin holds s1 and s2 (both right), the 0.6 bin s3 (wrong)
    assert scores["sentiment"]["ece"] == pytest.approx((2 * 0.2 + 0.6) / 3, abs=1e-4)


def test_share_error_compares_the_speaker_gold_shares_with_the_table_figures(params):
    from newsstance.analysis.metrics import MIN_SHARE_STATEMENTS, score_labels

    found, predicted, sentiment, stance = _label_frames(params.targets["tomahawk_transfer"])
    assert score_labels(found, predicted, sentiment, stance, params)["sentiment"]["share_error"]["speakers"] == {}
    more = pd.concat([found] * 2, ignore_index=True)  # 8 gold statements: half negative
    assert len(more) >= MIN_SHARE_STATEMENTS
    share = score_labels(more, predicted, sentiment, stance, params)["sentiment"]["share_error"]
    # gold 0.5 / 0.25 / 0.25; the table's mean probabilities 1/3, 1/6, 1/2: off by 1/4 on positive
    assert share["speakers"]["peskov"] == pytest.approx(0.25, abs=1e-4) and share["max"] == share["speakers"]["peskov"]
    assert share["counted_max"] == pytest.approx(max(abs(1 / 3 - 0.5), abs(0 - 0.25), abs(2 / 3 - 0.25)), abs=1e-4)
