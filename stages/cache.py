"""The per-document cache: a stage recomputes only the documents whose inputs changed.

DVC re-runs a whole stage when any input file changes. The stages therefore keep each document's
result in a folder (a DVC output with `persist: true`), keyed by a digest of

- the document's own input to the stage (its text, its parsed doc, its statements, ...),
- the stage's code version (the source of the stage and every module it imports),
- the params that change the stage's results (not batch sizes or process counts),
- the ids of the models the stage uses.

So a cached result can never be stale: anything that could change it changes its key. After a run
the folder holds exactly the entries that run used, so it never grows with edits and its content
is a function of the inputs; deleting it only costs time.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import msgpack
from tqdm import tqdm

from newsstance.config import EngineParams, Params
from stages.engine import make_engine
from stages.faults import is_rejected, isolated
from stages.provenance import canonical_json, code_version, params_digest, sha256_hex

log = logging.getLogger("newsstance")

SUFFIX = ".msgpack"


_NOTHING = object()


class CacheError(RuntimeError):
    pass


@dataclass
class DocCache:
    """Content-addressed results of one stage, one msgpack file per document (no pickle)."""

    folder: Path | None  # None: caching off, every document is computed
    salt: str
    hits: int = 0
    misses: int = 0
    rejected: int = 0
    used: set[str] = field(default_factory=set)

    @classmethod
    def for_stage(
        cls,
        folder: Path | None,
        stage: str,
        params: Params,
        sections: Iterable[str],
        models: dict[str, str] | None = None,
    ) -> "DocCache":
        salt = canonical_json(
            {
                "stage": stage,
                "code": code_version(stage),
                "params": params_digest(params, sections),
                "models": models or {},
            }
        )
        return cls(Path(folder) if folder is not None else None, sha256_hex(salt))

    def key(self, document_digest: str) -> str:
        return sha256_hex(self.salt + document_digest)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def read(self, key: str) -> Any:
        # Entries are written atomically, so one that exists is whole; anything else is damage
        # from outside, and the remedy is to drop the cache.
        try:
            return msgpack.unpackb(self.path(key).read_bytes(), raw=False)
        except Exception as exc:
            raise CacheError(
                f"cache entry {self.path(key)} is unreadable ({exc}); delete {self.folder} "
                "and run again (it is only a cache)"
            ) from exc

    def put(self, key: str, result: Any) -> None:
        if self.folder is None:
            return
        # Atomic like every write here, but without io.atomic_path's scan of the folder for stale
        # temp files, which would cost O(entries) per write; prune() removes those instead.
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_bytes(msgpack.packb(result, use_bin_type=True))
        os.replace(tmp, self.path(key))

    def prune(self) -> int:
        """Delete what this run did not use: entries of edited or removed documents or of old
        settings, and temp files of a killed run."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        keep = {f"{key}{SUFFIX}" for key in self.used}
        stale = [p for p in self.folder.iterdir() if p.name not in keep]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def summary(self, stage: str) -> str:
        return f"{stage}: {self.hits} document(s) from the cache, {self.misses} computed, {self.rejected} rejected"


def incremental(
    items: Iterable[Any],
    digest: Callable[[Any], str],
    compute: Callable[[Iterator[Any]], Iterator[Any]],
    cache: DocCache,
) -> Iterator[Any]:
    """Yield one result per item, in order: cached results are read back, the other items are
    streamed through `compute` (which yields one result per item it is fed, in order) and stored.

    Results must be self-contained (carry their doc_id). While `compute` reads ahead, only the keys
    of cached items wait, so even a fully cached corpus streams in constant memory.
    """
    pending: deque[tuple[str, bool]] = deque()  # (key, computed?) in item order

    def uncached() -> Iterator[Any]:
        for item in items:
            key = cache.key(digest(item))
            cache.used.add(key)
            hit = cache.folder is not None and cache.path(key).is_file()
            pending.append((key, not hit))
            if not hit:
                yield item

    def cached_ahead() -> Iterator[Any]:
        while pending and not pending[0][1]:
            key, _ = pending.popleft()
            cache.hits += 1
            yield cache.read(key)

    def computed() -> Iterator[Any]:
        # `compute` starts (and loads its model) only if some document needs it.
        todo = uncached()
        first = next(todo, _NOTHING)
        if first is not _NOTHING:
            yield from compute(chain([first], todo))

    for result in computed():
        yield from cached_ahead()
        key, _ = pending.popleft()
        if is_rejected(result):  # never cached: the next run tries the document again
            cache.rejected += 1
        else:
            cache.misses += 1
            cache.put(key, result)
        yield result
    yield from cached_ahead()
    if pending:
        raise RuntimeError(f"compute yielded fewer results than it was fed ({len(pending)} missing)")


def stream_documents(
    stage: str,
    items: Iterable[Any],
    digest: Callable[[Any], str],
    process: Callable[..., Iterator[Any]],
    args: tuple,
    cache: DocCache,
    engine: EngineParams,
    n_process: int = 1,
    runner: Any = None,
    partitions: Callable[[Iterator[Any]], Iterator[list]] | None = None,
) -> Iterator[Any]:
    """Every document's result, in order: from the cache, or from `process(items, *args)` on the
    configured engine, a partition at a time (`partitions(items)`, default `engine.partition_docs`
    documents each). With the local engine and `n_process` 1 the partitions run in this process;
    otherwise they go to `n_process` local worker processes or to the Dask cluster's workers, and
    this process only collects the results. `runner`: an engine the caller made (and closes)
    instead. A document `process` fails on gives its rejection instead (stages.faults), unless
    `engine.strict`. The cache is pruned once every result has been taken."""
    with nullcontext(runner) if runner is not None else make_engine(engine, processes=n_process) as runner:
        whole = partial(isolated, process, stage, engine.strict)
        split = partitions or partial(_chunks, size=engine.partition_docs)
        if runner.kind == "local":
            compute = lambda todo: (r for part in split(todo) for r in whole(part, *args))  # noqa: E731
        else:
            compute = lambda todo: (r for part in runner.map(whole, split(todo), *args) for r in part)  # noqa: E731
        yield from tqdm(incremental(items, digest, compute, cache), desc=stage, unit="doc", disable=None)
    log.info("%s; %d stale entries removed", cache.summary(stage), cache.prune())


def drain(results: Iterable[Any]) -> None:
    """Run a stage's stream of results to its end (each result is written out as it passes)."""
    for _ in results:
        pass


def _chunks(items: Iterable[Any], size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
