"""How often each verb with a person as subject is an attribution cue in PolNeAR train.

    python -m benchmarks.polnear_cues [--polnear ../shared/polnear] [--split train] [--min-count 4] [--min-rate 0.6]

Prints, for every verb lemma (with its particle: "lash out") seen at least `--min-count` times with a
person (a PERSON entity or a personal pronoun) as its subject, the share of those times the verb lies
inside a gold Cue, and whether params.yaml's statement cue lists already hold it. The verbs of
judging and revealing added to `statements` (reveal, remind, blame, denounce, outline, lay out, ...)
were read off this list, each one checked by hand for being a verb of saying; PolNeAR also marks
beliefs and plans ("hope", "seek"), which the project's conventions do not count as statements.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import spacy

from benchmarks.polnear import read_annotations
from newsstance.config import load_params

PRONOUNS = frozenset({"he", "she", "i", "we", "they"})


def cue_rates(split: Path, model: str) -> tuple[Counter, Counter]:
    """(occurrences, occurrences inside a gold Cue) per verb lemma with a person subject."""
    gold = read_annotations(split)
    articles = [
        (a, (split / "text" / f"{a}.txt").read_text(encoding="utf-8"))
        for a in sorted(gold)
        if (split / "text" / f"{a}.txt").exists()
    ]
    nlp = spacy.load(model)
    seen: Counter = Counter()
    cued: Counter = Counter()
    for (article, _), doc in zip(articles, nlp.pipe((t for _, t in articles), batch_size=16)):
        cue_chars = {i for a in gold[article] for s, e in a.cue for i in range(s, e)}
        for tok in doc:
            subject = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if (
                tok.pos_ != "VERB"
                or subject is None
                or not (subject.ent_type_ == "PERSON" or subject.lower_ in PRONOUNS)
            ):
                continue
            particle = next((c.lower_ for c in tok.children if c.dep_ == "prt"), None)
            lemma = tok.lemma_.lower() + (f" {particle}" if particle else "")
            seen[lemma] += 1
            cued[lemma] += tok.idx in cue_chars
    return seen, cued


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "polnear")
    parser.add_argument("--split", default="train", choices=("train", "dev"))
    parser.add_argument("--min-count", type=int, default=4)
    parser.add_argument("--min-rate", type=float, default=0.6)
    args = parser.parse_args(argv)
    params = load_params(None)
    s = params.statements
    listed = {*s.cue_verbs, *s.object_cues, *s.nominal_cues, *s.cue_phrases}
    seen, cued = cue_rates(args.polnear / args.split, params.nlp.model)
    rows = sorted(
        ((cued[v] / n, n, v) for v, n in seen.items() if n >= args.min_count and cued[v] / n >= args.min_rate),
        key=lambda r: (-r[0], -r[1], r[2]),
    )
    print(f"{'lemma':18} {'cue':>5} {'seen':>5} {'rate':>5}  in params")
    for rate, n, verb in rows:
        print(f"{verb:18} {cued[verb]:5d} {n:5d} {rate:5.2f}  {'yes' if verb in listed else ''}")


if __name__ == "__main__":
    main()
