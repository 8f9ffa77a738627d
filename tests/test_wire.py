"""Wire copy, dates and outlets, end to end on an invented corpus (tests/corpora/wire/README.md): one
agency story reprinted by three outlets, dated originals, and "the US president" in 2022 and 2025."""

import csv
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, run_pipeline

from newsstance.config import load_params
from newsstance.schema import SENTIMENT_LABELS, STANCE_LABELS
from stages.ingest import ingest

WIRE = ROOT / "tests" / "corpora" / "wire"
PROCESSED = ("statements", "stances", "speakers", "periods", "quotes")
AGENCY = ("courier_kremlin_warns", "ledger_kremlin_warns", "post_kremlin_warns")


@pytest.fixture(scope="module")
def wire_out(tmp_path_factory):
    return run_pipeline(WIRE, tmp_path_factory.mktemp("wire") / "out", tmp_path_factory.mktemp("cwd"))


def rows_as_corpus() -> list[dict]:
    """The corpus's texts and metadata as rows of a corpus file, with ids as the files' stems."""
    with (WIRE / "metadata.csv").open(encoding="utf-8", newline="") as f:
        metadata = {row.pop("file"): row for row in csv.DictReader(f)}
    return [
        {"id": path.stem, "text": path.read_text(encoding="utf-8"), **metadata[path.name]}
        for path in sorted(WIRE.glob("*.txt"))
    ]


def test_an_agency_story_in_three_outlets_gives_one_quote_id_per_quote(wire_out):
    statements = pd.read_parquet(wire_out / "statements.parquet")
    quotes = pd.read_parquet(wire_out / "quotes.parquet").set_index("quote_id")
    agency = statements[statements["doc_id"].isin(AGENCY)]
    per_story = agency.groupby("doc_id")["quote_id"].apply(list)
    assert len(per_story) == 3 and len(set(map(tuple, per_story))) == 1  # the same three ids, in each story
    ids = per_story.iloc[0]
    assert len(set(ids)) == 3 and [str(s) for s in agency.drop_duplicates("quote_id")["speaker"]] == [
        "peskov",
        "peskov",
        "trump",
    ]
    for quote_id in ids:
        assert quotes.loc[quote_id, "occurrences"] == 3 and quotes.loc[quote_id, "n_documents"] == 3
        assert list(quotes.loc[quote_id, "outlets"]) == ["Daily Ledger", "Evening Post", "Morning Courier"]
        assert quotes.loc[quote_id, "first_date"].isoformat() == "2025-10-16"
        assert quotes.loc[quote_id, "last_date"].isoformat() == "2025-10-17"
    others = statements[~statements["doc_id"].isin(AGENCY)]
    assert others["quote_id"].is_unique and (others["quote_id"] == others["statement_id"]).all()
    assert len(quotes) == statements["quote_id"].nunique() == len(others) + 3


def shares_over_quotes(frame: pd.DataFrame, labels: tuple[str, ...]) -> np.ndarray:
    """The shares computed by hand on distinct quotes: each quote's mean probabilities, averaged."""
    return frame.groupby("quote_id")[[f"p_{label}" for label in labels]].mean().mean().to_numpy()


