"""The benchmark corpus generator: deterministic, varied, in range, and covering every roster speaker.

The scale benchmark's figures are only comparable across runs and sizes if the corpus is; no spaCy here.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not an installed package
from benchmarks.corpus import MAX_PARAGRAPHS, MAX_WORDS, MIN_PARAGRAPHS, MIN_WORDS, article, generate, write_corpus  # noqa: E402

# Every way the brief asks the corpus to name each roster speaker.
VARIANTS = {
    "trump": ["Donald Trump", "Trump", "Mr Trump", "the US president", "the president"],
    "putin": ["Vladimir Putin", "Putin", "Mr Putin", "the Russian president"],
    "peskov": ["Dmitry Peskov", "Dmitri Peskov", "Peskov", "the Kremlin spokesman"],
    "medvedev": ["Dmitry Medvedev", "Medvedev", "Russia's former president"],
    "zelensky": ["Volodymyr Zelensky", "Zelenskyy", "Zelenskiy", "Mr Zelensky", "the Ukrainian president"],
    "podolyak": ["Mykhailo Podolyak", "Podolyak", "the presidential adviser"],
}


@pytest.fixture(scope="module")
def corpus():
    return generate(200)


def paragraphs(text: str) -> list[str]:
    return text.strip().split("\n\n")[1:]  # the headline is not a paragraph


def test_same_seed_same_bytes(tmp_path):
    a, b = write_corpus(tmp_path / "a", 20), write_corpus(tmp_path / "b", 20)
    assert [p.name for p in a] == [p.name for p in b] == [f"bench_{i:06d}.txt" for i in range(20)]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_article_depends_only_on_seed_and_index():
    assert generate(50)[:10] == generate(10)
    assert generate(50, seed=3)[42] == article(42, seed=3)


def test_other_seed_changes_the_text():
    base, other = generate(30), generate(30, seed=1)
    assert all(a[0] == b[0] and a[1] != b[1] for a, b in zip(base, other))


def test_documents_differ(corpus):
    texts = [t for _, t in corpus]
    assert len(set(texts)) == len(texts)
    counts = Counter(p for t in texts for p in paragraphs(t))
    total = sum(counts.values())
    repeats = total - len(counts)  # paragraphs that are a copy of an earlier one
    assert repeats / total < 0.05, counts.most_common(5)
    assert len(set(t.splitlines()[0] for t in texts)) > 50  # headlines vary too


def test_shape_and_size(corpus):
    for name, text in corpus:
        lines = text.split("\n")
        assert lines[0] and lines[1] == "", name  # headline, blank line
        assert not re.search(r"[.!?]$", lines[0]) and len(lines[0].split()) <= 20
        assert MIN_PARAGRAPHS <= len(paragraphs(text)) <= MAX_PARAGRAPHS, name
        assert MIN_WORDS <= len(text.split()) <= MAX_WORDS, name
        assert "{" not in text and "}" not in text and "\n\n\n" not in text
        text.encode("ascii")  # plain ASCII punctuation


def test_every_roster_speaker_and_variant_appears(corpus):
    joined = "\n".join(t for _, t in corpus)
    for speaker, names in VARIANTS.items():
        for name in names:
            assert re.search(rf"\b{re.escape(name)}\b", joined, re.IGNORECASE), (speaker, name)
    per_doc = [sum(any(n in t for n in names[:3]) for names in VARIANTS.values()) for _, t in corpus]
    assert min(per_doc) >= 1 and sum(per_doc) / len(per_doc) >= 2  # most articles have several speakers


def test_statement_shapes_occur(corpus):
    """The attribution patterns the pipeline handles are all exercised, and so are non-statements."""
    joined = "\n".join(t for _, t in corpus)
    shapes = {
        "quote, cue after": r'," (\w+ ){1,4}(said|told|added|warned)',
        "quote, cue before": r': "[A-Z]',
        "reported speech": r"\b(said|warned|argued|insisted) that\b",
        "according to": r"\b[Aa]ccording to\b",
        "pronoun follow-up": r"\b(He|She) (added|also said|went on to say)\b",
        "quote left open at a paragraph end": r': "[^"\n]+\n\n"',
        "paragraph that is only a quote": r'\n\n"[^"\n]+\."\n',
        "outside speaker": r"\b(analyst|Minister|diplomat|official)\b",
        "narrative": r"\b(kilometres|percent|February 2022)\b",
        "dateline": r"\n\n[A-Z]{4,}, [A-Z][a-z]+ \d+ - ",
    }
    for shape, pattern in shapes.items():
        assert len(re.findall(pattern, joined)) >= 20, shape
    for topic in ("Tomahawk", "sanctions", "gas", "talks", "front"):
        assert sum(topic in t for _, t in corpus) >= 20, topic
