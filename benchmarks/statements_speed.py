"""Wall time of the statements stage alone, on the benchmark corpus.

    python -m benchmarks.statements_speed [--docs 1000] [--repeats 3] [--work /tmp/bench_statements]

Writes the corpus (benchmarks.corpus), runs ingest, sentences and entities once, then the statements
stage REPEATS times without its cache, in this process with the local engine and `engine.n_process` 1,
and prints the best and the median. Run it from the checkout to measure: to compare two versions of
the attribution code, run it in each (the corpus and parses are rebuilt from the same seed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.corpus import write_corpus
from newsstance.config import load_params
from stages import entities, ingest, sentences, statements


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_statements"))
    args = parser.parse_args(argv)
    params = load_params(None)
    params = params.model_copy(
        update={
            "engine": params.engine.model_copy(update={"kind": "local", "n_process": 1}),
        }
    )
    raw, interim = args.work / "raw", args.work / "interim"
    for folder in (raw, interim):
        folder.mkdir(parents=True, exist_ok=True)
    write_corpus(raw, args.docs)
    f = lambda name: interim / f"{name}.parquet"  # noqa: E731
    ingest.run(raw, f("documents"), f("rejected"), params)
    sentences.run(f("documents"), f("sentences"), f("parsed"), params)
    entities.run(f("parsed"), f("entities"), f("tagged"), params)
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        statements.run(f("tagged"), f("statements_raw"), params)
        times.append(time.perf_counter() - started)
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(f("statements_raw")).metadata.num_rows
    print(
        json.dumps(
            {
                "documents": args.docs,
                "statements": rows,
                "best_s": round(min(times), 2),
                "median_s": round(statistics.median(times), 2),
                "runs_s": [round(t, 2) for t in times],
            }
        )
    )


if __name__ == "__main__":
    main()
