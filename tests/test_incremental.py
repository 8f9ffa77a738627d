"""The per-document cache: a rerun recomputes only what changed and never serves a stale row.

Each case runs the per-document stages (sentences, entities, statements, classify) on a small
corpus with a cache, changes one thing, runs again, and checks both what was recomputed and that
the tables equal a run without any cache.
"""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT

from newsstance.config import load_params
from newsstance.schema import SENTENCES
from stages import cache as cache_module
from stages import classify, classify_worker, entities, flow, ingest, sentences, statements
from stages.cache import CacheError, DocCache, incremental
from stages.io import TableWriter, iter_rows
from stages.provenance import read_provenance, stage_provenance

STAGES = ("sentences", "entities", "statements", "classify")
TABLES = ("sentences", "entities", "statements_raw", "sentiment_scores", "stance_scores")

EXTRA = """Kremlin rejects missile talk

Dmitry Peskov, the Kremlin spokesman, said on Monday that Moscow would answer any delivery of long-range missiles.

"We will see what happens," he told reporters. "Our position has not changed."

Volodymyr Zelenskyy warned that each week of delay cost lives.
"""


def run_stages(raw: Path, out: Path, models: Path, params, cached: bool = True) -> dict[str, DocCache]:
    """The per-document stages one after another, as DVC runs them; returns each stage's cache."""
    i = out / "interim"
    c = (lambda stage: out / "cache" / stage) if cached else (lambda stage: None)
    ingest.run(raw, i / "documents.parquet", i / "rejected.parquet", params)
    return {
        "sentences": sentences.run(
            i / "documents.parquet", i / "sentences.parquet", i / "parsed.parquet", params, c("sentences")
        ),
        "entities": entities.run(
            i / "parsed.parquet", i / "entities.parquet", i / "tagged.parquet", params, c("entities")
        ),
        "statements": statements.run(i / "tagged.parquet", i / "statements_raw.parquet", params, c("statements")),
        "classify": classify.run(
            i / "statements_raw.parquet",
            i / "documents.parquet",
            models,
            i / "sentiment_scores.parquet",
            i / "stance_scores.parquet",
            params,
            c("classify"),
        ),
    }


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / "interim" / f"{name}.parquet") for name in TABLES}


def assert_same_tables(a: Path, b: Path) -> None:
    left, right = tables(a), tables(b)
    for name in TABLES:
        pd.testing.assert_frame_equal(left[name], right[name], check_categorical=False, obj=name)


def counts(caches: dict[str, DocCache]) -> dict[str, tuple[int, int]]:
    """stage -> (documents from the cache, documents computed)."""
    return {stage: (c.hits, c.misses) for stage, c in caches.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, seeds_out):
    raw = tmp_path_factory.mktemp("raw")
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        shutil.copy(path, raw / path.name)
    (raw / "extra.txt").write_text(EXTRA, encoding="utf-8")
    return raw, seeds_out / "interim" / "models"


@pytest.fixture(scope="module")
def params():
    return load_params(ROOT / "params.yaml")


@pytest.fixture
def warm(corpus, params, tmp_path):
    """A cached run of the 4-document corpus, in a copy of its own."""
    raw, models = corpus
    raw_copy = tmp_path / "raw"
    shutil.copytree(raw, raw_copy)
    first = run_stages(raw_copy, tmp_path / "out", models, params)
    assert counts(first) == {stage: (0, 4) for stage in STAGES}
    return raw_copy, tmp_path / "out", models


def fresh(raw: Path, models: Path, params, tmp_path: Path) -> Path:
    out = tmp_path / "fresh"
    run_stages(raw, out, models, params, cached=False)
    return out


def test_a_second_run_computes_nothing_and_writes_the_same_tables(warm, params, tmp_path):
    raw, out, models = warm
    before = tables(out)
    again = run_stages(raw, out, models, params)
    assert counts(again) == {stage: (4, 0) for stage in STAGES}
    for name, frame in tables(out).items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)
    assert_same_tables(out, fresh(raw, models, params, tmp_path))


def test_editing_one_document_recomputes_only_that_document(warm, params, tmp_path):
    raw, out, models = warm
    path = raw / "extra.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("cost lives", "cost many lives"), encoding="utf-8")
    again = run_stages(raw, out, models, params)
    assert counts(again) == {stage: (3, 1) for stage in STAGES}
    assert_same_tables(out, fresh(raw, models, params, tmp_path))
    # The edited document's old entries are gone: one entry per document and stage.
    assert {stage: len(list((out / "cache" / stage).iterdir())) for stage in STAGES} == {s: 4 for s in STAGES}


