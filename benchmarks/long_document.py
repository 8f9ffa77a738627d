"""Benchmark: one very long document (a transcript, a scraped page, a concatenated feed) beside
three ordinary articles, through `newsstance run`: wall time and peak memory.

    python -m benchmarks.long_document [--mb 4.99] [--work DIR]

The long document is the repository's invented articles (data/dev, holdout, test), one paragraph a
line, joined and repeated up to the size asked for, just under `ingest.max_bytes` by default. The heads are
trained once in a warm-up run and copied into the measured run (as benchmarks.scale does), so the
figures are those of the documents, not of training. Memory is sampled as in benchmarks.scale: the
largest process's peak RSS and the summed PSS of the process tree.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks.scale import ROOT, run_pipeline, write_params


def long_text(megabytes: float) -> str:
    articles = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("data/*/articles/*.txt"))]
    block = "\n".join(a.strip() for a in articles) + "\n"  # one paragraph a line, as the articles are
    limit = int(megabytes * 1_000_000)
    repeats = max(1, limit // len(block.encode("utf-8")))
    return block * repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=4.99, help="size of the long document in MB (10^6 bytes)")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsstance-long-"))
    work.mkdir(parents=True, exist_ok=True)
    params, _ = write_params(work, None, None)
    warm_raw, raw = work / "warm-raw", work / "raw"
    for folder in (warm_raw, raw):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
            shutil.copy(path, folder / path.name)
    text = long_text(args.mb)
    (raw / "long.txt").write_text(text, encoding="utf-8")
    print(f"long document: {len(text.encode('utf-8')):,} bytes, {len(text):,} characters; work folder {work}")
    warm = work / "warm"
    run_pipeline(warm_raw, warm, params, work)
    run = run_pipeline(raw, work / "out", params, work, warm=warm)
    tree = f"{run.pss_tree_mb:,.0f}" if run.pss_tree_mb is not None else "n/a"
    print(
        f"wall {run.seconds:,.1f} s; peak RSS of the largest process {run.rss_kernel_mb:,.0f} MB; "
        f"peak summed PSS of the process tree {tree} MB; train {'skipped' if run.train_skipped else 'RAN'}"
    )


if __name__ == "__main__":
    main()
