"""quote_ids: wire copy of one quote shares an id, different quotes keep theirs (invented news quotes)."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from datasketch import MinHash

from newsstance.analysis.quotes import SEED, _bigrams, lsh_bands, normalise, quote_ids, signatures

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 10, 14)
LONG = (
    "We will not allow the U.S. or anyone else to dictate the terms of our defence, or of a settlement "
    "that ignores the realities on the ground, and our partners know it."
)


def statement(sid: str, content: str | None, speaker: str = "Peskov", date: dt.date | None = DAY, doc=None, at=0):
    return {
        "statement_id": sid,
        "speaker": speaker,
        "content": content,
        "date": date,
        "doc_id": doc or f"doc-{sid}",
        "content_start": at,
    }


def ids(*rows: dict) -> dict[str, str]:
    frame = pd.DataFrame(list(rows))
    return dict(zip(frame["statement_id"], quote_ids(frame)))


def bigram_jaccard(a: str, b: str) -> float:
    x, y = ({*zip(w, w[1:])} for w in (normalise(a).split(), normalise(b).split()))
    return len(x & y) / len(x | y)


def test_an_identical_reprint_in_three_outlets_is_one_quote_with_three_occurrences():
    got = ids(statement("tass", LONG), statement("ria", LONG), statement("interfax", LONG))
    assert got == {"interfax": "interfax", "ria": "interfax", "tass": "interfax"}  # same day: first doc_id


@pytest.mark.parametrize(
    "reprint",
    [
        f"“{LONG}”",
        LONG.replace("U.S.", "US"),
        LONG.replace("defence,", "defence -"),
        LONG.replace("defence", "defense"),
        LONG.replace("realities", "facts"),
        LONG.removesuffix(" it."),
        f"“{LONG.replace('U.S.', 'US').replace('defence,', 'defense —').removesuffix(' it.')},”",
    ],
    ids=["curly quotes", "US", "dash for comma", "spelling", "word changed", "trailing word dropped", "all of it"],
)
def test_a_reprint_with_small_edits_keeps_the_quote_id(reprint):
    assert ids(statement("agency", LONG, date=DAY), statement("outlet", reprint, date=DAY + dt.timedelta(1))) == {
        "agency": "agency",
        "outlet": "agency",
    }


@pytest.mark.parametrize(
    "other",
    [
        "We will send Tomahawks to Ukraine next month if the war goes on.",
        "We will send Tomahawks to Ukraine.",  # the negation flipped: bigram Jaccard 0.57
    ],
)
def test_two_quotes_of_a_speaker_on_one_topic_keep_their_own_ids(other):
    said = "We will not send Tomahawks to Ukraine."
    assert ids(statement("a", said, "Trump"), statement("b", other, "Trump")) == {"a": "a", "b": "b"}


def test_the_same_quote_by_two_speakers_is_two_quotes():
    got = ids(statement("a", LONG, "Peskov"), statement("b", LONG, "Lavrov"), statement("c", f"“{LONG}”", "Lavrov"))
    assert got == {"a": "a", "b": "b", "c": "b"}


def test_short_quotes_match_only_when_identical():
    got = ids(
        statement("no1", "No."),
        statement("no2", "No!"),
        statement("now", "Now."),
        statement("see1", "We'll see."),
        statement("see2", "We’ll see"),
        statement("see3", "We will see."),
        statement("see4", "We'll see, then."),
    )
    assert got == {"no1": "no1", "no2": "no1", "now": "now", "see1": "see1", "see2": "see1", "see3": "see3"} | {
        "see4": "see4"
    }


def test_the_id_is_the_first_occurrence_by_date_undated_last_then_doc_id_then_position():
    later, undated = DAY + dt.timedelta(1), None
    rows = [
        statement("undated", LONG, date=undated, doc="a"),
        statement("later", LONG, date=later, doc="a"),
        statement("doc-z", LONG, doc="z", at=0),
        statement("doc-c-late", LONG, doc="c", at=900),
        statement("doc-c-early", LONG, doc="c", at=100),
    ]
    assert set(ids(*rows).values()) == {"doc-c-early"}
    assert set(ids(*rows[:4]).values()) == {"doc-c-late"}
    assert set(ids(*rows[:3]).values()) == {"doc-z"}
    assert set(ids(*rows[:2]).values()) == {"later"}


def test_shuffled_rows_give_the_same_ids():
    rows = [
        statement("a", LONG, date=None),
        statement("b", f"“{LONG}”", date=DAY),
        statement("c", LONG.replace("U.S.", "US"), "Lavrov"),
        statement("d", LONG, "Lavrov", date=DAY - dt.timedelta(3)),
        statement("e", "We will not send Tomahawks to Ukraine.", "Trump"),
        statement("f", "We will not send Tomahawks to Ukraine", "Trump", doc="a"),
        statement("g", "We will send Tomahawks to Ukraine.", "Trump"),
        statement("h", None),
        statement("i", "No."),
        statement("j", "No", doc="a"),
    ]
    frame = pd.DataFrame(rows).astype({"speaker": "category"})
    expected = {"a": "b", "b": "b", "c": "d", "d": "d", "e": "f", "f": "f", "g": "g", "h": "h", "i": "j", "j": "j"}
    for seed in range(5):
        shuffled = frame.sample(frac=1, random_state=seed).set_axis([f"row{i}" for i in range(len(frame))])
        got = quote_ids(shuffled)
        assert got.name == "quote_id" and list(got.index) == list(shuffled.index)
        assert dict(zip(shuffled["statement_id"], got)) == expected


def test_a_chain_of_edits_joins_transitively():
    a = LONG
    b = a.replace("dictate", "set").replace("ground", "battlefield")
    c = b.replace("partners", "allies").replace("settlement", "deal")
    assert bigram_jaccard(a, b) >= 0.6 and bigram_jaccard(b, c) >= 0.6 > bigram_jaccard(a, c)
    assert ids(statement("a", a), statement("c", c)) == {"a": "a", "c": "c"}
    assert ids(statement("a", a), statement("b", b), statement("c", c)) == {"a": "a", "b": "a", "c": "a"}


def test_none_and_empty_contents_stand_alone():
    got = ids(statement("a", None), statement("b", None), statement("c", ""), statement("d", " — "))
    assert got == {"a": "a", "b": "b", "c": "c", "d": "d"}
    assert quote_ids(pd.DataFrame([statement("x", "No.")]).iloc[:0]).tolist() == []


def test_lsh_proposes_the_pairs_an_all_pairs_comparison_accepts():
    rng = random.Random(7)
    vocabulary = (
        "the minister said talks sanctions ceasefire border troops Kyiv Moscow Washington Europe will not can "
        "must never again today next week our their partners peace war aid missiles energy prices winter"
    ).split()
    rows = []
    for q in range(40):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(8, 30))]
        for copy in range(rng.randint(1, 4)):
            edited = list(words)
            for _ in range(rng.randint(0, 2)):
                edited[rng.randrange(len(edited))] = rng.choice(vocabulary)
            rows.append(statement(f"q{q}-{copy}", " ".join(edited) + ".", f"speaker {q % 3}"))
    got = ids(*rows)
    # the same partition by brute force: every pair of a speaker, exact Jaccard, transitive closure
    parent = {r["statement_id"]: r["statement_id"] for r in rows}

    def find(s: str) -> str:
        while parent[s] != s:
            s = parent[s]
        return s

    for i, x in enumerate(rows):
        for y in rows[i + 1 :]:
            if x["speaker"] == y["speaker"] and bigram_jaccard(x["content"], y["content"]) >= 0.6:
                parent[find(x["statement_id"])] = find(y["statement_id"])
    partition = {s: find(s) for s in parent}
    assert len(set(got.values())) == len(set(partition.values())) < len(rows)
    assert all((got[x] == got[y]) == (partition[x] == partition[y]) for x in got for y in got)


def test_signatures_are_the_minhashes_datasketch_computes():
    texts = [normalise(LONG), "we will not send tomahawks to ukraine"]
    _, hashes, starts = _bigrams(texts)
    got = signatures(hashes, starts, 24, block=8)  # blocks smaller than a text: one text a block
    for row, (lo, hi) in zip(got, zip(starts, [*starts[1:], len(hashes)])):
        expected = MinHash(num_perm=24, seed=SEED, hashfunc=int)
        expected.update_batch(hashes[lo:hi].tolist())
        assert np.array_equal(row, expected.hashvalues)


def test_signatures_are_the_same_in_another_process():
    code = (
        "import json; from newsstance.analysis.quotes import _bigrams, signatures;"
        f"_, h, s = _bigrams({json.dumps([normalise(LONG)])}); print(json.dumps(signatures(h, s, 24).tolist()))"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, cwd=ROOT
    )
    _, hashes, starts = _bigrams([normalise(LONG)])
    assert json.loads(child.stdout) == signatures(hashes, starts, 24).tolist()


def test_normalise_drops_the_marks_wire_copies_differ_in():
    assert normalise("“We won’t let the U.S. decide — ever,” he said.") == "we wont let the us decide ever he said"
    assert normalise('"We won\'t let the US decide, ever" he said') == "we wont let the us decide ever he said"


def test_the_default_banding_proposes_pairs_at_the_threshold_with_99_percent():
    bands, rows = lsh_bands(0.6, 24)
    assert (bands, rows) == (12, 2) and 1 - (1 - 0.6**rows) ** bands >= 0.99


def test_the_global_random_stream_is_left_as_it_was():
    random.seed(3)
    state = random.getstate()
    ids(statement("a", LONG), statement("b", f"“{LONG}”"))
    assert random.getstate() == state
