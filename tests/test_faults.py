"""One bad document never stops a run: a per-document stage that fails on a document rejects it,
lists it with the stage and the error, and processes every other document as if it were not there.

The failure is injected by wrapping a stage's real per-document function (`poisoned`) so that it
raises on one document, as a stage does on an input it cannot handle; everything else is real.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from conftest import HOSTILE_NAME, ROOT

from newsstance.schema import TAGGED
from stages import classify, entities, flow, ingest, sentences, statements, table
from stages.cache import DocCache, stream_documents
from stages.faults import is_rejected, isolated, reason
from stages.io import iter_rows

POISON = "extra"  # doc_id of the document the wrapped stage fails on
EXTRA = """Kremlin rejects missile talk

Dmitry Peskov, the Kremlin spokesman, said on Monday that Moscow would answer any delivery of long-range missiles.

"We will see what happens," he told reporters. "Our position has not changed."
"""
STAGE_FUNCTIONS = {
    "sentences": (sentences, "_parse"),
    "entities": (entities, "_tag"),
    "statements": (statements, "_attribute"),
    "classify": (classify, "_classify"),
}
TABLES = ("statements", "stances", "speakers")


class Poisoned(RuntimeError):
    pass


def poisoned(process, doc_id: str, items, *args):
    """`process`, failing on document `doc_id` when it reads it. Module-level: worker processes
    and Dask workers unpickle it by name."""

    def reading(items):
        for item in items:
            if item["doc_id"] == doc_id:
                raise Poisoned(f"cannot handle {doc_id}\n(second line)")
            yield item

    return process(reading(items), *args)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory, seeds_out):
    """The seed articles with and without the document the stages will fail on, and fitted heads."""
    clean, with_extra = tmp_path_factory.mktemp("clean"), tmp_path_factory.mktemp("with_extra")
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        shutil.copy(path, clean / path.name)
        shutil.copy(path, with_extra / path.name)
    (with_extra / f"{POISON}.txt").write_text(EXTRA, encoding="utf-8")
    return clean, with_extra, seeds_out / "interim" / "models"


def run(raw: Path, out: Path, models: Path, params, chained: bool = False) -> None:
    """Every stage but the report, as DVC runs them one by one or as `newsstance run` streams them."""
    i = out / "interim"
    names = {"sentiment": "sentiment_scores", "stance": "stance_scores"}
    f = lambda name: i / f"{names.get(name, name)}.parquet"  # noqa: E731
    ingest.run(raw, f("documents"), f("rejected"), params)
    if chained:
        flow.run(f, models, params, lambda stage: out / "cache" / stage, None)
    else:
        sentences.run(
            f("documents"), f("sentences"), f("parsed"), params, out / "cache" / "sentences", f("rejected_sentences")
        )
        entities.run(
            f("parsed"), f("entities"), f("tagged"), params, out / "cache" / "entities", f("rejected_entities")
        )
        statements.run(
            f("tagged"),
            f("statements_raw"),
            params,
            out / "cache" / "statements",
            f("rejected_statements"),
        )
        classify.run(
            f("statements_raw"),
            f("documents"),
            models,
            f("sentiment"),
            f("stance"),
            params,
            out / "cache" / "classify",
            rejected=f("rejected_classify"),
        )
    table.run(
        f("statements_raw"),
        f("sentiment"),
        f("stance"),
        f("rejected"),
        out,
        params,
        stage_rejected=[f(f"rejected_{stage}") for stage in STAGE_FUNCTIONS],
        documents=f("documents"),
    )


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


@pytest.fixture(scope="module")
def clean_out(corpora, params, tmp_path_factory):
    clean, _, models = corpora
    out = tmp_path_factory.mktemp("clean-out")
    run(clean, out, models, params)
    return out


def test_isolated_runs_a_failing_partition_again_document_by_document():
    double = lambda items: ({"doc_id": item["doc_id"], "value": 2 * item["value"]} for item in items)  # noqa: E731
    partition = [{"doc_id": d, "value": v} for d, v in (("a", 1), (POISON, 2), ("c", 3))]
    results = isolated(partial(poisoned, double, POISON), "statements", False, partition)
    assert [r["doc_id"] for r in results] == ["a", POISON, "c"]
    assert [r.get("value") for r in results] == [2, None, 6]
    assert is_rejected(results[1])
    assert results[1]["rejected"] == {"stage": "statements", "reason": "Poisoned: cannot handle extra (second line)"}
    with pytest.raises(Poisoned):
        isolated(partial(poisoned, double, POISON), "statements", True, partition)


def test_a_reason_is_one_line_of_bounded_length():
    assert reason(ValueError("a\nb   c")) == "ValueError: a b c"
    assert reason(KeyError()) == "KeyError"
    assert len(reason(ValueError("x" * 10_000))) == 500


@pytest.mark.parametrize("chained", [False, True], ids=["one-by-one", "streamed"])
@pytest.mark.parametrize("stage", list(STAGE_FUNCTIONS))
def test_a_document_a_stage_fails_on_is_rejected_and_the_others_are_untouched(
    stage, chained, corpora, clean_out, params, tmp_path, monkeypatch, caplog
):
    _, with_extra, models = corpora
    module, name = STAGE_FUNCTIONS[stage]
    monkeypatch.setattr(module, name, partial(poisoned, getattr(module, name), POISON))
    run(with_extra, tmp_path, models, params, chained)

    rejected = read(tmp_path, "rejected")
    assert rejected.to_dict("records") == [
        {"file": f"{POISON}.txt", "stage": stage, "reason": "Poisoned: cannot handle extra (second line)"}
    ]
    assert f"document {POISON} rejected" in caplog.text and f"rejected {POISON}.txt ({stage})" in caplog.text
    for name in TABLES:  # the other documents' rows exactly as in a run without the bad one
        pd.testing.assert_frame_equal(read(tmp_path, name), read(clean_out, name), obj=name)
    later = list(STAGE_FUNCTIONS)[list(STAGE_FUNCTIONS).index(stage) :]
    for name in later:  # each stage from the failing one on lists it, or never saw it
        listed = read(tmp_path / "interim", f"rejected_{name}")
        assert list(listed.doc_id) == ([POISON] if name == stage else [])
    # not cached: the next run tries the document again (and, the stage fixed, processes it)
    assert len(list((tmp_path / "cache" / stage).glob("*.msgpack"))) == 3
    if not chained:  # (the streamed run reads and writes the same caches)
        monkeypatch.undo()
        run(with_extra, tmp_path, models, params, chained)
        assert read(tmp_path, "rejected").empty
        assert POISON in set(read(tmp_path, "statements").doc_id.astype(str))


def test_strict_fails_on_the_first_error(corpora, params, tmp_path, monkeypatch):
    _, with_extra, models = corpora
    monkeypatch.setattr(statements, "_attribute", partial(poisoned, statements._attribute, POISON))
    strict = params.model_copy(update={"engine": params.engine.model_copy(update={"strict": True})})
    with pytest.raises(Poisoned):
        run(with_extra, tmp_path, models, strict)


@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_every_engine_rejects_the_document_and_returns_the_others(engine, corpora, params, tmp_path, clean_out):
    """The statements stage's real function in two worker processes, and on a 2-worker Dask
    cluster, one document per partition and two per partition."""
    _, with_extra, models = corpora
    run(with_extra, tmp_path / "local", models, params)  # the tables statements reads
    interim = tmp_path / "local" / "interim"
    items = list(iter_rows(interim / "tagged.parquet", TAGGED))
    for partition_docs in (1, 2):
        settings = params.engine.model_copy(
            update={
                "kind": "local" if engine == "processes" else "dask",
                "scheduler": None,
                "workers": 2,
                "partition_docs": partition_docs,
            }
        )
        results = list(
            stream_documents(
                "statements",
                items,
                statements.document_digest,
                partial(poisoned, statements._attribute, POISON),
                (params,),
                DocCache(None, ""),
                settings,
                n_process=2 if engine == "processes" else 1,
            )
        )
        assert [r["doc_id"] for r in results] == [item["doc_id"] for item in items]
        bad = [r for r in results if is_rejected(r)]
        assert [r["doc_id"] for r in bad] == [POISON]
        assert bad[0]["rejected"]["stage"] == "statements"
        attributor, nlp = statements._attributor(params.model_dump_json())
        expected = [r for r in statements.attribute_documents(items, attributor, nlp.vocab) if r["doc_id"] != POISON]
        assert [r for r in results if not is_rejected(r)] == expected


def test_newsstance_run_on_a_long_line_and_hostile_files_beside_good_articles(tmp_path, seeds_out):
    """The issue's folder: three good articles, a 1,000,021-character line (over spaCy's limit) and
    the hostile files the report tests use. One run, exit 0, every file accounted for."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")) + [ROOT / "data" / "raw" / "metadata.csv"]:
        shutil.copy(path, raw / path.name)
    long_line = "Trump said that " + "very " * 200_000 + "good."
    assert len(long_line) == 1_000_021
    (raw / "long.txt").write_text(long_line, encoding="utf-8")
    (raw / HOSTILE_NAME).write_text("Putin said “<script>alert(1)</script> is fine.”\n", encoding="utf-8")
    (raw / "empty.txt").write_text("")
    (raw / "latin.txt").write_bytes(b"Talks in the caf\xe9 were \x93useful\x94, officials said.\n")
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "out"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "newsstance"), "run", str(raw), "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "file(s) rejected" in done.stderr

    documents = pd.read_parquet(out / "interim" / "documents.parquet")
    rejected = pd.read_parquet(out / "rejected.parquet")
    files = {p.name for p in raw.glob("*.txt")}  # the articles (metadata.csv describes them)
    assert set(documents.file) | set(rejected.file) == files, "every file is processed or rejected"
    assert not set(documents.file) & set(rejected[rejected.stage != "ingest"].file)
    assert set(rejected.file) == {"empty.txt", "binary.txt"} and set(rejected.stage) == {"ingest"}
    sentences_of_long = pd.read_parquet(out / "interim" / "sentences.parquet").query("doc_id == 'long'")
    assert sentences_of_long.end.max() == len(long_line)

    seeds = [p.stem for p in (ROOT / "data" / "raw").glob("*.txt")]
    ours, theirs = read(out, "statements"), read(seeds_out, "statements")
    pd.testing.assert_frame_equal(
        ours[ours.doc_id.isin(seeds)].reset_index(drop=True), theirs.reset_index(drop=True), check_categorical=False
    )
