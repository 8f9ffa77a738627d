#!/usr/bin/env python3
"""Checks an invented evaluation set (articles + gold) before it is committed.

Usage, from anywhere:  python3 data/check_eval_set.py holdout|test
Exits non-zero if any check fails: file names, gold vocabularies, every gold sentence found exactly
once, and no run of 6+ words shared with the seeds, the shared gold or the other evaluation sets
(7+ with the labelled training set), so that no set leaks into another.
"""

import glob
import json
import os
import re
import sys
from collections import Counter

SETS = {"dev": "dev", "holdout": "ho", "test": "te"}  # folder under data/ -> file prefix
if len(sys.argv) != 2 or sys.argv[1] not in ("holdout", "test"):
    sys.exit("usage: check_eval_set.py holdout|test")
NAME, PREFIX = sys.argv[1], SETS[sys.argv[1]]
MAIN = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
HERE = os.path.join(MAIN, "data", NAME)
SHARED = os.path.abspath(os.path.join(MAIN, "..", "shared"))  # the shared seeds and gold, beside the repo

ROSTER = {"trump", "putin", "peskov", "medvedev", "zelensky", "podolyak"}
KINDS = {"direct", "indirect", "mixed"}
MENTIONS = {"full name", "surname", "title", "pronoun", "continuation", "possessive"}
STANCES = {"against", "neutral", "favor"}
SENTIMENTS = {"negative", "neutral", "positive"}
TARGET = "the US supplying Tomahawk missiles to Ukraine"
STMT_KEYS = {
    "doc",
    "speaker",
    "sentence",
    "kind",
    "cue",
    "mention",
    "stance_target",
    "stance",
    "sentiment",
    "ambiguous",
}
TRAP_KEYS = {"doc", "sentence", "why"}

errors = []


def err(msg):
    errors.append(msg)


def load_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                err(f"{path}:{i}: blank line")
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                err(f"{path}:{i}: bad JSON ({e})")
    return rows


# ---------------------------------------------------------------- articles
articles = {}
for path in sorted(glob.glob(os.path.join(HERE, "articles", "*.txt"))):
    doc = os.path.basename(path)[:-4]
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        err(f"{doc}: not UTF-8")
        continue
    articles[doc] = text
    if not re.fullmatch(PREFIX + r"_0[1-6]_[a-z0-9_]+", doc):
        err(f"{doc}: bad file name")
    lines = text.rstrip("\n").split("\n")
    if any(not line.strip() for line in lines):
        err(f"{doc}: blank line inside article")
    if "\r" in text:
        err(f"{doc}: CR line endings")
    words = len(text.split())
    if not 450 <= words <= 700:
        err(f"{doc}: {words} words (need 450-700)")
if len(articles) != 6:
    err(f"expected 6 articles, found {len(articles)}")

# ---------------------------------------------------------------- gold
stmts = load_jsonl(os.path.join(HERE, "gold", f"{PREFIX}_statements.jsonl"))
traps = load_jsonl(os.path.join(HERE, "gold", f"{PREFIX}_not_statements.jsonl"))

seen = set()
for r in stmts:
    tag = f"statement {r.get('doc')}: {str(r.get('sentence'))[:60]!r}"
    if set(r) != STMT_KEYS:
        err(f"{tag}: keys {sorted(r)}")
        continue
    if r["doc"] not in articles:
        err(f"{tag}: unknown doc")
        continue
    if r["speaker"] not in ROSTER:
        err(f"{tag}: speaker {r['speaker']!r}")
    if r["kind"] not in KINDS:
        err(f"{tag}: kind {r['kind']!r}")
    if r["mention"] not in MENTIONS:
        err(f"{tag}: mention {r['mention']!r}")
    if r["stance"] not in STANCES:
        err(f"{tag}: stance {r['stance']!r}")
    if r["sentiment"] not in SENTIMENTS:
        err(f"{tag}: sentiment {r['sentiment']!r}")
    if r["stance_target"] != TARGET:
        err(f"{tag}: stance_target {r['stance_target']!r}")
    if not isinstance(r["ambiguous"], bool):
        err(f"{tag}: ambiguous must be a boolean")
    if not isinstance(r["cue"], str):
        err(f"{tag}: cue must be a string")
    elif r["mention"] == "continuation":
        if r["cue"] != "":
            err(f"{tag}: continuation rows must have cue ''")
    else:
        if not r["cue"] or r["cue"].lower() not in r["sentence"].lower():
            err(f"{tag}: cue {r['cue']!r} not found in sentence")
    n = articles[r["doc"]].count(r["sentence"])
    if n != 1:
        err(f"{tag}: sentence occurs {n} times in article")
    if r["sentence"] != r["sentence"].strip() or "\n" in r["sentence"]:
        err(f"{tag}: sentence has surrounding whitespace or a newline")
    key = (r["doc"], r["sentence"])
    if key in seen:
        err(f"{tag}: duplicate statement row")
    seen.add(key)

