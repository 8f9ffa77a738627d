"""Reading and writing pipeline artefacts.

Every write goes to a temporary file in the destination folder and is renamed into place, so an
interrupted stage never leaves a half-written output behind.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newsstance.schema import Column, Table
from stages.provenance import Provenance

log = logging.getLogger("newsstance")

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed run; one writer per output
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; the output should not be
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes(path: Path | str, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path | str, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def to_arrow(frame: pd.DataFrame, table: Table) -> pa.Table:
    """Cast a frame to the table's schema; fail naming the columns that do not fit."""
    missing = [c for c in table.names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in table.names]
    if missing or extra:
        raise ValueError(f"{table.name}: missing columns {missing}, unexpected columns {extra}")
    return _from_columns({name: frame[name].tolist() for name in table.names}, table)


def rows_to_arrow(rows: list[dict], table: Table) -> pa.Table:
    """Rows (dicts) cast to the table's schema, a key a row lacks read as null, as `to_arrow` of
    their DataFrame would; without building the DataFrame (~40 % of a streamed stage's writing)."""
    return _from_columns({name: [row.get(name) for row in rows] for name in table.names}, table)


def _from_columns(columns: dict[str, list], table: Table) -> pa.Table:
    arrays = []
    for col in table.columns:
        values = columns[col.name]
        if pa.types.is_dictionary(col.type):
            array = _categorical(table.name, col, values)
        elif pa.types.is_date(col.type):  # dates, or ISO text (what a cached row holds: msgpack has no dates)
            iso = [None if _is_null(v) else v if isinstance(v, str) else v.isoformat() for v in values]
            array = pa.array(iso, type=pa.string()).cast(col.type)
        else:
            array = pa.array(values, type=col.type, from_pandas=True)  # NaN is null, as in pandas
        if not col.nullable and array.null_count:
            raise ValueError(f"{table.name}.{col.name}: {array.null_count} null value(s) in a non-null column")
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=table.arrow)


def _is_null(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _categorical(table: str, col: Column, values: list) -> pa.DictionaryArray:
    """A dictionary column: a closed set keeps its declared categories (unused ones included, so
    pandas sees every label); an open set gets its values sorted, so the bytes never depend on row order."""
    strings = [None if _is_null(v) else str(v) for v in values]
    present = sorted({v for v in strings if v is not None})
    if col.categories is not None:
        unknown = [v for v in present if v not in col.categories]
        if unknown:
            raise ValueError(f"{table}.{col.name}: {unknown} not among the categories {list(col.categories)}")
        categories = list(col.categories)
    else:
        categories = present
    position = {c: i for i, c in enumerate(categories)}
    indices = pa.array([None if v is None else position[v] for v in strings], type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(categories, type=pa.string()), ordered=col.type.ordered)


def _with_provenance(schema: pa.Schema, provenance: Provenance) -> pa.Schema:
    meta = dict(schema.metadata or {})
    meta.update({k.encode(): v.encode() for k, v in provenance.to_metadata().items()})
    return schema.with_metadata(meta)


def write_table(frame: pd.DataFrame, table: Table, path: Path | str, provenance: Provenance) -> None:
    """Validate `frame` against `table` and write it as Parquet, atomically, with its provenance."""
    arrow = to_arrow(frame, table)
    arrow = arrow.replace_schema_metadata(_with_provenance(arrow.schema, provenance).metadata)
    with atomic_path(path) as tmp:
        pq.write_table(arrow, tmp)
    log.info("wrote %s (%d rows)", path, arrow.num_rows)


class TableWriter:
    """Write a table in row groups as rows arrive, so memory does not grow with the corpus.

    Rows are buffered up to `group_rows`, then validated like `write_table` and written as one row
    group (open-set columns are sorted within it). The file appears, atomically, only when the
    block ends without error.
    """

    def __init__(self, table: Table, path: Path | str, provenance: Provenance, group_rows: int = 8192):
        self.table, self.path, self.provenance, self.group_rows = table, Path(path), provenance, group_rows
        self.rows, self._buffer = 0, []

    def __enter__(self) -> "TableWriter":
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        self._writer = pq.ParquetWriter(tmp, _with_provenance(self.table.arrow, self.provenance))
        return self

    def write(self, rows: list[dict]) -> None:
        self._buffer += rows
        if len(self._buffer) >= self.group_rows:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(
                rows_to_arrow(self._buffer, self.table).replace_schema_metadata(self._writer.schema.metadata)
            )
            self.rows += len(self._buffer)
            self._buffer = []

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self._flush()
        self._writer.close()
        self._atomic.__exit__(*exc)
        if exc[0] is None:
            log.info("wrote %s (%d rows)", self.path, self.rows)


def iter_rows(path: Path | str, table: Table, batch_rows: int = 1024) -> Iterator[dict]:
    """The rows of a Parquet file as dicts, read a batch at a time."""
    parquet = pq.ParquetFile(path)
    if parquet.schema_arrow.names != table.names:
        raise ValueError(f"{path}: columns {parquet.schema_arrow.names} are not those of table {table.name}")
    for batch in parquet.iter_batches(batch_size=batch_rows):
        yield from batch.to_pylist()


def read_table(path: Path | str, table: Table | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a Parquet file written by `write_table` (only `columns`, if given); with `table`, check
    it is the expected one."""
    if table is not None:
        names = pq.read_schema(path).names
        if names != table.names:
            raise ValueError(f"{path}: columns {names} are not those of table {table.name}")
    arrow = pq.read_table(path, columns=columns)
    log.info("read %s (%d rows)", path, arrow.num_rows)
    return arrow.to_pandas()
