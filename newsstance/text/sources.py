"""Where articles come from: text files with an optional metadata.csv beside them, and corpus files.

An analyst's input is a folder of `*.txt` articles, a `metadata.csv` naming each file's date, outlet,
url and title (other columns are kept), and corpus files (`.jsonl`, `.csv`, `.parquet`) holding one
article per row in a text column. Each article becomes a `Source`: its file, its id, how to read its
text and its metadata as given. An input that cannot be used (a row without text, a metadata row for
a file that is not there, a corpus file that cannot be parsed) becomes a `Source` with a `problem`, so
it is listed in rejected.parquet with its reason and the run goes on.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Callable, Iterable, Iterator

from newsstance.config import CorpusColumns

METADATA_FILE = "metadata.csv"
CORPUS_SUFFIXES = (".jsonl", ".csv", ".parquet")
METADATA_FIELDS = ("date", "outlet", "url", "title")  # the rest of a metadata row is `extra`


@dataclass(frozen=True)
class Source:
    """One article: read() gives a text file's bytes or a corpus row's text (str)."""

    file: str
    doc_id: str
    read: Callable[[], bytes | str] | None = None
    metadata: dict = field(default_factory=dict)  # date, outlet, url, title, extra, as given (may be missing)
    problem: str | None = None  # why it cannot be used: it goes to rejected.parquet
    row: int | None = None  # a corpus row's number in its file (a JSON line's line number)


def is_input(name: str) -> bool:
    """A file the ingest stage reads in a folder: an article, the metadata sidecar, a corpus file."""
    return name.endswith(".txt") or name == METADATA_FILE or name.endswith(CORPUS_SUFFIXES)


def sources(
    texts: Iterable[tuple[str, Callable[[], bytes]]],
    metadata: tuple[str, Callable[[], bytes]] | None,
    corpora: Iterable[tuple[str, Callable[[], IO[bytes]]]],
    columns: CorpusColumns,
) -> Iterator[Source]:
    """The articles of a folder: text files (name, read bytes) with the metadata sidecar's rows, then
    each corpus file's rows (name, open as a binary stream); every input in file name order."""
    texts = list(texts)
    by_file, problems = ({}, []) if metadata is None else read_metadata(*metadata, {n for n, _ in texts}, columns)
    items: list[tuple[str, Iterable[Source]]] = [
        (name, [Source(name, PurePath(name).stem, read, by_file.get(name, {}))]) for name, read in texts
    ]
    items += [(name, corpus_sources(name, open_file, columns)) for name, open_file in corpora]
    for _, group in sorted(items, key=lambda item: item[0]):
        yield from group
    yield from problems


def read_metadata(
    name: str, read: Callable[[], bytes], files: set[str], columns: CorpusColumns
) -> tuple[dict[str, dict], list[Source]]:
    """(metadata per text file, problems) of the sidecar: a row per file, in a `file` column."""
    try:
        rows = list(csv.DictReader(io.StringIO(read().decode("utf-8-sig"), newline="")))
    except (OSError, ValueError, csv.Error) as exc:  # ValueError: undecodable, or Rejected unread
        return {}, [Source(name, "", problem=f"metadata not read, no file has metadata: {exc}")]
    if rows and "file" not in rows[0]:
        return {}, [Source(name, "", problem="metadata not read: it has no 'file' column")]
    by_file: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    problems = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        file = (row.pop("file") or "").strip()
        if file not in files:
            problems.append(Source(name, "", problem=f"row {number} names {file!r}, which is not in the folder"))
        elif file in by_file:
            problems.append(
                Source(name, "", problem=f"row {number} repeats {file!r} (first at row {first_row[file]}): ignored")
            )
        else:
            by_file[file], first_row[file] = metadata_of(row, columns), number
    return by_file, problems


def metadata_of(row: dict, columns: CorpusColumns) -> dict:
    """The metadata fields of a row, by the configured column names; the other columns as `extra`
    (the text and id columns are not metadata). Empty values count as missing."""
    named = {getattr(columns, f): f for f in METADATA_FIELDS}
    skipped = {columns.text, columns.id}
    meta, extra = {}, {}
    for key, value in row.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in named:
            meta[named[key]] = value.strip() if isinstance(value, str) else value
        elif key not in skipped and key is not None:  # None: cells beyond the header of a CSV row
            extra[str(key)] = value
    if extra:
        meta["extra"] = json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str)
    return meta


def corpus_rows(name: str, stream: IO[bytes]) -> Iterator[tuple[int, dict | str]]:
    """(row number, the row as a dict, or why it is not one) of a corpus file, streamed."""
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq  # only for Parquet input: the CLI imports this module at start-up

        number = 0
        for batch in pq.ParquetFile(stream).iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    elif name.endswith(".csv"):
        reader = csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
        for number, row in enumerate(reader, start=1):
            yield number, row
    else:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield number, f"line {number} is not JSON ({exc})"
                continue
            yield number, row if isinstance(row, dict) else f"line {number} is not a JSON object"


def corpus_sources(name: str, open_file: Callable[[], IO[bytes]], columns: CorpusColumns) -> Iterator[Source]:
    """A corpus file's articles, one per row; a row without text, or a file that cannot be read
    (its rows read so far are kept), is a problem."""
    stem = PurePath(name).stem
    try:
        with open_file() as stream:
            for number, row in corpus_rows(name, stream):
                if isinstance(row, str):
                    yield Source(name, "", problem=row)
                    continue
                raw_id = row.get(columns.id)
                doc_id = str(raw_id).strip() if raw_id is not None and str(raw_id).strip() else f"{stem}-{number}"
                text = row.get(columns.text)
                if not isinstance(text, str):
                    what = "no" if text is None else f"a {type(text).__name__} in its"
                    yield Source(name, doc_id, problem=f"row {number} ({doc_id}) has {what} {columns.text!r} column")
                    continue
                yield Source(name, doc_id, lambda text=text: text, metadata_of(row, columns), row=number)
    except Exception as exc:  # noqa: BLE001 - a malformed file of any format: listed, never fatal
        yield Source(name, "", problem=f"corpus file not read to the end: {type(exc).__name__}: {exc}")