def test_dating_one_document_recomputes_only_that_document(warm, params, tmp_path):
    """Its date is on its Doc (who a dated title names depends on it) and on each of its rows."""
    raw, out, models = warm
    (raw / "metadata.csv").write_text("file,date,outlet\nextra.txt,2025-10-20,Daily Ledger\n", encoding="utf-8")
    again = run_stages(raw, out, models, params)
    # classify keys on what the heads read, the statements and their context, never the date
    assert counts(again) == {"sentences": (3, 1), "entities": (3, 1), "statements": (3, 1), "classify": (4, 0)}
    assert_same_tables(out, fresh(raw, models, params, tmp_path))
    rows = tables(out)["statements_raw"]
    extra = rows[rows["doc_id"] == "extra"]
    assert len(extra) and {str(d) for d in extra["date"]} == {"2025-10-20"} and set(extra["outlet"]) == {"Daily Ledger"}
    assert rows[rows["doc_id"] != "extra"]["date"].isna().all()


def test_adding_and_removing_documents(warm, params, tmp_path):
    raw, out, models = warm
    (raw / "extra.txt").unlink()
    shutil.copy(
        ROOT
        / "data"
        / "dev"
        / "articles"
        / sorted(p.name for p in (ROOT / "data" / "dev" / "articles").glob("*.txt"))[0],
        raw / "new.txt",
    )
    again = run_stages(raw, out, models, params)
    assert counts(again)["sentences"] == (3, 1)
    assert_same_tables(out, fresh(raw, models, params, tmp_path))


def test_a_param_change_recomputes_the_stages_that_read_it_and_nothing_else(warm, params, tmp_path):
    raw, out, models = warm
    cues = [v for v in params.statements.cue_verbs if v not in ("warn", "tell")]
    changed = params.model_copy(update={"statements": params.statements.model_copy(update={"cue_verbs": cues})})
    before = pd.read_parquet(out / "interim" / "statements_raw.parquet")
    again = run_stages(raw, out, models, changed)
    after = pd.read_parquet(out / "interim" / "statements_raw.parquet")
    assert counts(again)["sentences"] == (4, 0) and counts(again)["entities"] == (4, 0)
    assert counts(again)["statements"] == (0, 4)
    # classify recomputes exactly the documents whose statements changed.
    changed_docs = {
        d
        for d in set(before.doc_id) | set(after.doc_id)
        if before[before.doc_id == d][["statement_id", "content"]].values.tolist()
        != after[after.doc_id == d][["statement_id", "content"]].values.tolist()
    }
    assert changed_docs, "the cue change should change some statements"
    assert again["classify"].misses == len(changed_docs & set(after.doc_id))
    assert_same_tables(out, fresh(raw, models, changed, tmp_path))


def test_a_code_change_rekeys_the_cache(warm, params, monkeypatch):
    raw, out, models = warm
    real = cache_module.code_version
    monkeypatch.setattr(
        cache_module, "code_version", lambda stage: real(stage) + ("-edited" if stage == "entities" else "")
    )
    again = run_stages(raw, out, models, params)
    assert counts(again)["sentences"] == (4, 0)
    assert counts(again)["entities"] == (0, 4)


def test_the_cache_is_safe_to_delete(warm, params, tmp_path):
    raw, out, models = warm
    before = tables(out)
    shutil.rmtree(out / "cache")
    again = run_stages(raw, out, models, params)
    assert counts(again) == {stage: (0, 4) for stage in STAGES}
    for name, frame in tables(out).items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


def test_a_damaged_entry_is_an_error_that_names_the_remedy(warm, params):
    raw, out, models = warm
    entry = next((out / "cache" / "statements").iterdir())
    entry.write_bytes(b"\xc1 not msgpack")
    with pytest.raises(CacheError, match="delete .*statements"):
        run_stages(raw, out, models, params)


def test_incremental_keeps_order_and_streams_cached_items(tmp_path):
    """Results come back in item order however cached and computed items interleave, and `compute`
    sees only the items that were not cached."""
    cache = DocCache(tmp_path, "salt")
    fed: list[int] = []

    def compute(items):
        for item in items:
            fed.append(item)
            yield {"value": item * 10}

    assert list(incremental([1, 3], str, compute, cache)) == [{"value": 10}, {"value": 30}]
    fed.clear()
    cache = DocCache(tmp_path, "salt")
    assert [r["value"] for r in incremental([0, 1, 2, 3, 4], str, compute, cache)] == [0, 10, 20, 30, 40]
    assert fed == [0, 2, 4] and (cache.hits, cache.misses) == (2, 3)
    assert cache.prune() == 0
    cache = DocCache(tmp_path, "salt")
    list(incremental([4], str, compute, cache))
    assert cache.prune() == 4  # entries of items 0-3 are no longer used


