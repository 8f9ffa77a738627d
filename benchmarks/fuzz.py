"""Fuzzing the whole pipeline: hostile documents through `newsstance run`, every input accounted for.

    python -m benchmarks.fuzz [--documents 1000] [--per-run 250] [--seed 0] [--work DIR]

A seeded generator makes documents of the kinds real corpora and careless scrapers produce (random
bytes, random Unicode with combining marks, bidi overrides, zero-width characters and lone
surrogates, quotation marks of every style unbalanced and nested, 10,000 quotation marks in a row,
very long lines and sentences, only punctuation, deep brackets, emoji, mixed scripts, form feeds,
roster names in odd places), writes them to folders of `--per-run` files and runs `newsstance run` on
each folder with heads a warm-up trained. A crashed run is one that exits non-zero; a document is
accounted for when it is in the documents table and not rejected later (processed), or in
rejected.parquet with a stage and a reason. Prints the figures; exits 1 on any crash or unaccounted
input. tests/test_fuzz.py runs a sample of the same generator.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

QUOTES = ['"', "“", "”", "‘", "’", "«", "»", "„", "‹", "›", "「", "」", "'", "``", "''"]
NAMES = [
    "Putin",
    "Vladimir Putin",
    "Trump",
    "Donald J. Trump",
    "Peskov",
    "Dmitri Peskov",
    "Medvedev",
    "Zelenskyy",
    "Zelensky",
    "Podolyak",
    "the Kremlin spokesman",
    "Ukraine's president",
    "the president",
    "he",
    "she",
]
CUES = [
    "said",
    "told reporters",
    "warned",
    "added",
    "wrote on Telegram:",
    "according to",
    "denied",
    "said that",
    "replied",
    "continued",
]
WORDS = (
    "the missiles would change nothing on the ground and we will respond to any escalation talks are "
    "due to resume next week in Istanbul officials said deliveries of long-range weapons"
).split()
SCRIPTS = [
    "Путин заявил",
    "Зеленський сказав",
    "普京说",
    "بوتين قال",
    "פוטין אמר",
    "プーチン氏は",
    "Πούτιν είπε",
    "पुतिन ने कहा",
    "푸틴은 말했다",
]
ODD = [
    "\u0301",
    "\u0336",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\x0c",
    "\x0b",
    "\x1b",
    "\r",
    "\t",
    "\u00ad",
    "\ufffd",
    "🇺🇦",
    "👍🏽",
    "🤝",
    "\U0001f600",
    "\x7f",
]
EMOJI = ["🇺🇦", "👍🏽", "🤝", "\U0001f600", "👨‍👩‍👧"]
# No NUL among them: ingest rejects a file with a NUL byte as binary (random bytes test that), which
# would keep every other odd character here from the stages after it.


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 18))).capitalize() + rng.choice([".", "!", "?", ""])


def statement(rng: random.Random) -> str:
    opener, closer = rng.choice([("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»"), ("„", "“"), ("", "")])
    name, cue = rng.choice(NAMES), rng.choice(CUES)
    body = sentence(rng)
    return rng.choice(
        [
            f"{opener}{body}{closer} {name} {cue}.",
            f"{name} {cue} {opener}{body}{closer}",
            f"{opener}{body},{closer} {cue} {name}, {opener}{sentence(rng)}{closer}",
        ]
    )


def _random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(1, 4000))


def _random_unicode(rng: random.Random) -> bytes:
    chars = [chr(rng.randint(0x20, 0x2FFFF)) for _ in range(rng.randint(1, 2000))]
    chars = [c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF]
    for _ in range(rng.randint(0, 50)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(ODD))
    return "".join(chars).encode("utf-8")


def _odd_characters_in_news(rng: random.Random) -> bytes:
    parts = [statement(rng) if rng.random() < 0.5 else sentence(rng) for _ in range(rng.randint(2, 30))]
    text = "\n\n".join(parts)
    chars = list(text)
    for _ in range(rng.randint(1, 80)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(ODD))
    return "".join(chars).encode("utf-8")


def _lone_surrogates(rng: random.Random) -> bytes:
    """UTF-8 text with lone surrogates encoded as their (invalid) three-byte sequences."""
    text = statement(rng) + "".join(chr(rng.randint(0xD800, 0xDFFF)) + sentence(rng) for _ in range(rng.randint(1, 10)))
    return text.encode("utf-8", "surrogatepass")


def _quote_marks(rng: random.Random) -> bytes:
    parts = []
    for _ in range(rng.randint(1, 40)):
        parts.append(
            rng.choice(
                [
                    rng.choice(QUOTES) * rng.randint(1, 5),
                    statement(rng),
                    sentence(rng),
                    rng.choice(QUOTES) + statement(rng),
                    statement(rng) + rng.choice(QUOTES),
                ]
            )
        )
    return rng.choice(["", " ", "\n", "\n\n"]).join(parts).encode("utf-8")


def _nested_quotes(rng: random.Random) -> bytes:
    depth = rng.randint(1, 200)
    opens = "".join(rng.choice("“‘«„\"'") for _ in range(depth))
    closes = "".join(rng.choice("”’»“\"'") for _ in range(rng.randint(0, depth)))
    return f"{rng.choice(NAMES)} said {opens}{sentence(rng)}{closes} and left.".encode("utf-8")


def _quote_run(rng: random.Random) -> bytes:
    mark = rng.choice(QUOTES)
    return f"Putin said {mark * 10_000} the end.\n\n{statement(rng)}".encode("utf-8")


def _long_line(rng: random.Random) -> bytes:
    """One paragraph longer than nlp.piece_chars (50,000), so it is parsed in pieces."""
    parts, size, limit = [], 0, rng.randint(60_000, 150_000)
    while size < limit:
        parts.append(statement(rng))
        size += len(parts[-1]) + 1
    return " ".join(parts).encode("utf-8")


def _long_sentence(rng: random.Random) -> bytes:
    return (
        f"{rng.choice(NAMES)} said that " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(2_000, 12_000))) + "."
    ).encode("utf-8")


def _only_punctuation(rng: random.Random) -> bytes:
    return "".join(rng.choice(".,;:!?-–—…()[]{}<>/\\|*&^%$#@~`'\"“”‘’«»") for _ in range(rng.randint(1, 5000))).encode(
        "utf-8"
    )


def _deep_brackets(rng: random.Random) -> bytes:
    depth = rng.randint(10, 3000)
    return (f"{rng.choice(NAMES)} said " + "(" * depth + sentence(rng) + ")" * rng.randint(0, depth) + ".").encode(
        "utf-8"
    )


def _emoji_and_scripts(rng: random.Random) -> bytes:
    parts = [
        rng.choice([statement(rng), rng.choice(SCRIPTS), "🇺🇦🇷🇺🇺🇸" * rng.randint(1, 30), rng.choice(EMOJI)])
        for _ in range(rng.randint(2, 40))
    ]
    return " ".join(parts).encode("utf-8")


def _form_feeds(rng: random.Random) -> bytes:
    seps = ["\x0c", "\r\n", "\r", "\v", "\u2028", "\u2029", "\x85", "\n\x0c\n"]
    return "".join(statement(rng) + rng.choice(seps) for _ in range(rng.randint(2, 40))).encode("utf-8")


def _names_in_odd_places(rng: random.Random) -> bytes:
    name = rng.choice(NAMES[:10])
    odd = [
        f"{name}\n said",
        f"“{name}” said {name}.",
        f"{name} {name} said said “{name}”.",
        f"{name}’s’s “” said.",
        f"said {name}",
        f"{name}:",
        f"— {name}",
        f"{name.upper()} SAID “NO”.",
        f"#{name} @{name} {name}.com",
        f"{name}-{name} said “{sentence(rng)}",
        f"({name} said (“{sentence(rng)}”))",
        name * rng.randint(1, 50),
    ]
    return "\n".join(rng.choice(odd) for _ in range(rng.randint(1, 30))).encode("utf-8")


def _encodings(rng: random.Random) -> bytes:
    text = "\n\n".join(statement(rng) for _ in range(rng.randint(1, 10)))
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "utf-8-sig", "koi8-r"])
    return text.encode(encoding, errors="replace")


KINDS = {
    "random bytes": _random_bytes,
    "random unicode": _random_unicode,
    "odd characters in news": _odd_characters_in_news,
    "lone surrogates": _lone_surrogates,
    "unbalanced quotation marks": _quote_marks,
    "nested quotation marks": _nested_quotes,
    "10,000 quotation marks": _quote_run,
    "very long line": _long_line,
    "very long sentence": _long_sentence,
    "only punctuation": _only_punctuation,
    "deep brackets": _deep_brackets,
    "emoji and mixed scripts": _emoji_and_scripts,
    "form feeds and odd line breaks": _form_feeds,
    "roster names in odd places": _names_in_odd_places,
    "other encodings": _encodings,
}
# The big documents are rarer: each costs seconds of parsing, not milliseconds.
WEIGHTS = {"10,000 quotation marks": 0.3, "very long line": 0.2, "very long sentence": 0.3}


@dataclass(frozen=True)
class Document:
    name: str
    kind: str
    data: bytes


def documents(n: int, seed: int = 0) -> list[Document]:
    """`n` documents, the same for the same seed: every kind once, then kinds drawn by weight."""
    rng = random.Random(seed)
    kinds = list(KINDS)
    drawn = kinds + rng.choices(kinds, [WEIGHTS.get(k, 1.0) for k in kinds], k=max(0, n - len(kinds)))
    return [Document(f"{i:05d}.txt", kind, KINDS[kind](rng)) for i, kind in enumerate(drawn[:n])]


@dataclass
class Outcome:
    crashed: bool
    returncode: int
    processed: set[str]
    rejected: pd.DataFrame  # file, stage, reason
    unaccounted: set[str]
    log_tail: str


def run_folder(docs: list[Document], work: Path, models: Path | None, params: Path | None = None) -> Outcome:
    """Write `docs` to a folder and run `newsstance run` on it (with the heads in `models`, when given)."""
    raw, out = work / "raw", work / "out"
    shutil.rmtree(work, ignore_errors=True)
    raw.mkdir(parents=True)
    for doc in docs:
        (raw / doc.name).write_bytes(doc.data)
    if models is not None:  # the heads and the train stage's record that they are current
        shutil.copytree(models, out / "interim" / "models")
        shutil.copy2(models.parent / "train_metrics.json", out / "interim" / "train_metrics.json")
    command = [str(Path(sys.executable).parent / "newsstance"), "run", str(raw), "--out", str(out)]
    if params is not None:
        command += ["--params", str(params)]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        return Outcome(True, done.returncode, set(), pd.DataFrame(), set(), done.stderr[-4000:])
    documents = pd.read_parquet(out / "interim" / "documents.parquet", columns=["file"])
    rejected = pd.read_parquet(out / "rejected.parquet")
    with_reason = rejected[(rejected.reason.str.len() > 0) & (rejected.stage.str.len() > 0)]
    processed = set(documents.file) - set(rejected.file)
    unaccounted = {d.name for d in docs} - processed - set(with_reason.file)
    return Outcome(False, 0, processed, rejected, unaccounted, done.stderr[-4000:])


def reason_kind(reason: str) -> str:
    """A rejection reason without the figures that vary from file to file."""
    head = (
        reason.split(":")[0] if reason.startswith(("ValueError", "RuntimeError", "KeyError", "IndexError")) else reason
    )
    return "".join("N" if ch.isdigit() else ch for ch in head)[:80]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--per-run", type=int, default=250, help="documents per `newsstance run`")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsstance-fuzz-"))
    warm = work / "warm"
    print(f"warm-up (trains the heads) in {warm}", flush=True)
    shutil.rmtree(warm, ignore_errors=True)
    shutil.copytree(ROOT / "data" / "raw", warm / "raw")
    subprocess.run(
        [str(Path(sys.executable).parent / "newsstance"), "run", str(warm / "raw"), "--out", str(warm / "out")],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    models = warm / "out" / "interim" / "models"

    docs = documents(args.documents, args.seed)
    kind_of = {d.name: d.kind for d in docs}
    crashes, processed, unaccounted, rejected = 0, 0, set(), []
    started = time.perf_counter()
    for k in range(0, len(docs), args.per_run):
        part = docs[k : k + args.per_run]
        outcome = run_folder(part, work / f"run-{k // args.per_run:03d}", models)
        crashes += outcome.crashed
        if outcome.crashed:
            print(
                f"CRASH (exit {outcome.returncode}) on documents {part[0].name}..{part[-1].name}:\n{outcome.log_tail}"
            )
            unaccounted |= {d.name for d in part}
            continue
        processed += len(outcome.processed)
        unaccounted |= outcome.unaccounted
        rejected.append(outcome.rejected)
        print(
            f"run {k // args.per_run + 1}: {len(part)} documents, {len(outcome.processed)} processed, "
            f"{len(outcome.rejected)} rejected ({time.perf_counter() - started:.0f} s so far)",
            flush=True,
        )
    rejected_all = (
        pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame(columns=["file", "stage", "reason"])
    )
    print(
        f"\ninputs tried: {len(docs)} in {-(-len(docs) // args.per_run)} runs, {time.perf_counter() - started:.0f} s "
        f"(seed {args.seed})"
    )
    print(f"crashed runs: {crashes}")
    print(f"processed: {processed}; rejected: {len(rejected_all)}; unaccounted for: {len(unaccounted)}")
    by_reason = Counter((r.stage, reason_kind(r.reason)) for r in rejected_all.itertuples())
    for (stage, reason), count in by_reason.most_common():
        print(f"  rejected by {stage}: {count:5d}  {reason}")
    by_kind = Counter((kind_of[f], "rejected" if f in set(rejected_all.file) else "processed") for f in kind_of)
    print("by kind (processed / rejected):")
    for kind in KINDS:
        print(f"  {kind:32s} {by_kind[(kind, 'processed')]:5d} / {by_kind[(kind, 'rejected')]:5d}")
    sys.exit(1 if crashes or unaccounted else 0)


if __name__ == "__main__":
    main()
