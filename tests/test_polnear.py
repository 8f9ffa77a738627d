"""The PolNeAR benchmark's reading and scoring (benchmarks/polnear.py); skipped without ../shared/polnear."""

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.polnear import Attribution, names_a_person, read_annotations, score

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "polnear"


@pytest.mark.skipif(not (POLNEAR / "dev").is_dir(), reason="PolNeAR is not beside the project")
def test_annotations_point_into_their_texts():
    gold = read_annotations(POLNEAR / "dev")
    assert len(gold) == 84
    article, rows = next((a, r) for a, r in sorted(gold.items()) if r)
    text = (POLNEAR / "dev" / "text" / f"{article}.txt").read_text(encoding="utf-8")
    with_source = [a for a in rows if a.source]
    assert with_source and all(text[s:e] for a in with_source for s, e in a.source)
    first = with_source[0]
    assert text[first.source[0][0] : first.source[0][1]] == first.source_text


def test_a_person_source_is_a_pronoun_or_ends_its_first_phrase_in_a_name():
    people = [(0, 12)]  # "Paul Lindsay" in each text below
    named = Attribution("d", source=[(0, 44)], source_text="Paul Lindsay, a spokesman for the super PAC")
    title = Attribution("d", source=[(0, 32)], source_text="Paul Lindsay campaign officials")
    assert names_a_person(named, people)
    assert not names_a_person(title, people)
    assert names_a_person(Attribution("d", source=[(50, 52)], source_text="He"), people)


def test_a_prediction_needs_both_content_and_source_to_match():
    gold = {"d": [Attribution("d", source=[(0, 5)], content=[(11, 30)], source_text="Trump", person_speech=True)]}
    row = {
        "doc_id": "d",
        "speaker_name": "Donald Trump",
        "mention": "Trump",
        "mention_start": 0,
        "mention_end": 5,
        "cue": "said",
        "content": "x",
        "content_start": 11,
        "content_end": 30,
    }
    right, _ = score(gold, pd.DataFrame([row]))
    wrong_source, _ = score(
        gold,
        pd.DataFrame([{**row, "speaker_name": "Ted Cruz", "mention": "Cruz", "mention_start": 40, "mention_end": 44}]),
    )
    assert right["person_speech"]["f1"] == 1.0
    assert wrong_source["person_speech"] == {**wrong_source["person_speech"], "precision": 0.0, "recall": 0.0}
