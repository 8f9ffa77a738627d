"""Benchmark: classify 1,000 statements (sentiment + stance toward every target) with the offline backend.

Prints figures (the only check: every statement got its scores). Target (issue 4): under 15 s on 2 cores, model loading excluded.
Run after `dvc repro train` (it reads the heads from models/):  python benchmarks/classify_speed.py [N]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import torch

from stages.classify import HeadsBackend, classify
from stages.config import load_params
from stages.encoder import get_encoder
from stages.heads import Head

ROOT = Path(__file__).resolve().parent.parent


def statements(n: int) -> pd.DataFrame:
    """n statement contents in the length mix of real ones: the labelled texts, cycled."""
    texts = [json.loads(line)["text"] for line in (ROOT / "data/labels/sentiment.jsonl").read_text().splitlines()]
    return pd.DataFrame({"statement_id": [f"s{i}" for i in range(n)], "content": [texts[i % len(texts)] for i in range(n)]})


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    params = load_params(ROOT / "params.yaml")
    t0 = time.perf_counter()
    encoder = get_encoder(params.encoder.model, params.encoder.max_length, params.encoder.batch_size)
    backend = HeadsBackend(encoder, Head.load(ROOT / "models/sentiment.safetensors"), Head.load(ROOT / "models/stance.safetensors"))
    loaded = time.perf_counter()
    frame = statements(n)
    sentiment, stance = classify(frame, backend, params.targets, params.classify.low_margin)
    done = time.perf_counter()
    words = frame.content.str.split().str.len()
    print(f"statements: {n} (mean {words.mean():.1f} words, max {words.max()}), targets: {len(params.targets)}")
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"model loading: {loaded - t0:.2f} s")
    print(f"classification: {done - loaded:.2f} s ({n / (done - loaded):.0f} statements/s)")
    print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    assert len(sentiment) == n and len(stance) == n * len(params.targets)


if __name__ == "__main__":
    main()
