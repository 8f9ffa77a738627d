"""Benchmark: classify 1,000 statements (sentiment + stance toward every target) with the offline backend.

The statements are those of the labelled passages, each with its context (headline, paragraph before,
own paragraph, speaker), classified one passage at a time as the stage classifies one document at a
time. Passages are cycled to reach N; each cycle marks its texts so nothing is encoded for free.
Prints figures (the only check: every statement got its scores). Target (issue 4): under 15 s on 2
cores, model loading excluded. The classification runs REPEATS times (default 3) and the best and
the median are printed: on a shared 2-core machine single runs of the same work vary by +-15 %.
Run after `dvc repro train` (it reads the heads from models/):  python benchmarks/classify_speed.py [N [REPEATS]]
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
import torch

from newsstance.config import load_params
from newsstance.scoring.backends import HeadsBackend, classify_documents
from newsstance.scoring.context import passage_context
from newsstance.scoring.encoder import encoder_args
from newsstance.scoring.heads import Head
from stages.encoder import get_encoder

ROOT = Path(__file__).resolve().parent.parent


def documents(n: int) -> list[dict]:
    """Passages as classify's per-document items, cycled until they hold n statements."""
    passages = [
        json.loads(line) for line in (ROOT / "data/labels/passages.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    items, count = [], 0
    while count < n:
        cycle, passage = divmod(len(items), len(passages))
        p = passages[passage]
        mark = (lambda text: f"{text} ({cycle})") if cycle else (lambda text: text)
        statements = []
        for s in p["statements"][: n - count]:
            context = passage_context(
                mark(p["headline"]), [mark(x) for x in p["paragraphs"]], s["paragraph"], s["speaker"]
            )
            statements.append({"statement_id": f"s{count}", "content": mark(s["text"]), "context": context.as_list()})
            count += 1
        items.append({"doc_id": f"d{len(items)}", "statements": statements})
    return items


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    params = load_params(ROOT / "params.yaml")
    t0 = time.perf_counter()
    encoder = get_encoder(*encoder_args(params.encoder))
    heads = Head.load(ROOT / "models/sentiment.safetensors"), Head.load(ROOT / "models/stance.safetensors")
    loaded = time.perf_counter()
    items = documents(n)
    times = []
    for _ in range(repeats):  # a fresh backend and an empty memo each time: nothing carries over but the loaded model
        encoder.forget()
        backend = HeadsBackend(encoder, *heads)
        start = time.perf_counter()
        results = list(classify_documents(items, backend, params.targets, params.classify.low_margin))
        times.append(time.perf_counter() - start)
        assert sum(len(r["sentiment"]) for r in results) == n
        assert sum(len(r["stance"]) for r in results) == n * len(params.targets)
    words = pd.Series([len(s["content"].split()) for item in items for s in item["statements"]])
    best, median = min(times), statistics.median(times)
    print(
        f"statements: {n} in {len(items)} passages (mean {words.mean():.1f} words, max {words.max()}), "
        f"targets: {len(params.targets)}, heads read: sentiment {backend.reads['sentiment']}, stance {backend.reads['stance']}"
    )
    print(
        f"torch threads: {torch.get_num_threads()}, encoder.batch_tokens {params.encoder.batch_tokens}, "
        f"context cut at {heads[1].meta.get('context_max_length')} tokens"
    )
    print(f"model loading: {loaded - t0:.2f} s")
    print(
        f"classification, best of {repeats}: {best:.2f} s ({n / best:.0f} statements/s); median {median:.2f} s; "
        f"all: {', '.join(f'{t:.2f}' for t in times)}"
    )
    print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
