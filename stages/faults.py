"""Per-document fault isolation: one bad document never stops a run.

A per-document stage hands its documents to its `process` function a partition at a time (in this
process, in worker processes or on Dask). When a partition raises, each of its documents is run
again alone: those that pass give the result they would have given anyway (a document's result
never depends on its neighbours), and one that fails again becomes a *rejection*, a result that
carries the stage and the error instead of the stage's output. The stage writes rejections to its
`rejected_<stage>.parquet`, passes only accepted documents on, and the table stage lists them all in
rejected.parquet. With `engine.strict` (`newsstance run --strict`) the first error fails the run.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Iterator

from stages.io import TableWriter

log = logging.getLogger("newsstance")

REJECTED = "rejected"  # the key of a rejection result
MAX_REASON = 500  # characters of the error kept: E088 quotes the whole limit and its remedies


def reason(exc: BaseException) -> str:
    """The error as one line: its type and message."""
    message = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def rejection(doc_id: str, stage: str, exc: BaseException) -> dict:
    return {"doc_id": doc_id, REJECTED: {"stage": stage, "reason": reason(exc)}}


def is_rejected(result: Any) -> bool:
    return isinstance(result, dict) and REJECTED in result


def isolated(process: Callable[..., Iterator[Any]], stage: str, strict: bool, partition: list, *args: Any) -> list:
    """`list(process(partition, *args))`, with every document that raises replaced by its rejection.
    Module-level (with functools.partial) so worker processes and Dask can run it."""
    try:
        return list(process(iter(partition), *args))
    except Exception as exc:
        if strict:
            raise
        if len(partition) == 1:
            return [_rejected(partition[0], stage, exc)]
    results = []
    for item in partition:  # again one by one, to find the document(s) at fault
        try:
            result = list(process(iter([item]), *args))
        except Exception as exc:
            result = [_rejected(item, stage, exc)]
        results += result
    return results


def _rejected(item: dict, stage: str, exc: Exception) -> dict:
    result = rejection(item["doc_id"], stage, exc)
    log.warning("%s: document %s rejected: %s", stage, item["doc_id"], result[REJECTED]["reason"])
    return result


def accepted(results: Iterable[Any], rejected_out: TableWriter) -> Iterator[Any]:
    """The results that are not rejections; rejections are written to `rejected_out`
    (a REJECTED_DOCUMENTS writer) and go no further."""
    for result in results:
        if is_rejected(result):
            rejected_out.write([{"doc_id": result["doc_id"], **result[REJECTED]}])
        else:
            yield result