def test_table_writer_writes_row_groups_and_nothing_on_error(tmp_path, params):
    provenance = stage_provenance("sentences", params, ("sentences",))
    rows = [
        {
            "doc_id": f"d{i}",
            "sent_index": 0,
            "paragraph": 0,
            "start": 0,
            "end": 1,
            "text": "x",
            "is_heading": False,
            "is_body": True,
        }
        for i in range(5)
    ]
    path = tmp_path / "s.parquet"
    with TableWriter(SENTENCES, path, provenance, group_rows=2) as out:
        for row in rows:
            out.write([row])
    assert pq.ParquetFile(path).num_row_groups == 3
    assert [r["doc_id"] for r in iter_rows(path, SENTENCES, 2)] == [r["doc_id"] for r in rows]
    with pytest.raises(RuntimeError):
        with TableWriter(SENTENCES, tmp_path / "t.parquet", provenance) as out:
            out.write(rows)
            raise RuntimeError("stage failed")
    assert not (tmp_path / "t.parquet").exists() and not list(tmp_path.glob(".t.parquet.*"))


def test_local_worker_processes_write_the_same_tables(corpus, params, tmp_path):
    """engine.n_process 2: the spaCy stages (sentences, entities, statements) send one document per
    partition to 2 worker processes and write the tables of a single-process run."""
    raw, models = corpus
    two = params.model_copy(
        update={
            "engine": params.engine.model_copy(update={"n_process": 2, "partition_docs": 1}),
        }
    )
    caches = run_stages(raw, tmp_path / "two", models, two)
    assert counts(caches) == {stage: (0, 4) for stage in STAGES}
    run_stages(raw, tmp_path / "one", models, params, cached=False)
    assert_same_tables(tmp_path / "two", tmp_path / "one")


def test_classify_in_a_prepared_worker_writes_the_same_tables(corpus, params, tmp_path):
    """`newsstance run` classifies in a worker that loaded the encoder while the earlier stages ran."""
    raw, models = corpus
    run_stages(raw, tmp_path / "here", models, params, cached=False)
    i = tmp_path / "here" / "interim"
    with classify_worker.prepared_engine(params) as worker:
        cache = classify.run(
            i / "statements_raw.parquet",
            i / "documents.parquet",
            models,
            tmp_path / "sentiment.parquet",
            tmp_path / "stance.parquet",
            params,
            tmp_path / "cache",
            worker,
        )
    assert (cache.hits, cache.misses) == (0, 4)
    for name in ("sentiment", "stance"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / f"{name}.parquet"), pd.read_parquet(i / f"{name}_scores.parquet")
        )
    dask = params.model_copy(update={"engine": params.engine.model_copy(update={"kind": "dask"})})
    assert classify_worker.prepared_engine(dask) is None  # classify runs on the cluster's workers


def test_the_dask_engine_writes_the_same_tables(corpus, params, tmp_path, monkeypatch):
    """The same stages on a 2-worker local Dask cluster, one document per partition, equal the
    local engine's tables (and fill the cache the local engine then reads)."""
    raw, models = corpus
    monkeypatch.setattr(classify, "WINDOW_STATEMENTS", 1)  # classify's partitions: one document each too
    on_dask = params.model_copy(
        update={
            "engine": params.engine.model_copy(
                update={"kind": "dask", "scheduler": None, "workers": 2, "partition_docs": 1}
            )
        }
    )
    caches = run_stages(raw, tmp_path / "dask", models, on_dask)
    assert counts(caches) == {stage: (0, 4) for stage in STAGES}
    run_stages(raw, tmp_path / "local", models, params, cached=False)
    assert_same_tables(tmp_path / "dask", tmp_path / "local")
    shutil.copytree(tmp_path / "dask" / "cache", tmp_path / "local" / "cache")
    assert counts(run_stages(raw, tmp_path / "local", models, params)) == {stage: (4, 0) for stage in STAGES}


def run_chained(raw: Path, out: Path, models: Path, params, worker=None) -> dict[str, DocCache]:
    """The same stages as one stream of documents (stages.flow), as `newsstance run` calls them."""
    i = out / "interim"
    ingest.run(raw, i / "documents.parquet", i / "rejected.parquet", params)
    names = {"sentiment": "sentiment_scores", "stance": "stance_scores"}
    return flow.run(
        lambda name: i / f"{names.get(name, name)}.parquet", models, params, lambda stage: out / "cache" / stage, worker
    )


