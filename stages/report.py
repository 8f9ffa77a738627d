"""Stage 7, report: reports/summary.html (`newsstance.analysis.page`), with the tables' provenance."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow.parquet as pq

from newsstance.analysis.page import DOCUMENT_COLUMNS, STANCE_COLUMNS, STATEMENT_COLUMNS, render_report
from newsstance.config import Params, load_params
from newsstance.schema import DOCUMENTS, PERIODS, REJECTED, SPEAKERS, STANCES, STATEMENTS
from newsstance.versions import package_version
from stages.io import read_table, write_text
from stages.provenance import canonical_json, params_digest, read_provenance, sha256_hex

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks). Upstream
# settings reach the report as the lineage stored in the tables it reads.
PARAMS = ("report",)

PACKAGES = ("spacy", "transformers", "torch", "scikit-learn", "pandas", "pyarrow", "dvc", "altair", "vl-convert-python")


def provenance_section(statements_file: Path, documents: pd.DataFrame, params: Params) -> dict:
    """Per-stage params digests (the lineage in the tables' metadata, plus this stage's own), one
    digest over all of them, the models and the package versions."""
    upstream = read_provenance(statements_file)
    lineage = dict(upstream.lineage if upstream else {})
    lineage["report"] = params_digest(params, PARAMS)
    return {
        "version": upstream.pipeline_version if upstream else "unknown",
        "params_digest": sha256_hex(canonical_json(lineage)),
        "lineage": sorted(lineage.items()),
        "models": sorted((upstream.models if upstream else {}).items()),
        "packages": [(p, package_version(p)) for p in PACKAGES],
        "inputs": documents[["file", "sha256"]].to_dict("records"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interim", type=Path, required=True)
    parser.add_argument("--processed", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.interim, args.processed, args.out, load_params(args.params))


def document_texts(path: Path, doc_ids: Iterable[str]) -> dict[str, str]:
    """The texts of these documents only: the page shows a few thousand sentences, not every text."""
    wanted = sorted(set(doc_ids))
    if not wanted:
        return {}
    table = pq.read_table(path, columns=["doc_id", "text"], filters=[("doc_id", "in", wanted)])
    return dict(zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist()))


def run(interim: Path, processed: Path, out: Path, params: Params) -> None:
    documents = read_table(interim / "documents.parquet", DOCUMENTS, DOCUMENT_COLUMNS)
    html = render_report(
        documents,
        pq.ParquetFile(interim / "sentences.parquet").metadata.num_rows,  # the count is all the page shows
        read_table(processed / "statements.parquet", STATEMENTS, STATEMENT_COLUMNS),
        read_table(processed / "stances.parquet", STANCES, STANCE_COLUMNS),
        read_table(processed / "speakers.parquet", SPEAKERS),
        read_table(processed / "periods.parquet", PERIODS),
        read_table(processed / "rejected.parquet", REJECTED),
        params,
        provenance_section(processed / "statements.parquet", documents, params),
        lambda doc_ids: document_texts(interim / "documents.parquet", doc_ids),
    )
    write_text(out, html)
    log.info("wrote %s", out)


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
