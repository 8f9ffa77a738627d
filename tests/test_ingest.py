import codecs
import hashlib
import re

import pandas as pd
from pathlib import Path

from conftest import ROOT

from newsstance.config import load_params
from newsstance.schema import DOCUMENTS, REJECTED
from newsstance.text.articles import find_body_end, find_title
from newsstance.text.paragraphs import paragraph_starts
from stages.ingest import ingest
from stages.io import to_arrow

PARAMS = load_params(ROOT / "params.yaml").ingest

ARTICLE = (
    "Kremlin Rejects Ceasefire Plan\n"
    "Dmitry Peskov said on Tuesday that the plan was not acceptable to Moscow and that talks would "
    "continue only if the other side changed its position.\n"
    "He added that the decision had been taken after a meeting of the Security Council.\n"
)


def run(raw, params=PARAMS):
    """ingest() on a folder, checking both tables fit their schema, as the stage writes them."""
    docs, rejected = ingest(raw, params)
    to_arrow(docs, DOCUMENTS)
    to_arrow(rejected, REJECTED)
    return docs, rejected


def one_document(raw, name, data: bytes):
    (raw / name).write_bytes(data)
    docs, rejected = run(raw)
    assert rejected.empty, rejected.to_dict("records")
    assert len(docs) == 1
    return docs.iloc[0]


def one_rejection(raw, name, data: bytes) -> str:
    (raw / name).write_bytes(data)
    docs, rejected = run(raw)
    assert docs.empty
    assert rejected["file"].tolist() == [name]
    return rejected["reason"].iloc[0]


def test_every_txt_is_a_document_or_rejected_with_its_reason(tmp_path):
    (tmp_path / "good.txt").write_text("Headline Here\nPutin said it was fine.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "notes.md").write_text("ignored: not *.txt")
    docs, rejected = run(tmp_path)
    assert docs["doc_id"].tolist() == ["good"]
    assert docs.iloc[0]["notes"] == "" and docs.iloc[0]["encoding"] == "utf-8"
    assert dict(zip(rejected["file"], rejected["reason"])) == {
        "binary.txt": "binary file (contains NUL bytes)",
        "empty.txt": "empty file",
    }


def test_rows_are_sorted_by_file_name_and_the_same_inputs_give_the_same_tables(tmp_path):
    for name in ("b.txt", "a.txt", "c.txt"):
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "0.txt").write_bytes(b"")
    (tmp_path / "z.txt").write_bytes(b" ")
    docs, rejected = run(tmp_path)
    assert docs["file"].tolist() == ["a.txt", "b.txt", "c.txt"]
    assert rejected["file"].tolist() == ["0.txt", "z.txt"]
    again, rejected_again = run(tmp_path)
    assert again.equals(docs) and rejected_again.equals(rejected)


def test_utf8_with_and_without_bom(tmp_path):
    (tmp_path / "plain.txt").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8 + ARTICLE.encode("utf-8"))
    docs, rejected = run(tmp_path)
    assert rejected.empty
    bom, plain = docs.iloc[0], docs.iloc[1]
    assert bom["text"] == plain["text"] == ARTICLE  # no \ufeff: offset 0 is the first letter
    assert bom["title"] == "Kremlin Rejects Ceasefire Plan"
    assert bom["text"][bom["text"].index("Dmitry") :].startswith("Dmitry Peskov")
    assert bom["encoding"] == plain["encoding"] == "utf-8"
    assert bom["notes"] == "byte-order mark removed" and plain["notes"] == ""


