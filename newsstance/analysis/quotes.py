"""Quote identity: statements that are the same quote of the same speaker share a `quote_id`.

Wire copy counts once. An agency quote reprinted by forty outlets appears forty times in the corpus, each
copy slightly edited (curly or straight quotes, "U.S." or "US", a word changed, a dash for a comma, British
or American spelling, a trailing word dropped); counted per statement, it would weigh forty times in every
aggregate. `quote_ids` gives all copies one id: the statement_id of the first occurrence.

Method: each content is normalised (`normalise`); a speaker's statements with the same normalised text are
one quote outright. Distinct texts of three words or more are compared as sets of word bigrams: MinHash
signatures (datasketch's "affine32" scheme, computed with numpy once per distinct text) go into a
`MinHashLSH` index per speaker, and every pair the index proposes is accepted only if the exact Jaccard
similarity of the two bigram sets reaches `threshold`; accepted pairs are joined with a union-find, so
chains of edits (A~B, B~C) make one quote. Shorter texts match only when identical.

Word bigrams rather than character n-grams: a word weighs as a word, so a flipped negation ("We will not
send Tomahawks" / "We will send Tomahawks") stays two quotes, where "not " is four characters of a long
string; one word changed in a quote of seven words falls below 0.6, and in a quote that short it may well be
another statement (benchmarks/README.md has the figures).
"""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pandas as pd
from datasketch import LeanMinHash, MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32

SEED = 1  # datasketch's default: the permutations, hence the signatures, are the same in every process
MIN_WORDS = 3  # shorter texts have at most one bigram: they match only when identical
LSH_RECALL = 0.99  # chance that a pair exactly at the threshold is proposed by the index

_DROPPED = "'‘’‛′`."  # apostrophes and dots, dropped: don’t == don't == dont, U.S. == US
_PUNCTUATION = re.compile(r"[^\w\s]|_")  # any other mark, curly or plain quote, dash or comma: a space


