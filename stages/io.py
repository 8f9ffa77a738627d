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

from stages.schema import Table

log = logging.getLogger("newsstance")


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
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
    frame = frame[table.names].reset_index(drop=True)
    arrays = []
    for col in table.columns:
        values = frame[col.name]
        if pa.types.is_dictionary(col.type):
            values = values.astype("string").astype(object).where(values.notna(), None)
            array = pa.array(values.tolist(), type=pa.string()).dictionary_encode()
            array = array.cast(col.type)
        else:
            array = pa.array(values.tolist(), type=col.type, from_pandas=True)
        if not col.nullable and array.null_count:
            raise ValueError(f"{table.name}.{col.name}: {array.null_count} null value(s) in a non-null column")
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=table.arrow)


def write_table(frame: pd.DataFrame, table: Table, path: Path | str, metadata: dict | None = None) -> None:
    """Validate `frame` against `table` and write it as Parquet, atomically."""
    arrow = to_arrow(frame, table)
    meta = dict(arrow.schema.metadata or {})
    for key, value in (metadata or {}).items():
        meta[f"newsstance.{key}".encode()] = json.dumps(value, sort_keys=True).encode()
    arrow = arrow.replace_schema_metadata(meta)
    with atomic_path(path) as tmp:
        pq.write_table(arrow, tmp)
    log.info("wrote %s (%d rows)", path, arrow.num_rows)


def read_table(path: Path | str, table: Table | None = None) -> pd.DataFrame:
    """Read a Parquet file written by `write_table`; with `table`, check it is the expected one."""
    arrow = pq.read_table(path)
    if table is not None and arrow.schema.names != table.names:
        raise ValueError(f"{path}: columns {arrow.schema.names} are not those of table {table.name}")
    log.info("read %s (%d rows)", path, arrow.num_rows)
    return arrow.to_pandas()
