import hashlib
import re

import pytest

from conftest import ROOT
from stages.config import load_params
from stages.ingest import decode, find_body_end, find_title, ingest

PARAMS = load_params(ROOT / "params.yaml").ingest


def test_every_txt_is_a_document_or_rejected_with_its_reason(tmp_path):
    (tmp_path / "good.txt").write_text("Headline Here\nPutin said it was fine.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "notes.md").write_text("ignored: not *.txt")
    docs, rejected = ingest(tmp_path, PARAMS)
    assert docs["doc_id"].tolist() == ["good"]
    assert dict(zip(rejected["file"], rejected["reason"])) == {
        "binary.txt": "binary file (contains NUL bytes)",
        "empty.txt": "empty file",
    }


def test_text_is_kept_unchanged_and_hashed(tmp_path):
    raw = "Title Line\r\nPeskov said “no”.\r\n".encode("utf-8")
    (tmp_path / "a.txt").write_bytes(raw)
    docs, _ = ingest(tmp_path, PARAMS)
    row = docs.iloc[0]
    assert row["text"] == raw.decode("utf-8")
    assert row["sha256"] == hashlib.sha256(raw).hexdigest()
    assert row["n_chars"] == len(row["text"])


def test_utf8_bom_is_not_part_of_the_text():
    assert decode("\ufeffHello".encode("utf-8")) == "Hello"


def test_invalid_utf8_is_rejected_with_the_byte_position():
    with pytest.raises(ValueError, match="not valid UTF-8"):
        decode(b"ok \xff\xfe broken")


def test_headline_is_the_first_short_line_without_a_final_stop():
    assert find_title("\nRussia Signals Concern\nBody text here.", 20) == "Russia Signals Concern"
    assert find_title("The war goes on, officials said on Monday.\nMore.", 20) is None


def test_trailing_boilerplate_is_marked_not_deleted(tmp_path):
    text = 'Body paragraph one.\nBody two.\n"*" indicates required fields\n'
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    docs, _ = ingest(tmp_path, PARAMS)
    row = docs.iloc[0]
    assert row["text"] == text
    assert text[row["body_end"]:].startswith('"*" indicates')


def test_references_line_is_boilerplate_but_a_body_line_mentioning_references_is_not():
    patterns = [re.compile(p, re.IGNORECASE) for p in PARAMS.boilerplate]
    text = "Body.\nHe cited references to the war.\nReferences: a | b"
    assert text[find_body_end(text, patterns):] == "References: a | b"
    assert find_body_end("Body.\nHe cited references to the war.", patterns) == len("Body.\nHe cited references to the war.")