def test_speaker_shares_and_period_figures_count_each_distinct_quote_once(wire_out):
    statements = pd.read_parquet(wire_out / "statements.parquet")
    stances = pd.read_parquet(wire_out / "stances.parquet")
    speakers = pd.read_parquet(wire_out / "speakers.parquet").set_index("speaker")
    periods = pd.read_parquet(wire_out / "periods.parquet").set_index(["speaker", "period"])
    for speaker in ("peskov", "trump"):
        own, own_stances = statements[statements["speaker"] == speaker], stances[stances["speaker"] == speaker]
        row = speakers.loc[speaker]
        assert row["n_statements"] == len(own) and row["n_quotes"] == own["quote_id"].nunique() < len(own)
        expected = shares_over_quotes(own, SENTIMENT_LABELS)
        assert [row[f"sentiment_{label}"] for label in SENTIMENT_LABELS] == pytest.approx(expected)
        expected = shares_over_quotes(own_stances, STANCE_LABELS)
        assert [row[f"share_{label}"] for label in STANCE_LABELS] == pytest.approx(expected)
        counted_per_statement = own[[f"p_{label}" for label in SENTIMENT_LABELS]].mean().to_numpy()
        assert not np.allclose(counted_per_statement, shares_over_quotes(own, SENTIMENT_LABELS))
    october = statements[(statements["speaker"] == "peskov") & statements["date"].astype(str).str.startswith("2025-10")]
    row = periods.loc[("peskov", "2025-10")]
    assert row["n_statements"] == 6 and row["n_quotes"] == 2 and str(row["period_start"]) == "2025-10-01"
    assert row["mean_sentiment"] == pytest.approx(
        shares_over_quotes(october, SENTIMENT_LABELS) @ np.array([-1.0, 0.0, 1.0])
    )
    assert sorted(periods.loc["peskov"].index) == ["2025-09", "2025-10"]


def test_the_us_president_is_trump_only_in_a_document_dated_in_his_term(wire_out):
    statements = pd.read_parquet(wire_out / "statements.parquet")
    assert statements[statements["doc_id"] == "post_president_2022"].empty
    [row] = statements[statements["doc_id"] == "post_president_2025"].to_dict("records")
    assert row["speaker"] == "trump" and row["mention"] == "The US president" and row["mention_type"] == "title"


def test_every_table_carries_the_date_outlet_and_url_of_its_document(wire_out):
    documents = pd.read_parquet(wire_out / "interim" / "documents.parquet").set_index("doc_id")
    assert documents.loc["courier_kremlin_warns", "title"] == "Kremlin warns US against missile deliveries"
    assert json.loads(documents.loc["courier_kremlin_warns", "extra"]) == {"section": "World"}
    assert set(documents["date_source"]) == {"metadata"}
    for name in ("interim/sentences", "interim/entities", "statements", "stances"):
        table = pd.read_parquet(wire_out / f"{name}.parquet")
        joined = table.merge(
            documents[["date", "outlet", "url"]], left_on="doc_id", right_index=True, suffixes=("", "_doc")
        )
        for column in ("date", "outlet", "url"):
            assert (joined[column] == joined[f"{column}_doc"]).all(), (name, column)


def test_the_report_draws_each_speaker_over_time_linked_to_the_statements(wire_out):
    page = (wire_out / "summary.html").read_text(encoding="utf-8")
    assert 'id="chart-time"' in page
    assert "#statements?speaker=peskov&amp;period=2025-09" in page  # a point: that month's statements
    assert 'data-period="2025-10"' in page and '<option value="2025-11">' in page
    assert "carried 3 times by 3 outlets" in page


def test_a_jsonl_corpus_gives_the_same_tables_as_the_same_texts_as_files(wire_out, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows_as_corpus()), encoding="utf-8")
    out = run_pipeline(corpus, tmp_path / "out", tmp_path)
    for name in PROCESSED:
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(wire_out / f"{name}.parquet")
        )
    documents = pd.read_parquet(out / "interim" / "documents.parquet")
    assert set(documents["file"]) == {"corpus.jsonl"}
    files = pd.read_parquet(wire_out / "interim" / "documents.parquet")
    pd.testing.assert_frame_equal(documents.drop(columns=["file", "sha256"]), files.drop(columns=["file", "sha256"]))


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_csv_and_parquet_corpora_give_the_same_documents_as_the_files(tmp_path, kind):
    params = load_params(ROOT / "params.yaml").ingest
    rows = rows_as_corpus()
    path = tmp_path / f"corpus.{kind}"
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    documents, rejected = ingest(path, params)
    files, _ = ingest(WIRE, params)
    assert rejected.empty and set(documents["file"]) == {path.name}
    pd.testing.assert_frame_equal(documents.drop(columns=["file", "sha256"]), files.drop(columns=["file", "sha256"]))
