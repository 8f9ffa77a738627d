"""Long texts are parsed and tagged in pieces (newsstance.nlp.pieces), joined back into one document."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import documents_frame

from newsstance.attribution.attributor import Attributor, extract_statements
from newsstance.nlp.docbin import doc_from_bytes, piece_count
from newsstance.nlp.entities import tag_documents
from newsstance.nlp.pieces import batches, pieces
from newsstance.nlp.sentences import parse_documents, split_sentences

# Eight paragraphs; the quotation Peskov opens in the third runs on through the fourth and fifth
# (news prints a continued quotation with an opening mark on each paragraph and a closing one only
# at its end), so many piece sizes put a cut inside it, between two of its paragraphs.
STORY = """Kremlin answers on missiles

MOSCOW, Oct 14 - Dmitry Peskov, the Kremlin spokesman, spoke to reporters on Tuesday about the talks.

"We have said many times that such deliveries would change nothing on the ground," Peskov said. "They would only make the conflict longer and more dangerous for everyone.

"The decision lies with Washington, and Washington knows our position very well.

"We will respond to any escalation, as we always have."

Volodymyr Zelensky said that Ukraine needed the missiles before winter, and that every week of delay cost lives.

Donald Trump told reporters at the White House that he had not made up his mind. "We will see," he said.

