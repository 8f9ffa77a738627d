"""Stage 1, ingest: every article of the raw input becomes a document, or a row in `rejected`.

The input is a folder (its *.txt articles, their metadata.csv, and corpus files: .jsonl, .csv,
.parquet) or one corpus file (`newsstance.text.sources`). Nothing is lost and nothing crashes: an
input that cannot be made into usable text is listed with a one-line reason (`newsstance.text.articles`).
"""

from __future__ import annotations

import argparse
import logging
from functools import partial
from pathlib import Path

import pandas as pd

from newsstance.config import IngestParams, Params, load_params
from newsstance.schema import DOCUMENTS, REJECTED
from newsstance.text.articles import Rejected, articles
from newsstance.text.sources import CORPUS_SUFFIXES, METADATA_FILE, is_input, sources
from stages.io import write_table
from stages.provenance import stage_provenance

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("ingest",)


def read_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; raise Rejected when it is not a readable regular file within the size limit.

    The size is checked before reading, so an oversized file is never loaded into memory.
    """
    try:
        if not path.is_file():
            raise Rejected("not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise Rejected(f"file of {size} bytes is larger than ingest.max_bytes = {max_bytes} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise Rejected(f"cannot be read: {exc.strerror or exc}") from None


def open_file(path: Path):
    """A corpus file opened for reading; raise Rejected when it cannot be."""
    try:
        if not path.is_file():
            raise Rejected("not a regular file")
        return path.open("rb")
    except OSError as exc:
        raise Rejected(f"cannot be read: {exc.strerror or exc}") from None


def ingest(raw: Path, params: IngestParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the articles of a folder or a corpus file; return (documents, rejected), both in file
    name order."""
    raw = Path(raw)
    if not raw.exists():
        raise FileNotFoundError(f"ingest: input not found: {raw} (a folder of articles, or a corpus file)")
    paths = sorted((p for p in raw.iterdir() if is_input(p.name)), key=lambda p: p.name) if raw.is_dir() else [raw]
    texts = [(p.name, partial(read_file, p, params.max_bytes)) for p in paths if p.suffix == ".txt"]
    metadata = next(((p.name, partial(read_file, p, params.max_bytes)) for p in paths if p.name == METADATA_FILE), None)
    corpora = [
        (p.name, partial(open_file, p)) for p in paths if p.name != METADATA_FILE and p.name.endswith(CORPUS_SUFFIXES)
    ]
    docs, rejected = articles(sources(texts, metadata, corpora, params.columns), params)
    log.info("ingest: %d documents, %d rejected from %s", len(docs), len(rejected), raw)
    return docs, rejected


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--rejected", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.raw_dir, args.documents, args.rejected, load_params(args.params))


def run(raw_dir: Path, documents: Path, rejected: Path, params: Params) -> None:
    docs, rejects = ingest(raw_dir, params.ingest)
    provenance = stage_provenance("ingest", params, PARAMS)
    write_table(docs, DOCUMENTS, documents, provenance)
    write_table(rejects, REJECTED, rejected, provenance)


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
