"""The labelled training sets: valid, balanced, and apart from every evaluation text."""

import json
import re
from collections import Counter

import pytest
from conftest import ROOT

from newsstance.config import ConfigError, load_params
from newsstance.schema import SENTIMENT_LABELS, STANCE_LABELS
from newsstance.scoring.training import read_articles, read_labels, read_passages

PARAMS = load_params(ROOT / "params.yaml")


def _examples():
    tp = PARAMS.train
    sentiment, stance = read_passages(PARAMS.path(tp.passages), PARAMS.targets)
    sentiment += read_labels(PARAMS.path(tp.sentiment_labels), SENTIMENT_LABELS)
    stance += read_labels(PARAMS.path(tp.stance_labels), STANCE_LABELS, PARAMS.targets)
    return sentiment, stance


def test_sets_are_big_enough_and_no_class_is_under_a_fifth():
    sentiment, stance = _examples()  # read_passages also checks each statement is in its paragraph
    assert len(sentiment) >= 400 and len(stance) >= 300
    for examples, classes in ((sentiment, SENTIMENT_LABELS), (stance, STANCE_LABELS)):
        counts = Counter(e.label for e in examples)
        assert set(counts) == set(classes)
        assert min(counts.values()) / len(examples) >= 0.20, counts
    passages = Counter(e.label for e in stance if e.context.speaker)  # the in-context part alone
    assert min(passages.values()) / sum(passages.values()) >= 0.20, passages


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def _runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("label_file", ["sentiment.jsonl", "stance.jsonl", "passages.jsonl"])
def test_no_labelled_text_shares_seven_words_with_an_evaluation_text(label_file):
    """Training on a sentence the evaluation reads would inflate every figure in metrics.json."""
    evaluation = set()
    files = list((ROOT / "data").glob("*/articles/*.txt")) + list((ROOT / "data/raw").glob("*.txt"))
    files += list((ROOT / "data").glob("*/gold/*.jsonl")) + list((ROOT / "data/gold").glob("*.jsonl"))
    assert len(files) > 30
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            evaluation |= _runs(line, 7)
    shared = []
    for n, line in enumerate((ROOT / "data/labels" / label_file).read_text(encoding="utf-8").splitlines(), 1):
        for text in _strings(json.loads(line)):
            shared += [(n, " ".join(run)) for run in _runs(text, 7) & evaluation]
    assert shared == []


def test_real_training_articles_give_each_gold_statement_in_its_article_context():
    params = load_params(ROOT / "params.yaml")
    sentiment, stance = read_articles(params.path(params.train.real_labels), params)
    gold = [
        json.loads(line)
        for line in (params.path(params.train.real_labels) / "gold" / "statements.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    assert len(sentiment) == len(stance) == sum(not row["ambiguous"] for row in gold)
    for example in sentiment:
        assert example.text in example.context.paragraph and example.context.speaker
        assert example.group.startswith("train:")
    assert {e.target for e in stance} == {"tomahawk_transfer"}
    # real news has its own balance: mostly negative, mostly neutral on the target
    counts = Counter(e.label for e in sentiment)
    assert counts["negative"] > max(counts["neutral"], counts["positive"])
    assert Counter(e.label for e in stance).most_common(1)[0][0] == "neutral"


def test_a_real_gold_sentence_missing_from_its_article_is_named(tmp_path):
    params = load_params(ROOT / "params.yaml")
    (tmp_path / "articles").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("Headline\nPeskov said it was fine.\n", encoding="utf-8")
    row = {
        "doc": "a",
        "speaker": "peskov",
        "sentence": "Peskov said it was bad.",
        "sentiment": "neutral",
        "stance_target": "x",
        "stance": "neutral",
        "ambiguous": False,
    }
    (tmp_path / "gold" / "statements.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="statements.jsonl:1: sentence not found in a"):
        read_articles(tmp_path, params)
