"""Where a stage's partitions run: in this process (`LocalEngine`), in local worker processes
(`ProcessEngine`, the local engine with `engine.n_process` > 1) or on a Dask cluster (`DaskEngine`).

A stage splits its documents into partitions (lists of small picklable records), hands a
*module-level* function to `engine.map(func, partitions, *args)` and consumes the results lazily,
in partition order, writing each one out before asking for the next:

    with make_engine(params.engine) as engine:
        for rows in engine.map(process_partition, partitions(docs), params.statements):
            writer.write(rows)

Every engine yields exactly `func(partition, *args)` for each partition, in order, so a deterministic
`func` gives the same tables on any. Only a bounded window of partitions is ever in flight, so
memory does not grow with the size of the corpus.

Rules for `func`: define it at module level in `stages.*` (Dask workers import it by module path,
which works because the project is installed with `pip install -e .` on every worker); treat `args`
as read-only (on Dask they are broadcast once and shared by every partition a worker runs); return
something picklable. Load heavy state (a spaCy pipeline, an encoder) through a `per_process`
loader, so each worker process loads it once, not once per partition.

`dask` / `distributed` are imported only when a `DaskEngine` is made.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
KINDS = ("local", "dask")


def _in_order(
    partitions: Iterable[list],
    window: int,
    submit: Callable[[list], Any],
    result: Callable[[Any], T],
    drop: Callable[[list], None],
    refill_at: int | None = None,
) -> Iterator[T]:
    """Submit partitions up to `window` ahead of the one being consumed; yield their results in
    partition order. With `refill_at`, a full window is topped up again only once no more than that
    many partitions are pending (the caller, whose next partitions are slow to make, then does so in
    one stretch). `drop` gets the still-pending futures when the caller stops early or one fails."""
    source = iter(partitions)
    pending: deque = deque()

    def fill() -> None:
        while len(pending) < window:
            try:
                partition = next(source)
            except StopIteration:
                return
            pending.append(submit(partition))

    try:
        fill()
        while pending:
            value = result(pending.popleft())  # re-raises func's exception, same type and message
            if refill_at is None or len(pending) <= refill_at:
                fill()  # keep the workers busy while the caller writes this result out
            yield value
    finally:
        if pending:
            drop(list(pending))
        pending.clear()


class _Engine:
    """Context-manager plumbing shared by every engine."""

    def map(self, func: Callable[..., T], partitions: Iterable[list], *args: Any) -> Iterator[T]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LocalEngine(_Engine):
    """Runs partitions in this process, one at a time (the default)."""

    kind = "local"

    def map(self, func: Callable[..., T], partitions: Iterable[list], *args: Any) -> Iterator[T]:
        for partition in partitions:
            yield func(partition, *args)

    def __repr__(self) -> str:
        return "LocalEngine()"


class ProcessEngine(_Engine):
    """Runs partitions in `workers` processes of this machine, `max_in_flight` (default 2 x workers)
    ahead of the one being consumed.

    Why not spaCy's own `nlp.pipe(n_process=...)`: its workers send back whole Docs, which this
    process must deserialise and then turn into rows and bytes again, ~18 % of the single-process
    work done serially while two workers wait on it. Here a worker returns the finished rows.
    Workers start the way `multiprocessing` starts them by default (fork on Linux, as spaCy's do).
    """

    kind = "processes"

    def __init__(
        self,
        workers: int,
        max_in_flight: int | None = None,
        initializer: Callable[..., None] | None = None,
        initargs: tuple = (),
        refill_at: int | None = None,
    ):
        """`initializer(*initargs)` runs in each worker as it starts (as ProcessPoolExecutor's does);
        `refill_at`: top up a full window only once this many partitions are pending (default: at once)."""
        from concurrent.futures import ProcessPoolExecutor

        if workers < 1 or (max_in_flight is not None and max_in_flight < 1):
            raise ValueError(
                f"a process engine needs workers >= 1 and max_in_flight >= 1, not {workers} and {max_in_flight}"
            )
        self.workers, self.max_in_flight, self.refill_at = workers, max_in_flight, refill_at
        self.pool = ProcessPoolExecutor(
            workers, initializer=_start_worker, initargs=(os.getpid(), initializer, initargs)
        )

    def window(self) -> int:
        """How many partitions may be in flight at once."""
        return self.max_in_flight or 2 * self.workers

    def prepare(self, func: Callable[..., Any], *args: Any) -> None:
        """Start the workers now and have them run `func(*args)` (a `per_process` loader) before any
        partition, so a stage's model loads while this process does other work. Its result and any
        error are dropped: the stage's own call of the loader returns the loaded model, or raises."""
        if self.pool is None:
            raise RuntimeError("this ProcessEngine is closed")
        for _ in range(self.workers):
            self.pool.submit(_call_for_effect, func, *args)

    def map(self, func: Callable[..., T], partitions: Iterable[list], *args: Any) -> Iterator[T]:
        if self.pool is None:
            raise RuntimeError("this ProcessEngine is closed")
        pool = self.pool
        yield from _in_order(
            partitions,
            self.window(),
            lambda partition: pool.submit(func, partition, *args),
            lambda future: future.result(),
            lambda pending: [f.cancel() for f in pending],
            self.refill_at,
        )

    def close(self) -> None:
        pool, self.pool = getattr(self, "pool", None), None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __repr__(self) -> str:
        return f"ProcessEngine({self.workers})"


def _start_worker(parent: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """In each worker as it starts: end with this process, then the caller's initializer. A killed
    run (SIGKILL, the OOM killer) would otherwise leave its workers waiting on their queue forever."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
    if initializer is not None:
        initializer(*initargs)


def _call_for_effect(func: Callable[..., Any], *args: Any) -> None:
    """func(*args) in a worker, sending nothing back: a loaded model would be pickled to the caller."""
    func(*args)


class DaskEngine(_Engine):
    """Runs partitions on a Dask cluster: the scheduler at `address`, or a LocalCluster with
    `workers` worker processes when address is None.

    `max_in_flight` bounds how many partitions are submitted ahead of the one being consumed
    (default: twice the cluster's worker threads, i.e. 2 x workers with one thread per worker).
    A local cluster is shut down by `close()`; an external scheduler is only disconnected from.
    """

    kind = "dask"

    def __init__(
        self,
        address: str | None = None,
        workers: int = 2,
        threads_per_worker: int = 1,
        max_in_flight: int | None = None,
    ):
        from distributed import Client, LocalCluster  # lazy: the local engine never imports dask

        if max_in_flight is not None and max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
        self.address = address
        self.max_in_flight = max_in_flight
        self.cluster = None
        if address is None:
            if workers < 1 or threads_per_worker < 1:
                raise ValueError(
                    f"a local cluster needs workers >= 1 and threads_per_worker >= 1, "
                    f"not {workers} and {threads_per_worker}"
                )
            environ = dict(os.environ)
            try:
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=threads_per_worker,
                    processes=True,  # the GIL-bound work (spaCy, tokenisers) needs real processes
                    dashboard_address="127.0.0.1:0",  # a free local port: never clashes with a running 8787
                )
            finally:
                # Starting workers sets OMP/MKL/OPENBLAS_NUM_THREADS=1 in *this* process's environment
                # (distributed's pre-spawn-environ); left there, it would change the thread count of
                # every process this one starts later.
                os.environ.clear()
                os.environ.update(environ)
            try:
                self.client = Client(self.cluster, set_as_default=False)
            except BaseException:
                self.cluster.close()
                raise
        else:
            self.client = Client(address, set_as_default=False)
        log.info("dask engine: scheduler %s, %d worker thread(s)", self.client.scheduler.address, self.nthreads())

    def nthreads(self) -> int:
        """Worker threads the scheduler knows of now (workers of an external cluster may come and go)."""
        return sum(self.client.nthreads().values())

    def window(self) -> int:
        """How many partitions may be in flight at once."""
        if self.max_in_flight is not None:
            return self.max_in_flight
        return max(2, 2 * self.nthreads())

    def map(self, func: Callable[..., T], partitions: Iterable[list], *args: Any) -> Iterator[T]:
        if self.client is None:
            raise RuntimeError("this DaskEngine is closed")
        client = self.client
        # Each argument is sent to every worker once and passed to tasks by reference. Scattering the
        # *list* of args yields one future per argument (a list argument stays one object).
        shared = client.scatter(list(args), broadcast=True, hash=False) if args else []

        def result(future):
            value = future.result()
            future.release()
            return value

        def drop(pending: list) -> None:
            if client.status == "running":  # else the engine was closed first, taking it all along
                client.cancel(pending)

        try:
            yield from _in_order(
                partitions,
                self.window(),
                lambda partition: client.submit(func, partition, *shared, pure=False),
                result,
                drop,
            )
        finally:
            if client.status == "running":
                for future in shared:
                    future.release()

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), getattr(self, "cluster", None)
        self.client = self.cluster = None
        if client is not None:
            client.close()
        if cluster is not None:  # ours: shut it down; an external scheduler is left running
            cluster.close()

    def __repr__(self) -> str:
        where = self.address or "local cluster"
        return f"DaskEngine({where!r}, max_in_flight={self.max_in_flight})"


def make_engine(settings: Any = None, processes: int = 1) -> LocalEngine | ProcessEngine | DaskEngine:
    """The engine that `settings` (with .kind, .scheduler, .workers) names; None means local. The
    local engine runs in this process, or in `processes` worker processes when that is above 1."""
    kind = "local" if settings is None else getattr(settings, "kind", "local")
    if kind == "local":
        return ProcessEngine(processes) if processes > 1 else LocalEngine()
    if kind == "dask":
        return DaskEngine(address=getattr(settings, "scheduler", None) or None, workers=getattr(settings, "workers", 2))
    raise ValueError(f"unknown engine kind {kind!r}: expected one of {', '.join(KINDS)}")


_LOADERS: list[Callable[..., Any]] = []  # every per_process loader, for release_models


def release_models(keep: Iterable[Callable[..., Any]] = ()) -> None:
    """Drop every model the per_process loaders hold in this process, except those of the loaders
    in `keep`. `newsstance run` calls it between stages: the models of the stages behind (spaCy
    pipelines, the encoder) are about 1 GB that the stages ahead do not need."""
    import gc

    kept = set(keep)
    held = [loader for loader in _LOADERS if loader not in kept and loader.cache_info().currsize]  # type: ignore[attr-defined]
    for loader in held:
        loader.cache_clear()  # type: ignore[attr-defined]
    if held:  # a full collection costs ~0.2 s; a stage served from its cache loaded nothing to free
        gc.collect()


def per_process(maxsize: int | None = 8) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache a loader's result once per process and argument tuple: the pattern for heavy state.

        @per_process()
        def nlp_for(model: str) -> Language:
            return load_spacy(model)

    A `functools.lru_cache` with a lock, so two threads of one worker never load the same model
    twice. Arguments must be hashable (strings, numbers, tuples, frozen settings), never the
    partition. Each Dask worker process, and the local process, then loads a model once.
    """

    def decorate(loader: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(loader)
        lock = threading.RLock()

        @functools.wraps(loader)
        def load(*args, **kwargs):
            with lock:
                return cached(*args, **kwargs)

        load.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        load.cache_info = cached.cache_info  # type: ignore[attr-defined]
        _LOADERS.append(load)
        return load

    return decorate
