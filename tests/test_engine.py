"""The partition engines: the local one, 2 local worker processes and a real 2-process Dask
LocalCluster give the same ordered results, keep a bounded window in flight, surface worker errors
and close cleanly.

The functions the engines run are module-level here. The Dask workers are spawned processes that
inherit this process's sys.path, which pytest has prepended with tests/ (rootdir conftest, no
__init__.py), so they import them by module path (`test_engine.<name>`), as they import
`stages.<module>.<name>` in the pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import pytest

from stages.engine import DaskEngine, LocalEngine, ProcessEngine, _in_order, make_engine, per_process

SIZES = [(i * 7) % 5 + (i % 3) for i in range(23)]  # 23 partitions of 0..6 records
PARTITIONS = [[{"id": f"p{i}r{j}", "n": i * 10 + j} for j in range(size)] for i, size in enumerate(SIZES)]


class PartitionError(ValueError):
    pass


def summarise(partition, scale, tags):
    """A pure function of the partition and the (shared, read-only) args."""
    return {
        "ids": [r["id"] for r in partition],
        "total": sum(r["n"] for r in partition) * scale["factor"],
        "tags": list(tags),  # a list argument arrives as one list, not scattered element-wise
    }


def slow_first(partition, started):
    """Partition 0 takes far longer than the rest; report when each one finished."""
    index = partition[0]
    time.sleep(0.8 if index == 0 else 0.02)
    return index, time.time()


def fail_on(partition, bad):
    if bad in partition:
        raise PartitionError(f"bad record {bad} in partition of {len(partition)}")
    return sum(partition)


_LOADS: list[str] = []


@per_process()
def heavy_model(name: str) -> tuple[str, int]:
    _LOADS.append(name)
    time.sleep(0.05)
    return name, os.getpid()


def use_model(partition, name):
    model, pid = heavy_model(name)
    return pid, _LOADS.count(name), len(partition)


@per_process()
def stamped_model(name: str) -> float:
    if name == "missing":
        raise FileNotFoundError("no model called 'missing'")
    return time.time()  # when this process loaded it


def model_stamp(partition, name):
    started = time.time()
    return stamped_model(name), started, os.getpid()


@pytest.fixture(scope="module")
def dask_engine():
    with DaskEngine(workers=2, threads_per_worker=1) as engine:
        yield engine


@pytest.fixture(scope="module")
def process_engine():
    with ProcessEngine(2) as engine:
        yield engine


def test_local_and_dask_give_identical_ordered_results(dask_engine):
    args = ({"factor": 3}, ["a", "b"])
    local = list(LocalEngine().map(summarise, iter(PARTITIONS), *args))
    dask = list(dask_engine.map(summarise, iter(PARTITIONS), *args))
    assert len(local) == 23
    assert dask == local
    assert [r["ids"] for r in local] == [[r["id"] for r in p] for p in PARTITIONS]
    assert all(r["tags"] == ["a", "b"] for r in dask)
    assert dask_engine.window() == 4  # 2 x 2 single-threaded workers


def test_results_in_order_when_earlier_partitions_are_slower(dask_engine):
    started = time.time()
    results = list(dask_engine.map(slow_first, ([i] for i in range(8)), started))
    assert [index for index, _ in results] == list(range(8))
    finished = dict(results)
    assert any(finished[i] < finished[0] for i in range(1, 8)), "partition 0 should have finished last"


def test_at_most_max_in_flight_partitions_are_pending(dask_engine, monkeypatch):
    submitted = []
    real_submit = dask_engine.client.submit

    def counting_submit(*a, **kw):
        submitted.append(1)
        return real_submit(*a, **kw)

    monkeypatch.setattr(dask_engine.client, "submit", counting_submit)
    monkeypatch.setattr(dask_engine, "max_in_flight", 3)
    pulled = []

    def source():
        for p in PARTITIONS:
            pulled.append(1)
            yield p

    outstanding = []
    for consumed, _ in enumerate(dask_engine.map(summarise, source(), {"factor": 1}, []), start=1):
        outstanding.append(len(submitted) - consumed)
        assert len(pulled) - consumed <= 3  # the corpus is read lazily, a window ahead
        time.sleep(0.005)
    assert len(submitted) == len(PARTITIONS)
    assert max(outstanding) == 3  # the window is used, and never exceeded


def test_worker_exception_surfaces_with_type_and_message(dask_engine):
    partitions = [[1, 2], [3], [4, 99, 5], [6]]
    with pytest.raises(PartitionError, match="bad record 99 in partition of 3"):
        list(dask_engine.map(fail_on, partitions, 99))
    with pytest.raises(PartitionError, match="bad record 99"):
        list(LocalEngine().map(fail_on, partitions, 99))
    # the engine is still usable afterwards, and stopping a map early is clean
    assert list(dask_engine.map(fail_on, partitions, -1)) == [3, 3, 108, 6]
    first = dask_engine.map(fail_on, partitions * 10, -1)
    assert next(first) == 3
    first.close()


def test_heavy_state_is_loaded_once_per_worker_process(dask_engine):
    heavy_model.cache_clear()
    _LOADS.clear()
    parts = [[0] * (i % 4) for i in range(20)]
    for engine in (LocalEngine(), dask_engine):
        results = list(engine.map(use_model, parts, "model-a"))
        assert [n for _, _, n in results] == [len(p) for p in parts]
        assert {loads for _, loads, _ in results} == {1}
    assert len({pid for pid, _, _ in results}) <= 2


def test_external_scheduler_is_not_shut_down(dask_engine):
    address = dask_engine.client.scheduler.address
    settings = SimpleNamespace(kind="dask", scheduler=address, workers=5)
    with make_engine(settings) as engine:
        assert isinstance(engine, DaskEngine) and engine.cluster is None
        assert list(engine.map(fail_on, [[1], [2, 3]], 0)) == [1, 5]
    assert engine.client is None
    # the cluster behind that scheduler still serves its own client
    assert list(dask_engine.map(fail_on, [[4]], 0)) == [4]


def test_local_cluster_is_closed():
    engine = make_engine(SimpleNamespace(kind="dask", scheduler=None, workers=1))
    cluster, client = engine.cluster, engine.client
    assert list(engine.map(fail_on, [[1], [2]], 0)) == [1, 2]
    engine.close()
    assert client.status == "closed"
    assert cluster.status.name == "closed"
    engine.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        next(engine.map(fail_on, [[1]], 0))


def test_worker_processes_give_the_local_results_in_order(process_engine):
    args = ({"factor": 3}, ["a", "b"])
    assert list(process_engine.map(summarise, iter(PARTITIONS), *args)) == list(
        LocalEngine().map(summarise, PARTITIONS, *args)
    )
    results = list(process_engine.map(slow_first, ([i] for i in range(6)), time.time()))
    assert [index for index, _ in results] == list(range(6))
    finished = dict(results)
    assert any(finished[i] < finished[0] for i in range(1, 6)), "the other worker should have gone on past partition 0"


def test_worker_processes_read_the_corpus_a_window_ahead_and_load_models_once(process_engine):
    pulled = []

    def source():
        for p in PARTITIONS:
            pulled.append(1)
            yield p

    ahead = [
        len(pulled) - consumed
        for consumed, _ in enumerate(process_engine.map(summarise, source(), {"factor": 1}, []), 1)
    ]
    assert max(ahead) == process_engine.window() == 4  # 2 x 2 workers, used and never exceeded
    results = list(process_engine.map(use_model, [[0] * (i % 4) for i in range(20)], "model-p"))
    assert {loads for _, loads, _ in results} == {1}  # each worker's own count of its loads
    assert len({pid for pid, _, _ in results}) <= 2 and os.getpid() not in {pid for pid, _, _ in results}


def test_worker_process_exception_surfaces_and_the_engine_closes(process_engine):
    partitions = [[1, 2], [3], [4, 99, 5], [6]]
    with pytest.raises(PartitionError, match="bad record 99 in partition of 3"):
        list(process_engine.map(fail_on, partitions, 99))
    assert list(process_engine.map(fail_on, partitions, -1)) == [3, 3, 108, 6]
    engine = ProcessEngine(1)
    assert list(engine.map(fail_on, [[1], [2]], 0)) == [1, 2]
    engine.close()
    engine.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        next(engine.map(fail_on, [[1]], 0))


def test_prepare_loads_the_model_in_the_worker_before_the_first_partition():
    """What `newsstance run` does for classify: the worker loads the encoder while earlier stages run."""
    with ProcessEngine(1) as engine:
        engine.prepare(stamped_model, "encoder")
        [(loaded, started, pid)] = list(engine.map(model_stamp, [[1]], "encoder"))
    assert loaded < started, "the partition should find the model loaded, not load it"
    assert pid != os.getpid() and stamped_model.cache_info().currsize == 0  # nothing loaded (or sent back) here
    with ProcessEngine(1) as engine:  # without prepare, the first partition loads it
        [(loaded, started, _)] = list(engine.map(model_stamp, [[1]], "encoder"))
    assert loaded >= started


def test_a_failed_prepare_surfaces_when_the_stage_needs_the_model():
    with ProcessEngine(1) as engine:
        engine.prepare(stamped_model, "missing")  # dropped here...
        with pytest.raises(FileNotFoundError, match="no model called 'missing'"):
            list(engine.map(model_stamp, [[1]], "missing"))  # ...raised where the model is used
        assert list(engine.map(fail_on, [[1, 2]], 0)) == [3]
    with pytest.raises(RuntimeError, match="closed"):
        engine.prepare(stamped_model, "encoder")


def test_make_engine_kinds():
    assert isinstance(make_engine(None), LocalEngine)
    assert isinstance(make_engine(SimpleNamespace(kind="local", scheduler=None, workers=2)), LocalEngine)
    with make_engine(SimpleNamespace(kind="local", scheduler=None, workers=1), processes=2) as engine:
        assert isinstance(engine, ProcessEngine) and engine.workers == 2
    with pytest.raises(ValueError, match="unknown engine kind 'spark'"):
        make_engine(SimpleNamespace(kind="spark", scheduler=None, workers=2))
    with LocalEngine() as engine:
        assert list(engine.map(fail_on, [[1, 2], [], [3]], 0)) == [3, 0, 3]


def test_local_engine_does_not_import_dask():
    code = textwrap.dedent(
        """
        import sys
        from types import SimpleNamespace
        from stages.engine import make_engine
        with make_engine(SimpleNamespace(kind="local", scheduler=None, workers=2)) as engine:
            assert list(engine.map(len, [[1], [2, 3]])) == [1, 2]
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
        assert not loaded, loaded
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_local_cluster_leaves_this_process_environment_alone():
    """distributed sets OMP/MKL/OPENBLAS_NUM_THREADS=1 for its workers through os.environ; left in
    the parent, every later subprocess (a whole pipeline run) would run with one BLAS thread."""
    before = dict(os.environ)
    with DaskEngine(workers=1):
        pass
    assert dict(os.environ) == before


