"""The per-document stage protocol, written once: prepare, results, written.

A per-document stage (sentences, entities, statements, classify) hands its documents to one library
function, a partition at a time, and keeps each document's result in its cache. `prepare` gives the
outputs' provenance and the cache, `results` the stream of results (cached or computed, in input
order), and `written` writes each accepted result to the stage's tables and each failed document to
its rejected table. `python -m stages.<stage>` runs one stage; `newsstance run` chains them
(stages.flow).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from newsstance.config import Params
from newsstance.schema import REJECTED_DOCUMENTS, Table
from stages.cache import DocCache, stream_documents
from stages.faults import accepted
from stages.io import TableWriter
from stages.provenance import Provenance, stage_provenance


@dataclass(frozen=True)
class Output:
    """A table the stage writes: its schema, its rows of one result, and its row-group size."""

    table: Table
    rows: Callable[[dict], list[dict]]
    group_rows: int | None = None


@dataclass(frozen=True)
class DocumentStage:
    name: str
    sections: tuple[str, ...]  # the params it reads: DVC params and the outputs' provenance
    result_params: tuple[str, ...]  # the part of them that can change a result: the cache's key
    outputs: tuple[Output, ...]
    digest: Callable[[dict], str]  # a document's input, as the cache keys it

    def prepare(
        self, params: Params, upstream: list[Provenance | None], cache_dir: Path | None, models: dict[str, str]
    ) -> tuple[Provenance, DocCache]:
        """(provenance of the outputs, per-document cache), given the provenance of the inputs and
        the ids of the models the stage uses."""
        return (
            stage_provenance(self.name, params, self.sections, upstream, models),
            DocCache.for_stage(cache_dir, self.name, params, self.result_params, models),
        )

    def results(
        self,
        items: Iterable[dict],
        process: Callable[..., Iterator[dict]],
        args: tuple,
        cache: DocCache,
        params: Params,
        **engine,
    ) -> Iterator[dict]:
        """Per document, in order: its result, from the cache or from `process(partition, *args)`."""
        return stream_documents(self.name, items, self.digest, process, args, cache, params.engine, **engine)

    def written(
        self, results: Iterable[dict], paths: Sequence[Path], rejected: Path, provenance: Provenance
    ) -> Iterator[dict]:
        """Pass every accepted result on once it is written (rejections go to `rejected` only); the
        tables appear when the last one has passed."""
        with ExitStack() as stack:
            writers = [
                stack.enter_context(TableWriter(o.table, path, provenance, **_grouped(o)))
                for o, path in zip(self.outputs, paths, strict=True)
            ]
            rejected_out = stack.enter_context(TableWriter(REJECTED_DOCUMENTS, rejected, provenance))
            for result in accepted(results, rejected_out):
                for writer, output in zip(writers, self.outputs):
                    writer.write(output.rows(result))
                yield result


def _grouped(output: Output) -> dict:
    return {} if output.group_rows is None else {"group_rows": output.group_rows}
