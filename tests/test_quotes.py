import pytest

from newsstance.attribution.quotes import find_quotes, paragraph_quotes


def spans(text):
    return [text[q.inner_start : q.inner_end] for q in find_quotes(text)]


def test_curly_and_straight_double_quotes():
    assert spans('He said “we are ready” and "so are they".') == ["we are ready", "so are they"]


def test_single_curly_quotes_are_told_apart_from_apostrophes():
    text = "Putin’s aide said it would ‘destroy positive trends,’ but he didn’t elaborate."
    assert spans(text) == ["destroy positive trends,"]


def test_quote_left_open_runs_to_the_paragraph_end():
    text = "“We will not stop. The strikes go on"
    (quote,) = find_quotes(text)
    assert not quote.closed and text[quote.inner_start : quote.inner_end] == "We will not stop. The strikes go on"


def test_tokens_between_a_cue_and_a_quotation_stop_at_a_sentence_end(parser_nlp):
    from newsstance.attribution.cues import tokens_between

    text = "Peskov said: “We will see.” Putin left. “Nothing changes,” he added."
    doc = parser_nlp(text)
    said = next(t for t in doc if t.text == "said")
    added = next(t for t in doc if t.text == "added")
    first, second = find_quotes(text)
    assert [t.text for t in tokens_between(said, first)] == [":"]  # the quotation after the cue
    assert [t.text for t in tokens_between(added, second)] == ["he"]  # the quotation before it
    assert tokens_between(said, second) is None  # "We will see." ends a sentence on the way
    assert tokens_between(added, first) is None


@pytest.mark.parametrize("text", ['“We are ready," he said.', '"We are ready,” he said.'])
def test_mixed_straight_and_curly_marks_pair_up(text):
    (quote,) = find_quotes(text)
    assert text[quote.inner_start : quote.inner_end] == "We are ready," and quote.closed


def test_a_straight_quote_inside_curly_quotes_does_not_close_them():
    text = '“He called it a "farce" and left,” she said.'
    assert text[find_quotes(text)[0].inner_start : find_quotes(text)[0].inner_end] == 'He called it a "farce" and left,'


def test_a_paragraph_inside_an_open_quotation_closes_it_with_its_first_mark():
    text = 'First of all, it would be good," Peskov said. "Next."'
    quotes = find_quotes(text, inside=True)
    assert [text[q.inner_start : q.inner_end] for q in quotes] == ["First of all, it would be good,", "Next."]
    assert find_quotes(text)[0].inner_start == text.index('" Peskov') + 1  # read alone, the mark opens one


def test_a_paragraph_that_opens_with_a_mark_goes_on_quoting_rather_than_closing():
    text = '"We are not asking NATO to fight for us."'
    assert [text[q.inner_start : q.inner_end] for q in find_quotes(text, inside=True)] == [
        "We are not asking NATO to fight for us."
    ]


def test_paragraphs_with_no_mark_inside_an_open_quotation_are_quoted_whole():
    text = 'Quote: "They want talks.\nThey are building up reserves.\nUkraine will return to talks at the right time."\nHe left.'
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    bounds = list(zip(starts, [s - 1 for s in starts[1:]] + [len(text)]))
    quoted = [[text[q.inner_start : q.inner_end] for q in quotes] for quotes in paragraph_quotes(text, bounds)]
    assert quoted == [
        ["They want talks."],
        ["They are building up reserves."],
        ["Ukraine will return to talks at the right time."],
        [],
    ]


def test_a_quotation_that_never_closes_takes_no_unmarked_paragraph():
    text = 'Quote: "They want talks.\nThe Kremlin did not comment.\n"We will see," he said.'
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    bounds = list(zip(starts, [s - 1 for s in starts[1:]] + [len(text)]))
    assert paragraph_quotes(text, bounds)[1] == []  # the next mark opens a quotation: nothing closes there