def test_release_models_drops_what_every_per_process_loader_holds():
    from stages.engine import release_models

    loads = []

    @per_process()
    def model(name: str) -> object:
        loads.append(name)
        return object()

    first = model("m")
    assert model("m") is first and loads == ["m"]
    release_models()
    assert model("m") is not first and loads == ["m", "m"]  # loaded again: the old one was dropped


def test_release_models_keeps_the_loaders_a_later_stage_uses():
    from stages.engine import release_models

    @per_process()
    def shared(name: str) -> object:
        return object()

    @per_process()
    def own(name: str) -> object:
        return object()

    kept, dropped = shared("parser"), own("ner")
    release_models(keep=[shared])
    assert shared("parser") is kept
    assert own("ner") is not dropped


def test_refill_at_tops_up_a_full_window_only_once_it_has_drained_to_that_mark():
    """The classify worker's engine: the caller, whose partitions take long to make, makes several
    in one stretch instead of one each time a result comes back."""
    events: list[str] = []

    def source():
        for i in range(10):
            events.append(f"make {i}")
            yield [i]

    def results(refill_at):
        events.clear()
        values = list(
            _in_order(source(), 4, lambda p: p[0], lambda i: events.append(f"take {i}") or i, lambda _: None, refill_at)
        )
        assert values == list(range(10))
        return events.copy()

    eager = results(None)
    assert eager[:6] == ["make 0", "make 1", "make 2", "make 3", "take 0", "make 4"]
    stretched = results(2)
    assert stretched[:10] == [
        "make 0",
        "make 1",
        "make 2",
        "make 3",
        "take 0",
        "take 1",
        "make 4",
        "make 5",
        "take 2",
        "take 3",
    ]
    assert [e for e in stretched if e.startswith("take")] == [f"take {i}" for i in range(10)]
    assert max(ahead for ahead in in_flight(stretched)) == 4


def in_flight(events: list[str]) -> list[int]:
    made = taken = 0
    counts = []
    for event in events:
        made += event.startswith("make")
        taken += event.startswith("take")
        counts.append(made - taken)
    return counts


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its reaper counts as ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in status)
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_worker_processes_end_when_the_run_is_killed():
    """A run killed with SIGKILL (by hand, by the OOM killer) leaves no worker waiting forever."""
    script = textwrap.dedent("""
        import os, sys, time
        from stages.engine import ProcessEngine
        engine = ProcessEngine(2)
        list(engine.map(len, [[1], [2], [3], [4]]))
        print(" ".join(str(pid) for pid in engine.pool._processes), flush=True)
        time.sleep(60)
    """)
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in run.stdout.readline().split()]
    assert workers and all(_alive(pid) for pid in workers)
    run.kill()
    run.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "the workers outlived the killed run"