The talks are due to resume next week in Istanbul, officials said.
"""


def attribute(text: str, params, parser_nlp, ner_nlp, piece_chars: int) -> pd.DataFrame:
    """Sentences, entities and statements of `text` as the stages hand them on, parsed and tagged
    in pieces of `piece_chars`."""
    [parsed] = parse_documents(
        documents_frame({"doc": text}).to_dict("records"),
        parser_nlp,
        params.sentences.heading_max_words,
        piece_chars=piece_chars,
    )
    [tagged] = tag_documents([parsed], ner_nlp, piece_chars=piece_chars)
    assert piece_count(tagged["doc"]) == len(pieces(text, piece_chars))
    doc = doc_from_bytes(tagged["doc"], parser_nlp.vocab)
    assert doc.text == text
    statements = extract_statements([doc], Attributor(parser_nlp, params.roster, params.statements))
    return statements[["speaker", "kind", "cue", "content_start", "content_end", "mention_start", "mention_end"]]


def test_pieces_cover_the_text_within_the_size():
    text = STORY * 3
    for size in (50, 333, 1000, 5000):
        spans = pieces(text, size)
        assert spans[0][0] == 0 and spans[-1][1] == len(text)
        assert all(a == b for (_, a), (b, _) in zip(spans, spans[1:])), "pieces must be consecutive"
        assert all(0 < end - start <= size for start, end in spans)


def test_a_cut_falls_at_a_paragraph_start_when_the_piece_holds_one():
    for size in range(300, 1200, 50):  # every piece of these sizes holds a paragraph start
        for _, end in pieces(STORY, size)[:-1]:
            assert STORY[end - 2 : end] == "\n\n", f"size {size}: cut at {end} is not a paragraph start"


def test_without_paragraphs_a_cut_falls_after_sentence_punctuation_then_at_whitespace_then_anywhere():
    sentences = "One two three. Four five six. " * 20
    assert all(sentences[end - 2 : end] == ". " for _, end in pieces(sentences, 100)[:-1])
    words = "very " * 100
    assert all(words[end - 1] == " " for _, end in pieces(words, 42)[:-1])
    letters = "x" * 250
    assert pieces(letters, 100) == [(0, 100), (100, 200), (200, 250)]


def test_batches_stop_at_the_count_or_the_characters_and_a_long_item_comes_alone():
    items = ["a" * n for n in (10, 10, 10, 95, 10, 300, 5, 5)]
    assert [[len(i) for i in b] for b in batches(items, 3, 100, len)] == [[10, 10, 10], [95], [10], [300], [5, 5]]


def test_a_text_over_spacy_max_length_parses_with_offsets_into_the_original(params, parser_nlp):
    text = "Trump said that " + "very " * 2_000 + "good.\n\n" + STORY
    limit, parser_nlp.max_length = parser_nlp.max_length, 5_000  # spaCy's E088 for the text whole
    try:
        with pytest.raises(ValueError, match="E088"):
            parser_nlp(text)
        sentences, docs = split_sentences(
            documents_frame({"long": text}), parser_nlp, params.sentences.heading_max_words, piece_chars=4_000
        )
    finally:
        parser_nlp.max_length = limit
    assert docs[0].text == text
    assert all(text[s:e] == t for s, e, t in zip(sentences.start, sentences.end, sentences.text))
    assert sentences.end.max() == len(text.rstrip())


# Sizes whose cuts fall, between them, at every paragraph start of STORY: 250, 280, 310 and 400 cut
# inside the quotation (at 304 or 386), 250 and 280 also right before it (132).
@pytest.mark.parametrize("piece_chars", [250, 280, 310, 400, 460, 580, 670])
def test_a_quotation_across_a_cut_between_paragraphs_attributes_as_in_one_piece(
    params, parser_nlp, ner_nlp, piece_chars
):
    cuts = [end for _, end in pieces(STORY, piece_chars)[:-1]]
    assert cuts and all(STORY[cut - 2 : cut] == "\n\n" for cut in cuts)
    whole = attribute(STORY, params, parser_nlp, ner_nlp, len(STORY))
    cut = attribute(STORY, params, parser_nlp, ner_nlp, piece_chars)
    assert {"peskov", "zelensky", "trump"} <= set(whole.speaker.astype(str))
    pd.testing.assert_frame_equal(cut, whole)


def entities(text: str, params, parser_nlp, ner_nlp, piece_chars: int) -> pd.DataFrame:
    [parsed] = parse_documents(
        documents_frame({"doc": text}).to_dict("records"),
        parser_nlp,
        params.sentences.heading_max_words,
        piece_chars=piece_chars,
    )
    [tagged] = tag_documents([parsed], ner_nlp, piece_chars=piece_chars)
    return pd.DataFrame(tagged["entities"])


@pytest.mark.parametrize("piece_chars", [250, 400])
def test_the_entities_of_a_document_in_pieces_point_into_its_text(params, parser_nlp, ner_nlp, piece_chars):
    cut, whole = (entities(STORY, params, parser_nlp, ner_nlp, size) for size in (piece_chars, len(STORY)))
    assert all(STORY[a:b] == t for a, b, t in zip(cut.start, cut.end, cut.text))
    pd.testing.assert_frame_equal(cut, whole)


def test_one_sense_per_discourse_holds_across_pieces(params, parser_nlp, ner_nlp):
    """A bare surname in a later piece is the person a first piece named in full (repeated_surnames)."""
    text = (
        "Chancellor Friedrich Merz arrived late.\n\n"
        + "The talks went on into the night in Berlin.\n\n" * 8
        + "Merz, whose party backed the plan, has faced criticism.\n"
    )
    table = entities(text, params, parser_nlp, ner_nlp, 200)
    assert len(pieces(text, 200)) > 2
    assert table.loc[table.text == "Merz", "label"].tolist() == ["PERSON"]


def test_frozen_msgpack_codecs_keep_every_codec_and_round_trip_a_doc(parser_nlp):
    """stages.nlp answers srsly's codec lookups from start-up: nothing registered is lost."""
    import srsly.msgpack

    import stages.nlp  # noqa: F401  (freezes on import)
    from newsstance.nlp.docbin import doc_from_bytes, doc_to_bytes

    assert "numpy" in srsly.msgpack.msgpack_decoders.get_all() and "numpy" in srsly.msgpack.msgpack_encoders.get_all()
    doc = parser_nlp("Peskov said the talks would go on.")
    back = doc_from_bytes(doc_to_bytes(doc), parser_nlp.vocab)
    assert [(t.text, t.dep_, t.head.i) for t in back] == [(t.text, t.dep_, t.head.i) for t in doc]
