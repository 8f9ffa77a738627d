"""Stage 1, ingest: every *.txt in the raw folder becomes a document, or a row in `rejected`.

The decoded text is kept exactly as it is: all offsets downstream point into it. Trailing page
boilerplate ("* indicates required fields", a References line) is not deleted, only marked by
`body_end`, so nothing the article held is silently lost.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
from pathlib import Path

import pandas as pd

from stages.config import IngestParams, Params, load_params
from stages.io import write_table
from stages.provenance import stage_provenance
from stages.schema import DOCUMENTS, REJECTED

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("ingest",)

_FINAL_STOP = re.compile(r"[.!?;:]['\"”’)]*$")


def decode(data: bytes) -> str:
    """Decode a raw file; raise ValueError with the reason when it is not usable text."""
    if not data.strip():
        raise ValueError("empty file")
    if b"\x00" in data:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise ValueError("no text (whitespace only)")
    return text


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        spans.append((pos, pos + len(stripped)))
        pos += len(line)
    return spans


def find_title(text: str, max_words: int) -> str | None:
    """The first non-blank line, when it reads as a headline: short and without a final stop."""
    for start, end in _lines(text):
        line = text[start:end].strip()
        if not line:
            continue
        if len(line.split()) <= max_words and not _FINAL_STOP.search(line):
            return line
        return None
    return None


def find_body_end(text: str, boilerplate: list[re.Pattern]) -> int:
    """Offset where the run of trailing boilerplate lines starts (len(text) when there is none)."""
    body_end = len(text)
    for start, end in reversed(_lines(text)):
        line = text[start:end].strip()
        if not line:
            continue
        if any(p.search(line) for p in boilerplate):
            body_end = start
            continue
        break
    return body_end


def ingest(raw_dir: Path, params: IngestParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every *.txt of raw_dir; return (documents, rejected), both sorted by file name."""
    patterns = [re.compile(p, re.IGNORECASE) for p in params.boilerplate]
    docs, rejected = [], []
    for path in sorted(Path(raw_dir).glob("*.txt")):
        if not path.is_file():
            rejected.append({"file": path.name, "reason": "not a regular file"})
            continue
        data = path.read_bytes()
        try:
            text = decode(data)
        except ValueError as exc:
            log.warning("rejected %s: %s", path.name, exc)
            rejected.append({"file": path.name, "reason": str(exc)})
            continue
        docs.append(
            {
                "doc_id": path.stem,
                "file": path.name,
                "title": find_title(text, params.headline_max_words),
                "text": text,
                "sha256": hashlib.sha256(data).hexdigest(),
                "n_chars": len(text),
                "body_end": find_body_end(text, patterns),
            }
        )
    log.info("ingest: %d documents, %d rejected from %s", len(docs), len(rejected), raw_dir)
    return (
        pd.DataFrame(docs, columns=DOCUMENTS.names),
        pd.DataFrame(rejected, columns=REJECTED.names),
    )


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
    from stages.cli import run_stage

    run_stage(main)
