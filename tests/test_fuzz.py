"""A sample of benchmarks/fuzz.py's hostile documents through `newsstance run`: the run does not
crash and every input is processed or rejected with a stage and a reason. The full run (1,000
documents and more) is `python -m benchmarks.fuzz`; benchmarks/README.md has its figures."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from benchmarks.fuzz import KINDS, QUOTES, documents, run_folder  # noqa: E402

SAMPLE = 60  # every kind at least once; ~40 s with the heads given


def test_the_generator_is_seeded_and_makes_every_kind():
    first, again = documents(SAMPLE, seed=7), documents(SAMPLE, seed=7)
    assert first == again
    assert {d.kind for d in first} == set(KINDS)
    assert documents(SAMPLE, seed=8) != first
    runs = [d.data.decode() for d in first if d.kind == "10,000 quotation marks"]
    assert runs and all(any(mark * 10_000 in text for mark in QUOTES) for text in runs)
    assert any(len(d.data) > 50_000 for d in first), "a document long enough to be parsed in pieces"


def test_a_sample_of_hostile_documents_runs_and_every_input_is_accounted_for(tmp_path, seeds_out):
    docs = documents(SAMPLE, seed=1)
    outcome = run_folder(docs, tmp_path / "fuzz", seeds_out / "interim" / "models")
    assert not outcome.crashed, outcome.log_tail
    assert outcome.unaccounted == set()
    assert len(outcome.processed) + len(outcome.rejected) == len(docs)
    assert (outcome.rejected.reason.str.len() > 0).all()
    text_kinds = {
        d.name for d in docs if d.kind in ("unbalanced quotation marks", "roster names in odd places", "very long line")
    }
    assert text_kinds <= outcome.processed, "documents of words must go through, not be rejected"
