"""End to end: `newsstance run` on the seed articles, measured against the dev gold."""

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, read_jsonl

from newsstance.schema import SPEAKERS, STANCES, STATEMENTS
from stages.layout import INTERIM_FILES

GOLD = ROOT / "data" / "gold"


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
    missed = [
        g["sentence"] for g in gold if overlapping(statements, g["doc"], g["speaker"], g["sentence"], texts).empty
    ]
    assert missed == []
    traps = read_jsonl(GOLD / "seeds_not_statements.jsonl")
    attributed = [
        t["sentence"] for t in traps if overlapping(statements, t["doc"], None, t["sentence"], texts)["in_roster"].any()
    ]
    assert attributed == []


def test_stances_cover_every_statement_and_target(seeds_out):
    statements = pd.read_parquet(seeds_out / "statements.parquet")
    stances = pd.read_parquet(seeds_out / "stances.parquet")
    assert len(stances) == len(statements) * stances["target"].nunique()
    assert set(stances["statement_id"]) == set(statements["statement_id"])
    speakers = pd.read_parquet(seeds_out / "speakers.parquet")
    assert sorted(speakers["speaker"].astype(str)) == sorted(
        ["trump", "putin", "peskov", "medvedev", "zelensky", "podolyak"]
    )
    assert (
        speakers["n_statements"]
        == speakers["speaker"].astype(str).map(statements["speaker"].astype(str).value_counts()).fillna(0)
    ).all()


@pytest.mark.skipif(
    not (ROOT / "data" / "processed" / "statements.parquet").exists(),
    reason="no `dvc repro` output in this checkout to compare with",
)
def test_cli_tables_and_report_equal_dvc_ones_byte_for_byte(seeds_out):
    """`newsstance run` and `dvc repro` call the same library through different plumbing (one
    stream in one process, or one process per stage): every table they write is the same bytes,
    provenance included. Same inputs, same bytes: no timestamp, and no path of either output folder
    in the tables or the page."""
    for name in ("statements", "stances", "speakers", "rejected"):
        assert (seeds_out / f"{name}.parquet").read_bytes() == (
            ROOT / "data" / "processed" / f"{name}.parquet"
        ).read_bytes(), name
    interim = ROOT / "data" / "interim" / "raw"
    for name in INTERIM_FILES.values():
        assert (seeds_out / "interim" / name).read_bytes() == (interim / name).read_bytes(), name
    assert (seeds_out / "summary.html").read_bytes() == (ROOT / "reports" / "summary.html").read_bytes()


def test_report_escapes_article_text_and_file_names(hostile_out):
    html = (hostile_out / "summary.html").read_text(encoding="utf-8")
    assert html.count("<script") == 1  # the report's own, allowed by its hash
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(3)&gt;" in html  # the file name, in the table and the chart
    assert not re.search(r"""(src|href)\s*=\s*["']?\w+:""", html)  # no link or source out of the page
    assert "empty.txt" in html and "empty file" in html
    statements = pd.read_parquet(hostile_out / "statements.parquet")
    assert statements["speaker"].astype(str).tolist() == ["putin"]


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="VmHWM is read from /proc")
def test_logged_peak_memory_is_this_process_own_not_the_one_inherited_from_its_parent():
    """A child's ru_maxrss starts at its parent's RSS; the logged peak must be the child's own."""
    import os
    import subprocess
    import sys

    from stages.cli import vm_hwm_bytes

    ballast = bytearray(b"\1") * (300 * 2**20)  # written, so resident: 300 MiB in this process
    child = "from stages.cli import peak_rss_mb; import resource; print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    own, inherited = map(
        float,
        subprocess.run(
            [sys.executable, "-c", child], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split(),
    )
    assert inherited > 300 and own < 250  # the child itself never held the ballast
    assert vm_hwm_bytes(os.getpid()) > 300 * 2**20 and vm_hwm_bytes(2**22 + 1) is None
    del ballast