trap_seen = set()
for r in traps:
    tag = f"trap {r.get('doc')}: {str(r.get('sentence'))[:60]!r}"
    if set(r) != TRAP_KEYS:
        err(f"{tag}: keys {sorted(r)}")
        continue
    if r["doc"] not in articles:
        err(f"{tag}: unknown doc")
        continue
    if not r["why"].strip():
        err(f"{tag}: empty why")
    n = articles[r["doc"]].count(r["sentence"])
    if n != 1:
        err(f"{tag}: sentence occurs {n} times in article")
    key = (r["doc"], r["sentence"])
    if key in trap_seen:
        err(f"{tag}: duplicate trap row")
    trap_seen.add(key)
    if key in seen:
        err(f"{tag}: sentence is both a statement and a trap")

# overlapping spans (one gold sentence containing another) are also suspicious
all_spans = [(d, s, "S") for d, s in seen] + [(d, s, "T") for d, s in trap_seen]
for d1, s1, t1 in all_spans:
    for d2, s2, t2 in all_spans:
        if d1 == d2 and s1 != s2 and s1 in s2:
            err(f"{d1}: gold sentence {s1[:50]!r} ({t1}) is inside {s2[:50]!r} ({t2})")

per_doc_s = Counter(r["doc"] for r in stmts)
per_doc_t = Counter(r["doc"] for r in traps)
for doc in articles:
    if not 10 <= per_doc_s[doc] <= 14:
        err(f"{doc}: {per_doc_s[doc]} statements (want 10-14)")
    if not 5 <= per_doc_t[doc] <= 10:
        err(f"{doc}: {per_doc_t[doc]} traps (want 5-10)")


# ---------------------------------------------------------------- overlap
def tokenizations(text):
    """Two ways of stripping punctuation: deleting it ("Russia's" -> "russias")
    and replacing it with a space ("russia s"). Both are checked."""
    t = text.lower()
    joined = re.sub(r"[^\w\s]", "", t).split()
    spaced = re.sub(r"[^\w\s]", " ", t).split()
    return joined, spaced


def ngrams(tokens, n):
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def jsonl_strings(path):
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                walk(json.loads(line))
    return out


def reference_grams(texts, n):
    grams = set()
    for t in texts:
        for toks in tokenizations(t):
            grams |= ngrams(toks, n)
    return grams


ref6_texts, ref7_texts = [], []
OTHERS = [other for other in SETS if other != NAME]
sources6 = glob.glob(os.path.join(SHARED, "seeds", "*.txt")) + [
    p for other in OTHERS for p in glob.glob(os.path.join(MAIN, "data", other, "articles", "*.txt"))
]
jsonl6 = glob.glob(os.path.join(SHARED, "gold", "*.jsonl")) + [
    p for other in OTHERS for p in glob.glob(os.path.join(MAIN, "data", other, "gold", "*.jsonl"))
]
jsonl7 = glob.glob(os.path.join(MAIN, "data", "labels", "*.jsonl"))
if not sources6 or not jsonl6 or not jsonl7:
    err("reference files for the overlap check not found")
for p in sources6:
    with open(p, encoding="utf-8") as f:
        ref6_texts.append(f.read())
for p in jsonl6:
    ref6_texts.extend(jsonl_strings(p))
for p in jsonl7:
    ref7_texts.extend(jsonl_strings(p))
ref6 = reference_grams(ref6_texts, 6)
ref7 = reference_grams(ref7_texts, 7)

for doc, text in sorted(articles.items()):
    hits = set()
    for toks in tokenizations(text):
        for g in ngrams(toks, 6) & ref6:
            hits.add(("6", " ".join(g)))
        for g in ngrams(toks, 7) & ref7:
            hits.add(("7", " ".join(g)))
    for n, g in sorted(hits):
        err(f"{doc}: shares a {n}-word run with reference data: {g!r}")

# ---------------------------------------------------------------- report
print(
    f"articles: {len(articles)}  words: " + ", ".join(f"{d[:5]}={len(t.split())}" for d, t in sorted(articles.items()))
)
print(f"statements: {len(stmts)}  per article: " + ", ".join(f"{d[:5]}={per_doc_s[d]}" for d in sorted(articles)))
print(f"traps: {len(traps)}  per article: " + ", ".join(f"{d[:5]}={per_doc_t[d]}" for d in sorted(articles)))
for field in ("speaker", "kind", "mention", "stance", "sentiment", "ambiguous"):
    c = Counter(r.get(field) for r in stmts)
    print(f"  {field}: " + ", ".join(f"{k} {v}" for k, v in c.most_common()))
if errors:
    print(f"\nFAILED: {len(errors)} problem(s)")
    for e in errors:
        print("  - " + e)
    sys.exit(1)
print("\nOK: all checks passed")
