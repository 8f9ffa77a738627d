"""The context a statement is read in: the same for labelled passages (train) and documents (classify)."""

import json

import pandas as pd
import pytest

from newsstance.config import ConfigError
from newsstance.schema import DOCUMENTS, STATEMENTS_RAW
from newsstance.scoring.context import Context, DocumentContext, passage_context
from newsstance.scoring.training import read_passages
from stages.classify import statements_by_document
from stages.io import write_table
from stages.provenance import Provenance

ARTICLE = (
    "Kremlin warns over long-range missiles\n"
    "Moscow reacted sharply on Monday to reports that Washington was weighing Tomahawk deliveries.\n"
    '"We will find an answer," Peskov told reporters.\n'
    '"Our answer will be appropriate."\n'
)


def test_document_context_is_headline_previous_paragraph_and_own_paragraph():
    context = DocumentContext(ARTICLE, title="Kremlin warns over long-range missiles")
    lines = ARTICLE.splitlines()
    assert context.at(ARTICLE.index("We will")) == Context(lines[0], lines[1], lines[2])
    assert context.at(ARTICLE.index("Our answer")) == Context(lines[0], lines[2], lines[3])
    # The first body paragraph has no previous paragraph: the headline is not read twice.
    assert context.at(ARTICLE.index("Moscow")) == Context(lines[0], "", lines[1])
    # Words in the headline itself are read alone.
    assert context.at(3) == Context("", "", lines[0])
    # classify's items carry a context as a list and rebuild it
    at = context.at(ARTICLE.index("We will"), "Dmitry Peskov")
    assert at.as_list() == [lines[0], lines[1], lines[2], "Dmitry Peskov"] and Context(*at.as_list()) == at


def test_document_without_title_has_no_headline():
    text = ARTICLE.split("\n", 1)[1]
    context = DocumentContext(text, title=None)
    assert context.at(text.index("We will")) == Context("", text.splitlines()[0], text.splitlines()[1])


def test_passage_context_matches_the_document_context_of_the_same_article():
    lines = ARTICLE.splitlines()
    from_passage = passage_context(lines[0], lines[1:], 2)
    assert from_passage == DocumentContext(ARTICLE, lines[0]).at(ARTICLE.index("Our answer"))


def _passage(**statement):
    base = {
        "paragraph": 1,
        "speaker": "Dmitry Peskov",
        "text": "We will find an answer",
        "sentiment": "negative",
        "stance": {"tomahawk_transfer": "against"},
    }
    lines = ARTICLE.splitlines()
    return {"id": "p1", "headline": lines[0], "paragraphs": lines[1:], "statements": [{**base, **statement}]}


def test_read_passages_gives_each_head_its_examples_in_context(tmp_path):
    path = tmp_path / "passages.jsonl"
    path.write_text(json.dumps(_passage()) + "\n")
    sentiment, stance = read_passages(path, {"tomahawk_transfer": "x"})
    assert [(e.text, e.label) for e in sentiment] == [("We will find an answer", "negative")]
    assert [(e.label, e.target) for e in stance] == [("against", "tomahawk_transfer")]
    lines = ARTICLE.splitlines()
    assert stance[0].context == Context(lines[0], lines[1], lines[2], "Dmitry Peskov")
    assert sentiment[0].group == stance[0].group  # cross-validation keeps a passage in one fold
    # A target params.yaml does not configure is skipped, not an error.
    assert read_passages(path, {"other_target": "y"})[1] == []


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"text": "We shall find an answer"}, "is not in paragraph 1"),
        ({"paragraph": 7}, "is not in paragraph 7"),
        ({"sentiment": "angry"}, "label 'angry'"),
        ({"stance": {"tomahawk_transfer": "pro"}}, "label 'pro'"),
    ],
)
def test_read_passages_rejects_a_broken_statement_with_its_line(tmp_path, bad, message):
    path = tmp_path / "passages.jsonl"
    path.write_text(json.dumps(_passage(**bad)) + "\n")
    with pytest.raises(ConfigError, match=message) as error:
        read_passages(path, {"tomahawk_transfer": "x"})
    assert "passages.jsonl:1" in str(error.value)


def test_classify_reads_each_statement_with_its_documents_context(tmp_path):
    docs = pd.DataFrame(
        [
            {
                "doc_id": "a",
                "file": "a.txt",
                "date": None,
                "date_source": None,
                "outlet": None,
                "url": None,
                "title": None,
                "headline": None,
                "text": "Nothing said here.",
                "sha256": "0",
                "n_chars": 18,
                "body_end": 18,
                "encoding": "utf-8",
                "notes": "",
                "is_english": True,
                "duplicate_of": None,
                "extra": None,
            },
            {
                "doc_id": "b",
                "file": "b.txt",
                "date": None,
                "date_source": None,
                "outlet": None,
                "url": None,
                "title": ARTICLE.splitlines()[0],
                "headline": ARTICLE.splitlines()[0],
                "text": ARTICLE,
                "sha256": "1",
                "n_chars": len(ARTICLE),
                "body_end": len(ARTICLE),
                "encoding": "utf-8",
                "notes": "",
                "is_english": True,
                "duplicate_of": None,
                "extra": None,
            },
        ]
    )
    start = ARTICLE.index("Our answer")
    statement = {column: None for column in STATEMENTS_RAW.names} | {
        "statement_id": f"b:{start}:{start + 31}",
        "doc_id": "b",
        "speaker": "peskov",
        "speaker_name": "Dmitry Peskov",
        "in_roster": True,
        "mention": "",
        "mention_start": 0,
        "mention_end": 0,
        "mention_type": "continuation",
        "kind": "direct",
        "cue": "",
        "cue_start": 0,
        "cue_end": 0,
        "content": "Our answer will be appropriate.",
        "content_start": start,
        "content_end": start + 31,
        "sentence": "",
        "start": start,
        "end": start + 31,
    }
    provenance = Provenance("test", (), "")
    write_table(docs, DOCUMENTS, tmp_path / "documents.parquet", provenance)
    write_table(pd.DataFrame([statement]), STATEMENTS_RAW, tmp_path / "statements.parquet", provenance)
    (item,) = statements_by_document(tmp_path / "statements.parquet", tmp_path / "documents.parquet")
    lines = ARTICLE.splitlines()
    assert item["doc_id"] == "b"
    assert item["statements"][0]["context"] == [lines[0], lines[2], lines[3], "Dmitry Peskov"]