def test_the_chained_stream_writes_the_tables_of_the_stages_run_one_by_one(corpus, params, tmp_path, monkeypatch):
    """`newsstance run`'s stream (sentences -> entities -> statements -> classify in a worker, one
    document after another) writes the tables the stages write one by one, and recomputes only an
    edited document. Windows of 8 statements: each document goes to the worker on its own, while
    the next is parsed."""
    monkeypatch.setattr(classify, "WINDOW_STATEMENTS", 8)
    raw, models = corpus
    raw_copy = tmp_path / "raw"
    shutil.copytree(raw, raw_copy)
    with classify_worker.prepared_engine(params) as worker:
        first = run_chained(raw_copy, tmp_path / "out", models, params, worker)
    assert counts(first) == {stage: (0, 4) for stage in STAGES}
    assert_same_tables(tmp_path / "out", fresh(raw_copy, models, params, tmp_path))
    for name in TABLES:  # the stages' provenance too: the stream reads no table the stage before wrote
        assert read_provenance(tmp_path / "out" / "interim" / f"{name}.parquet") == read_provenance(
            tmp_path / "fresh" / "interim" / f"{name}.parquet"
        )

    path = raw_copy / "extra.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("cost lives", "cost many lives"), encoding="utf-8")
    again = run_chained(raw_copy, tmp_path / "out", models, params)
    assert counts(again) == {stage: (3, 1) for stage in STAGES}
    shutil.rmtree(tmp_path / "fresh")
    assert_same_tables(tmp_path / "out", fresh(raw_copy, models, params, tmp_path))


def test_a_failure_in_the_stream_leaves_no_table_half_written(corpus, params, tmp_path, monkeypatch):
    """Attribution fails on the second document and the run is strict (engine.strict; without it the
    document would be rejected, tests/test_faults.py). The statements table, half written (each stage
    yields a document's result as soon as it is written), never appears, nor do classify's; the
    stages before, whose partitions the stream had finished, wrote whole tables, and the sentences
    stage's cache keeps what it computed."""
    raw, models = corpus
    attribute = statements._attribute

    def fails_on_the_second(items, params):
        results = attribute(items, params)
        yield next(results)
        raise RuntimeError("attribution failed")

    monkeypatch.setattr(statements, "_attribute", fails_on_the_second)
    strict = params.model_copy(update={"engine": params.engine.model_copy(update={"strict": True})})
    with pytest.raises(RuntimeError, match="attribution failed"):
        run_chained(raw, tmp_path / "out", models, strict)
    interim = tmp_path / "out" / "interim"
    assert not [p.name for p in interim.iterdir() if p.suffix != ".parquet"]  # no temp file left behind
    assert sorted(p.name for p in interim.iterdir()) == [
        "documents.parquet",
        "entities.parquet",
        "parsed.parquet",
        "rejected.parquet",
        "rejected_entities.parquet",
        "rejected_sentences.parquet",
        "sentences.parquet",
        "tagged.parquet",
    ]
    for name in ("parsed", "sentences", "tagged"):
        assert pd.read_parquet(interim / f"{name}.parquet").doc_id.nunique() == 4, name
    assert len(list((tmp_path / "out" / "cache" / "sentences").iterdir())) == 4


def test_a_classify_worker_leaves_a_core_to_the_parser_while_it_parses(monkeypatch):
    torch = pytest.importorskip("torch")
    default = torch.get_num_threads()
    parsing = multiprocessing.Event()
    monkeypatch.setattr(classify_worker, "_PARENT_PARSING", parsing)
    monkeypatch.setattr(classify_worker, "_THREADS", default)
    try:
        parsing.set()
        classify_worker._fit_threads()
        assert torch.get_num_threads() == max(1, default - 1)
        parsing.clear()
        classify_worker._fit_threads()
        assert torch.get_num_threads() == default
    finally:
        torch.set_num_threads(default)


def test_classify_partitions_start_small_and_keep_every_document_in_order():
    """A ClassifyWorker starts encoding after the first eighth of a window, not a whole one."""
    items = [{"doc_id": f"d{i}", "statements": [None] * (i % 7 + 1)} for i in range(600)]
    parts = list(classify.partitions(iter(items)))
    assert [item for part in parts for item in part] == items
    sizes = [sum(len(item["statements"]) for item in part) for part in parts]
    window = classify.WINDOW_STATEMENTS
    for size, least in zip(sizes[:-1], [window // 8, window // 4, window // 2] + [window] * len(sizes)):
        assert least <= size < least + 7  # closed as soon as the document that reaches it is in
    assert len(sizes) > 4


def test_a_stream_without_any_document_writes_every_table_empty(corpus, params, tmp_path):
    """Every file rejected (here: one empty file): each stage's tables still appear, with no rows."""
    _, models = corpus
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_text("", encoding="utf-8")
    caches = run_chained(raw, tmp_path / "out", models, params)
    assert counts(caches) == {stage: (0, 0) for stage in STAGES}
    interim = tmp_path / "out" / "interim"
    assert len(pd.read_parquet(interim / "rejected.parquet")) == 1
    for name in TABLES + ("parsed", "tagged"):
        assert pq.read_metadata(interim / f"{name}.parquet").num_rows == 0, name
