"""End to end: `newsstance run` on the seed articles, measured against the dev gold."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, read_jsonl
from stages.schema import SPEAKERS, STANCES, STATEMENTS

GOLD = ROOT / "data" / "gold"


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    elsewhere = tmp_path_factory.mktemp("cwd")
    command = Path(sys.executable).parent / "newsstance"  # the console script `pip install` made
    subprocess.run([str(command), "run", str(ROOT / "data" / "raw"), "--out", str(out)], cwd=elsewhere, check=True)
    return out


def test_run_writes_the_four_outputs_with_the_contract_columns(seeds_out):
    for name, table in (("statements", STATEMENTS), ("stances", STANCES), ("speakers", SPEAKERS)):
        schema = pq.read_schema(seeds_out / f"{name}.parquet")
        assert schema.names == table.names
        assert schema.types == table.arrow.types
    assert (seeds_out / "summary.html").stat().st_size > 1000


def overlapping(statements, doc, speaker, sentence, texts):
    start = texts[doc].index(sentence)
    end = start + len(sentence)
    own = statements[(statements.doc_id == doc) & (statements.start < end) & (statements.end > start)]
    return own if speaker is None else own[own.speaker.astype(str) == speaker]


def test_seed_gold_statements_are_found_and_traps_are_not(seeds_out):
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "data" / "raw").glob("*.txt")}
    gold = [g for g in read_jsonl(GOLD / "seeds_statements.jsonl") if not g["ambiguous"]]
    named = [g for g in gold if g["mention"] in ("full name", "surname")]
    assert len(named) >= 10
    missed = [g["sentence"] for g in gold if overlapping(statements, g["doc"], g["speaker"], g["sentence"], texts).empty]
    assert missed == []
    traps = read_jsonl(GOLD / "seeds_not_statements.jsonl")
    attributed = [t["sentence"] for t in traps
                  if overlapping(statements, t["doc"], None, t["sentence"], texts)["in_roster"].any()]
    assert attributed == []


def test_stances_cover_every_statement_and_target(seeds_out):
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    stances = pd.read_parquet(seeds_out / "stances.parquet")
    assert len(stances) == len(statements) * stances["target"].nunique()
    assert set(stances["statement_id"]) == set(statements["statement_id"])
    speakers = pd.read_parquet(seeds_out / "speakers.parquet")
    assert sorted(speakers["speaker"].astype(str)) == sorted(["trump", "putin", "peskov", "medvedev", "zelensky", "podolyak"])
    assert (speakers["n_statements"] == speakers["speaker"].astype(str).map(statements["speaker"].astype(str).value_counts()).fillna(0)).all()


@pytest.mark.skipif(not (ROOT / "data" / "processed" / "statements.parquet").exists(),
                    reason="no `dvc repro` output in this checkout to compare with")
def test_cli_tables_equal_dvc_tables(seeds_out):
    for name in ("statements", "stances", "speakers"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(seeds_out / f"{name}.parquet"), pd.read_parquet(ROOT / "data" / "processed" / f"{name}.parquet")
        )


def test_report_escapes_article_text_and_loads_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hostile.txt").write_text(
        "Putin said “<script>alert(1)</script> and <img src=x onerror=alert(2)> are fine.”\n", encoding="utf-8"
    )
    (raw / "empty.txt").write_text("")
    subprocess.run([sys.executable, "-m", "stages.cli", "run", str(raw), "--out", str(tmp_path / "out")],
                   cwd=tmp_path, check=True)
    html = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert "empty.txt" in html and "empty file" in html
    statements = pd.read_parquet(tmp_path / "out" / "statements.parquet")
    assert statements["speaker"].astype(str).tolist() == ["putin"]