def test_utf16_with_bom_little_and_big_endian(tmp_path):
    (tmp_path / "le.txt").write_bytes(codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"))
    docs, rejected = run(tmp_path)
    assert rejected.empty  # NUL bytes of UTF-16 are not mistaken for a binary file
    assert docs["file"].tolist() == ["be.txt", "le.txt"]
    assert docs["text"].tolist() == [ARTICLE, ARTICLE]
    assert docs["encoding"].tolist() == ["utf-16-be", "utf-16-le"]
    assert docs["duplicate_of"].fillna("").tolist() == ["", "be"]


def test_cp1252_text_is_decoded_and_noted(tmp_path):
    raw = b"Caf\xe9 Talks\nPeskov said the plan was \x93not acceptable\x94 \x96 for now \x81.\n"
    row = one_document(tmp_path, "legacy.txt", raw)
    assert row["text"] == "Café Talks\nPeskov said the plan was “not acceptable” – for now \x81.\n"
    assert row["encoding"] == "cp1252"
    assert row["notes"] == "not valid UTF-8: decoded as cp1252"
    assert row["title"] == "Café Talks"
    assert row["sha256"] == hashlib.sha256(raw).hexdigest()  # the raw bytes, as read


def test_crlf_is_normalised_and_paragraphs_title_and_body_end_work(tmp_path):
    lf = 'Title Line\n\nPeskov said "no".\nIt was late.\n\nHe left.\n\n"*" indicates required fields\n'
    row = one_document(tmp_path, "a.txt", lf.replace("\n", "\r\n").encode("utf-8"))
    text = row["text"]
    assert text == lf and "\r" not in text
    assert row["notes"] == "line ends normalised to LF"
    assert row["n_chars"] == len(text)
    assert row["title"] == "Title Line"
    assert text[row["body_end"] :] == '"*" indicates required fields\n'
    assert [text[s : s + 8] for s in paragraph_starts(text)] == ["Title Li", "Peskov s", "He left.", '"*" indi']


def test_find_title_and_body_end_also_work_on_crlf_text():
    text = 'Title Line\r\nBody.\r\n"*" indicates required fields\r\n'
    patterns = [re.compile(p, re.IGNORECASE) for p in PARAMS.boilerplate]
    assert find_title(text, 20) == "Title Line"
    assert text[find_body_end(text, patterns) :] == '"*" indicates required fields\r\n'


def test_empty_and_whitespace_only_files_are_rejected(tmp_path):
    assert one_rejection(tmp_path, "empty.txt", b"") == "empty file"
    (tmp_path / "empty.txt").unlink()
    assert one_rejection(tmp_path, "blank.txt", b" \r\n\t\n") == "empty file (whitespace only)"
    (tmp_path / "blank.txt").unlink()
    utf16_blank = codecs.BOM_UTF16_LE + "  \n".encode("utf-16-le")
    assert one_rejection(tmp_path, "blank16.txt", utf16_blank) == "empty file (whitespace only)"


def test_binary_file_is_rejected(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    assert one_rejection(tmp_path, "image.txt", png) == "binary file (contains NUL bytes)"


def test_file_over_max_bytes_is_rejected_unread_naming_the_limit(tmp_path, monkeypatch):
    with (tmp_path / "big.txt").open("wb") as f:
        f.truncate(PARAMS.max_bytes + 1)  # sparse: nothing written
    (tmp_path / "small.txt").write_text(ARTICLE, encoding="utf-8")
    read, read_bytes = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or read_bytes(self))
    docs, rejected = run(tmp_path)
    assert read == ["small.txt"]  # the size is checked before reading
    assert docs["file"].tolist() == ["small.txt"]
    assert rejected.to_dict("records") == [
        {
            "file": "big.txt",
            "stage": "ingest",
            "reason": "file of 5000001 bytes is larger than ingest.max_bytes = 5000000 bytes",
        }
    ]


def test_html_page_saved_as_txt_is_reduced_to_its_text(tmp_path):
    page = (
        "<!DOCTYPE html>\n<html><head><title>Site | Kremlin</title><style>p {color: red}</style>\n"
        "<script>var said = 'not text';</script></head>\n<body>\n<h1>Kremlin Rejects Plan</h1>\n"
        "<p>Peskov said the plan was &ldquo;not acceptable&rdquo; &amp; final.</p>\n"
        "<p>He  added\n  more.<br>New line.</p><script>alert(1)</script></body></html>\n"
    )
    row = one_document(tmp_path, "page.txt", page.encode("utf-8"))
    assert row["text"] == (
        "Kremlin Rejects Plan\nPeskov said the plan was “not acceptable” & final.\nHe added more.\nNew line."
    )
    assert row["title"] == "Kremlin Rejects Plan"
    assert row["notes"] == "HTML page: text extracted from the markup"
    assert row["n_chars"] == len(row["text"]) == row["body_end"]


def test_html_page_without_text_is_rejected(tmp_path):
    page = b"<html><head><script>var x = 1;</script></head><body><img src='a.png'></body></html>"
    reason = one_rejection(tmp_path, "page.txt", page)
    assert reason == "HTML page with no text (once tags, scripts and styles are removed)"


def test_an_article_quoting_markup_is_not_taken_for_html(tmp_path):
    text = "Putin said “<script>alert(1)</script> and <img src=x> are fine.”\n"
    row = one_document(tmp_path, "a.txt", text.encode("utf-8"))
    assert row["text"] == text and row["notes"] == ""


def test_non_english_article_is_kept_and_flagged(tmp_path):
    french = (
        "Le Kremlin rejette le plan\nLe porte-parole Dmitri Peskov a déclaré mardi que le plan n'était "
        "pas acceptable pour Moscou et que les négociations ne reprendraient que si l'autre partie "
        "changeait de position.\n"
    )
    (tmp_path / "fr.txt").write_text(french, encoding="utf-8")
    (tmp_path / "en.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "short.txt").write_text("Kurz und knapp.\n", encoding="utf-8")
    docs, rejected = run(tmp_path)
    assert rejected.empty
    assert dict(zip(docs["doc_id"], docs["is_english"])) == {"en": True, "fr": False, "short": True}
    assert PARAMS.min_english_share == 0.2


def test_article_without_roster_speaker_is_a_document(tmp_path):
    text = "Local Elections\nThe mayor of Springfield said the vote would go ahead as planned.\n"
    row = one_document(tmp_path, "local.txt", text.encode("utf-8"))
    assert row["doc_id"] == "local" and row["text"] == text and row["notes"] == ""


def test_identical_texts_are_both_kept_and_the_later_one_marked_duplicate(tmp_path):
    (tmp_path / "b_copy.txt").write_bytes(codecs.BOM_UTF8 + ARTICLE.encode("utf-8"))  # other bytes, same text
    (tmp_path / "a_first.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c_other.txt").write_text(ARTICLE + "More.\n", encoding="utf-8")
    docs, _ = run(tmp_path)
    assert docs["doc_id"].tolist() == ["a_first", "b_copy", "c_other"]
    assert docs["duplicate_of"].fillna("").tolist() == ["", "a_first", ""]


def test_odd_file_names_are_processed_and_doc_id_is_the_stem(tmp_path):
    names = ["Zelenskyy — interview é.txt", "with  spaces .txt", "日本語.txt", "a.b.c.txt", "'quote\".txt"]
    for name in names:
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    docs, rejected = run(tmp_path)
    assert rejected.empty
    assert sorted(docs["file"]) == sorted(names) == docs["file"].tolist()
    assert docs["doc_id"].tolist() == [n[: -len(".txt")] for n in sorted(names)]


def test_unreadable_entries_are_rejected_not_raised(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing")
    docs, rejected = run(tmp_path)
    assert docs.empty
    assert dict(zip(rejected["file"], rejected["reason"])) == {
        "dangling.txt": "not a regular file",
        "folder.txt": "not a regular file",
    }


def test_trailing_boilerplate_is_marked_not_deleted(tmp_path):
    text = 'Body paragraph one.\nBody two.\n"*" indicates required fields\n'
    row = one_document(tmp_path, "a.txt", text.encode("utf-8"))
    assert row["text"] == text
    assert text[row["body_end"] :].startswith('"*" indicates')


def test_headline_is_the_first_short_line_without_a_final_stop():
    assert find_title("\nRussia Signals Concern\nBody text here.", 20) == "Russia Signals Concern"
    assert find_title("The war goes on, officials said on Monday.\nMore.", 20) is None


def test_references_line_is_boilerplate_but_a_body_line_mentioning_references_is_not():
    patterns = [re.compile(p, re.IGNORECASE) for p in PARAMS.boilerplate]
    text = "Body.\nHe cited references to the war.\nReferences: a | b"
    assert text[find_body_end(text, patterns) :] == "References: a | b"
    assert find_body_end("Body.\nHe cited references to the war.", patterns) == len(
        "Body.\nHe cited references to the war."
    )


# --- metadata.csv, corpus files and dates ---


def test_metadata_csv_gives_each_file_its_date_outlet_url_and_title_and_keeps_other_columns(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "file,date,outlet,url,title,section\na.txt,2025-10-14,Daily Ledger,https://ledger.example/a,Peskov speaks,World\n",
        encoding="utf-8",
    )
    doc = run(tmp_path)[0].iloc[0]
    assert (doc.date.isoformat(), doc.date_source, doc.outlet, doc.url) == (
        "2025-10-14",
        "metadata",
        "Daily Ledger",
        "https://ledger.example/a",
    )
    assert doc.title == "Peskov speaks" and doc.headline == "Kremlin Rejects Ceasefire Plan"
    assert doc.extra == '{"section": "World"}'


def test_without_metadata_the_date_is_read_off_the_dateline_and_flagged_inferred(tmp_path):
    text = "Kremlin Rejects Plan\nMOSCOW, Oct 14, 2025 (Reuters) - Dmitry Peskov said the plan was not acceptable.\n"
    doc = one_document(tmp_path, "a.txt", text.encode())
    assert doc.date.isoformat() == "2025-10-14" and doc.date_source == "text"
    assert pd.isna(doc.outlet) and pd.isna(doc.url)


def test_a_date_in_running_prose_is_not_the_document_date(tmp_path):
    doc = one_document(tmp_path, "a.txt", b"On Feb. 24, 2022, Russia invaded Ukraine, Peskov said on Tuesday.\n")
    assert doc.date is None and doc.date_source is None


def test_bad_metadata_is_named_and_loses_no_document(tmp_path):
    """An unparseable date, a row for a file that is not there, a second row for a file: each gets a
    clear message; every article is still a document."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("MOSCOW, Oct 14, 2025 (Reuters) - Peskov said no.\n", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "file,date,outlet\na.txt,last Tuesday,Ledger\nb.txt,14th of Smarch,Post\nmissing.txt,2025-01-01,X\n"
        "a.txt,2025-01-02,Y\n",
        encoding="utf-8",
    )
    docs, rejected = run(tmp_path)
    assert docs["doc_id"].tolist() == ["a", "b"] and docs["outlet"].tolist() == ["Ledger", "Post"]
    a, b = docs.iloc[0], docs.iloc[1]
    assert a.date is None and "metadata date not used: not a date: 'last Tuesday'" in a.notes
    assert b.date.isoformat() == "2025-10-14" and b.date_source == "text" and "date read from the text" in b.notes
    assert rejected.to_dict("records") == [
        {"file": "metadata.csv", "stage": "ingest", "reason": "row 4 names 'missing.txt', which is not in the folder"},
        {"file": "metadata.csv", "stage": "ingest", "reason": "row 5 repeats 'a.txt' (first at row 2): ignored"},
    ]


def test_a_jsonl_corpus_row_is_a_document_and_bad_rows_are_rejected_with_their_line(tmp_path):
    rows = [
        '{"id": "x1", "text": "Peskov said the plan was not acceptable.", "date": "2025-10-14", "outlet": "AP"}',
        "{not json",
        '{"id": "x3", "text": ""}',
        '{"id": "x4", "body": "no text column"}',
        '{"id": "x1", "text": "Putin said nothing would change."}',
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    docs, rejected = run(tmp_path)
    assert docs["doc_id"].tolist() == ["x1", "x1~2"] and set(docs["file"]) == {"feed.jsonl"}
    assert docs.iloc[0].date.isoformat() == "2025-10-14" and docs.iloc[0].outlet == "AP"
    assert "id 'x1' taken by an earlier input: renamed 'x1~2'" in docs.iloc[1].notes
    reasons = rejected["reason"].tolist()
    assert reasons[0].startswith("line 2 is not JSON")
    assert reasons[1:] == ["row 3 (x3): empty text", "row 4 (x4) has no 'text' column"]


def test_corpus_columns_are_configurable(tmp_path):
    params = PARAMS.model_copy(
        update={"columns": PARAMS.columns.model_copy(update={"text": "body", "date": "published"})}
    )
    (tmp_path / "feed.csv").write_text(
        'id,body,published\nz,"Peskov said the plan was not acceptable.",14/10/2025\n', encoding="utf-8"
    )
    docs, rejected = run(tmp_path, params)
    assert rejected.empty and docs.iloc[0].doc_id == "z" and docs.iloc[0].date.isoformat() == "2025-10-14"


def test_an_unreadable_corpus_file_is_rejected_and_the_run_goes_on(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really parquet")
    docs, rejected = run(tmp_path)
    assert docs["doc_id"].tolist() == ["a"]
    assert rejected["file"].tolist() == ["broken.parquet"]
    assert rejected["reason"].iloc[0].startswith("corpus file not read to the end:")


def test_a_metadata_date_known_to_the_month_dates_the_document_to_its_first_day(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,date\na.txt,2023-06\n", encoding="utf-8")
    doc = run(tmp_path)[0].iloc[0]
    assert doc.date.isoformat() == "2023-06-01" and doc.date_source == "metadata"
    assert "gives the month only: dated to its first day" in doc.notes