def normalise(text: str) -> str:
    """NFKC, casefolded, apostrophes and dots dropped, other punctuation as spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    for mark in _DROPPED:
        text = text.replace(mark, "")
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the longest bands with which a pair at `threshold` is a candidate with LSH_RECALL."""
    for rows in range(num_perm // 2, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= LSH_RECALL:
            return bands, rows
    return num_perm, 1


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, which datasketch's affine32 scheme applies before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(hashes: np.ndarray, starts: np.ndarray, num_perm: int, block: int = 1 << 15) -> np.ndarray:
    """MinHash values of each segment hashes[starts[i]:starts[i + 1]] (uint32 shingle hashes, segments not
    empty), one row per segment: what datasketch's MinHash(num_perm, seed=SEED).update_batch gives for the
    same hashes, computed a block of segments at a time."""
    a, b = MinHash(num_perm=num_perm, seed=SEED).permutations
    hashes, bounds = _fmix32(hashes.astype(np.uint32)), np.append(starts, len(hashes))
    out = np.empty((len(starts), num_perm), dtype=np.uint32)
    i = 0
    while i < len(starts):
        j = max(i + 1, int(np.searchsorted(bounds, bounds[i] + block, side="right")) - 1)
        lo, hi = bounds[i], bounds[j]
        out[i:j] = np.minimum.reduceat(hashes[lo:hi, None] * a + b, bounds[i:j] - lo, axis=0)
        i = j
    return out


def _bigrams(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word bigrams of texts of MIN_WORDS words or more: (exact int64 keys, uint32 hashes, segment starts).

    A bigram's hash combines the sha1 hashes of its two words, so it depends on the words alone."""
    lengths = np.array([t.count(" ") + 1 for t in texts], dtype=np.int64)
    codes, vocabulary = pd.factorize(np.array(" ".join(texts).split(" "), dtype=object))
    word_hash = np.fromiter((sha1_hash32(w.encode()) for w in vocabulary), dtype=np.uint32, count=len(vocabulary))
    ends = np.cumsum(lengths)
    first = np.delete(np.arange(ends[-1]), ends - 1)  # every word but each text's last
    left, right = codes[first].astype(np.int64), codes[first + 1].astype(np.int64)
    keys = left * len(vocabulary) + right
    hashes = word_hash[left] * np.uint32(0x9E3779B1) + word_hash[right]
    return keys, hashes, ends - lengths - np.arange(len(texts))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = i = self.parent[self.parent[i]]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def _buckets(speakers: np.ndarray, sig: np.ndarray, bands: tuple[int, int]) -> list[list[int]]:
    """The LSH buckets holding more than one entry (row of sig), one MinHashLSH index per speaker."""
    buckets = []
    state = random.getstate()  # datasketch names each index with the global random: leave it as it was
    try:
        by_speaker = np.argsort(speakers, kind="stable")
        for same in np.split(by_speaker, np.flatnonzero(np.diff(speakers[by_speaker])) + 1):
            if len(same) < 2:
                continue
            lsh = MinHashLSH(num_perm=sig.shape[1], params=bands)
            for i in same.tolist():
                lsh.insert(i, LeanMinHash(seed=SEED, hashvalues=sig[i], scheme="affine32"), check_duplication=False)
            for table in lsh.hashtables:
                buckets.extend(sorted(b) for b in map(table.get, table.keys()) if len(b) > 1)
    finally:
        random.setstate(state)
    return buckets


def quote_ids(statements: pd.DataFrame, threshold: float = 0.6, num_perm: int = 24) -> pd.Series:
    """The quote_id of each statement: the statement_id of the first occurrence of its quote, ordered by
    (date, undated last; doc_id; content_start; statement_id). Same quote: same speaker and the same
    normalised content, or a chain of word-bigram Jaccard similarities >= threshold. An empty content or an
    unknown speaker stands alone.

    num_perm only sets the LSH banding (`lsh_bands`; 24 gives 12 bands of 2 rows): every candidate is
    checked exactly, so more permutations buy recall at the threshold and cost index time."""
    n = len(statements)
    speaker = pd.factorize(statements["speaker"])[0].astype(np.int64)
    raw, contents = pd.factorize(statements["content"].astype(object))
    normalised = np.array([normalise(str(c)) for c in contents] + [""], dtype=object)  # raw -1 (None): ""
    text, texts = pd.factorize(normalised[raw])
    paired = (texts[text] != "") & (speaker >= 0)  # the others stand alone
    unit = np.full(n, -1, dtype=np.int64)  # one unit per (speaker, normalised text)
    unit[paired] = pd.factorize(speaker[paired] * len(texts) + text[paired])[0]
    n_units = int(unit.max(initial=-1)) + 1
    unit_speaker, unit_text = np.empty(n_units, np.int64), np.empty(n_units, np.int64)
    unit_speaker[unit[paired]], unit_text[unit[paired]] = speaker[paired], text[paired]

    groups = _UnionFind(n_units)
    long = np.flatnonzero([t.count(" ") + 1 >= MIN_WORDS for t in texts])
    shingled = np.flatnonzero(np.isin(unit_text, long))
    if len(shingled) > 1:
        keys, hashes, starts = _bigrams(texts[long].tolist())
        bounds = np.append(starts, len(keys)).tolist()
        segment = np.full(len(texts), -1)
        segment[long] = np.arange(len(long))
        segments = segment[unit_text[shingled]].tolist()  # each shingled unit's bigrams
        sig = signatures(hashes, starts, num_perm)[segments]
        sets: dict[int, frozenset[int]] = {}

        def bigram_set(s: int) -> frozenset[int]:
            if s not in sets:
                sets[s] = frozenset(keys[bounds[s] : bounds[s + 1]].tolist())
            return sets[s]

        for bucket in _buckets(unit_speaker[shingled], sig, lsh_bands(threshold, num_perm)):
            for i, a in enumerate(bucket):
                for b in bucket[i + 1 :]:
                    u, v = int(shingled[a]), int(shingled[b])
                    if groups.find(u) != groups.find(v):
                        x, y = bigram_set(segments[a]), bigram_set(segments[b])
                        if len(x & y) >= threshold * len(x | y):
                            groups.union(u, v)

    key = [groups.find(u) if u >= 0 else n_units + i for i, u in enumerate(unit.tolist())]
    order = pd.DataFrame(
        {
            "date": pd.to_datetime(statements["date"]).to_numpy(),
            "doc_id": statements["doc_id"].to_numpy(),
            "content_start": statements["content_start"].to_numpy(),
            "statement_id": statements["statement_id"].to_numpy(),
            "key": key,
        }
    ).sort_values(["date", "doc_id", "content_start", "statement_id"], na_position="last")
    first = order.drop_duplicates("key").set_index("key")["statement_id"]
    return pd.Series(first.reindex(key).to_numpy(), index=statements.index, name="quote_id", dtype=object)
