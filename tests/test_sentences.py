from conftest import documents_frame
from stages.context import paragraph_starts
from stages.sentences import is_heading, split_sentences

TEXT = (
    "Tomahawk Talks Stall\n"
    "Trump spoke on Monday. He said talks would go on.\n"
    "Trump's Tomahawk Warning\n"
    "Peskov answered quickly.\n"
)


def test_offsets_point_into_the_original_text(params, parser_nlp):
    sentences, _ = split_sentences(documents_frame({"d": TEXT}), parser_nlp, params.sentences.heading_max_words)
    for row in sentences.itertuples():
        assert TEXT[row.start:row.end] == row.text
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


def test_blank_line_paragraphs_keep_hard_wrapped_lines_together():
    text = "First line\nwraps here.\n\nSecond paragraph."
    assert paragraph_starts(text) == [0, text.index("Second")]
    assert paragraph_starts("One.\nTwo.\nThree.") == [0, 5, 10]
