"""Benchmark: `quote_ids` (wire-copy quote identity) over N synthetic statements.

N statements (default 150,000, about a pipeline's 10,000 articles) of N/50 speakers: 70 % distinct
sentences of 8-40 words drawn from a Zipf-weighted vocabulary; 30 % reprints of a tenth of them (the wire
copy), by the same speaker, with one or two small edits (curly quotes, "U.S."/"US", a word changed, a dash
for a comma, -ise/-ize, the trailing word dropped). Prints the statements, distinct ids and quotes, the
reprints given their quote's id (the others, at 20,000: short quotes, most under 10 words, with a word
changed, under the Jaccard threshold by design), the distinct quotes merged, the seconds `quote_ids` took
and the process's peak RSS (the statements' own before the call).
Run from the repository root:  .venv/bin/python -m benchmarks.dedup [N]

With a pipeline's statements table instead (the statements of a `benchmarks.scale` run of 10,000
documents: their generated quotes repeat one another as wire copy does), it prints the seconds on them,
to set beside that run's wall time:  .venv/bin/python -m benchmarks.dedup --statements PATH
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time

import numpy as np
import pandas as pd

from newsstance.analysis.quotes import quote_ids


def edit(text: str, kind: int, rng: np.random.Generator, words: np.ndarray) -> str:
    """One of the small edits outlets make to wire copy."""
    if kind == 0:
        return f"“{text}”"
    if kind == 1:
        return text.replace("U.S.", "US")
    if kind == 2:
        return text.replace(", ", " - ", 1)
    if kind == 3:
        return text.replace("ise ", "ize ", 1)
    if kind == 4:
        return text.rsplit(" ", 1)[0] + "."
    tokens = text.split()
    tokens[rng.integers(1, len(tokens) - 1)] = rng.choice(words)
    return " ".join(tokens)


def statements(n: int, seed: int = 0) -> pd.DataFrame:
    """n synthetic statements, each with the statement_id of the quote it reprints (its own if none)."""
    rng = np.random.default_rng(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "pre", "con", "dis", "ment", "tion", "ise"]
    vocabulary = sorted({"".join(rng.choice(syllables, rng.integers(1, 4))) for _ in range(30_000)})
    words = np.array(vocabulary[:50] + ["U.S."] + vocabulary[50:])  # U.S. in about 1 quote of 20
    weights = 1 / np.arange(1, len(words) + 1)
    n_distinct = int(n * 0.7)
    lengths = rng.integers(8, 41, n_distinct)
    drawn = rng.choice(words, lengths.sum(), p=weights / weights.sum()).tolist()
    texts, speakers, at = [], rng.integers(0, max(1, n // 50), n_distinct), 0
    for length in lengths.tolist():
        sentence = drawn[at : at + length]
        sentence[0], sentence[length // 2] = sentence[0].capitalize(), sentence[length // 2] + ","
        texts.append(" ".join(sentence) + ".")
        at += length
    speaker, sources = speakers.tolist(), list(range(n_distinct))
    for source in rng.integers(0, max(1, n_distinct // 10), n - n_distinct).tolist():  # a tenth is wire copy
        text = texts[source]
        for kind in rng.choice(6, rng.integers(1, 3), replace=False).tolist():
            text = edit(text, kind, rng, words)
        texts.append(text)
        speaker.append(speaker[source])
        sources.append(source)
    start = dt.date(2025, 1, 1)
    frame = pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(n)],
            "speaker": pd.Categorical([f"speaker {s}" for s in speaker]),
            "content": texts,
            "date": [start + dt.timedelta(days=int(d)) if d < 60 else None for d in rng.integers(0, 63, n)],
            "doc_id": [f"doc{d}" for d in rng.integers(0, max(1, n // 15), n)],
            "content_start": rng.integers(0, 5000, n),
            "source": [f"s{i}" for i in sources],
        }
    )
    return frame.sample(frac=1, random_state=seed, ignore_index=True)


def main(n: int) -> None:
    frame = statements(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    ids = quote_ids(frame)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    original = frame["source"] == frame["statement_id"]
    joined = ids[~original] == frame.loc[~original, "source"].map(ids.set_axis(frame["statement_id"]))
    print(f"statements {len(frame):,}  distinct ids {ids.nunique():,}  quotes generated {original.sum():,}")
    print(f"reprints given their quote's id {joined.sum():,} of {len(joined):,} ({joined.mean():.1%})")
    print(f"distinct quotes merged with another {ids[original].duplicated(keep=False).sum():,}")
    print(f"quote_ids {seconds:.2f} s  peak RSS {peak:.0f} MiB ({before:.0f} MiB before quote_ids)")


def on_table(path: str) -> None:
    """quote_ids over a pipeline's statements table (statements_raw or statements)."""
    frame = pd.read_parquet(path)
    if "date" not in frame:  # a table written before dates: undated, as documents without metadata are
        frame["date"] = None
    began = time.perf_counter()
    ids = quote_ids(frame)
    seconds = time.perf_counter() - began
    print(f"statements {len(frame):,}  distinct quotes {ids.nunique():,}  quote_ids {seconds:.2f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--statements"]:
        on_table(sys.argv[2])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 150_000)
