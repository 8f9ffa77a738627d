"""The classify worker of `newsstance run`: a process that loads the encoder while spaCy parses."""

from __future__ import annotations

import multiprocessing
from typing import Iterable, Iterator, TypeVar

from newsstance.config import Params
from newsstance.scoring.encoder import encoder_args
from stages.encoder import get_encoder
from stages.engine import ProcessEngine

T = TypeVar("T")
_DONE = object()


class ClassifyWorker(ProcessEngine):
    """For `newsstance run`: one worker process that starts loading the encoder as soon as it is made,
    while the stages before classify run in this process, and then classifies there. Importing
    transformers' model classes and loading the weights take ~3.5 s, the largest fixed cost of a run
    that re-classifies a few documents.

    When this process parses the documents it sends (`worker.parsed(items)`, stages.flow), the worker
    encodes a window on one thread fewer than torch's default if this process is parsing as the
    window starts, so spaCy keeps a core: on 2 cores and 150 documents, spaCy beside the encoder on
    both threads took 1.7 x as long as alone, the encoder 2.1 x; beside the encoder on one thread,
    spaCy did not slow down (benchmarks/README.md has the figures of whole runs). The encoder is the
    slower of the two, so this process may parse up to IN_FLIGHT windows ahead of it (a few MB each).
    When it is that far ahead it waits, and the worker has every thread, until half of them are
    done: waiting for one window at a time, it would start parsing again in the middle of each of
    the worker's windows. The thread count changes no embedding (tests/test_encoder.py checks it)."""

    IN_FLIGHT = 16

    def __init__(self, params: Params):
        self.parsing_now = multiprocessing.get_context().Event()
        super().__init__(
            1,
            max_in_flight=self.IN_FLIGHT,
            refill_at=self.IN_FLIGHT // 2,
            initializer=_share_cores,
            initargs=(self.parsing_now,),
        )
        self.prepare(get_encoder, *encoder_args(params.encoder))

    def parsed(self, items: Iterable[T]) -> Iterator[T]:
        """`items`, with the worker told that this process is busy while it makes the next one."""
        items = iter(items)
        while True:
            self.parsing_now.set()
            try:
                item = next(items, _DONE)
            finally:
                self.parsing_now.clear()
            if item is _DONE:
                return
            yield item


# In a ClassifyWorker's process: the parent's "parsing now" flag and torch's default thread count.
_PARENT_PARSING = None
_THREADS = 0


def _share_cores(parsing_now) -> None:
    import torch

    global _PARENT_PARSING, _THREADS
    _PARENT_PARSING, _THREADS = parsing_now, torch.get_num_threads()


def _fit_threads() -> None:
    """Before each window a ClassifyWorker encodes: leave the parent a core while it parses."""
    if _PARENT_PARSING is not None:
        import torch

        torch.set_num_threads(max(1, _THREADS - 1) if _PARENT_PARSING.is_set() else _THREADS)


def prepared_engine(params: Params) -> ClassifyWorker | None:
    """The classify worker for `newsstance run`; None with the Dask engine (classify runs on its
    workers) or the hub backend (its models load in this process, when a document needs them)."""
    if params.engine.kind != "local" or params.classify.backend != "heads":
        return None
    return ClassifyWorker(params)
