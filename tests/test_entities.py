from conftest import documents_frame
from stages.config import Speaker
from stages.entities import add_entity_ruler, find_entities
from stages.nlp import load_spacy
from stages.sentences import split_sentences


def entities_of(text, params, parser_nlp, ner_nlp):
    _, docs = split_sentences(documents_frame({"d": text}), parser_nlp, 12)
    table, _ = find_entities(docs, ner_nlp)
    return table


def test_roster_names_are_people_with_their_speaker_id(params, parser_nlp, ner_nlp):
    text = "Trump told reporters he might send them Tomahawks. Zelenskyy met Dmitri Peskov in Kyiv."
    table = entities_of(text, params, parser_nlp, ner_nlp)
    people = dict(zip(table.loc[table.label == "PERSON", "text"], table.loc[table.label == "PERSON", "speaker"]))
    assert people == {"Trump": "trump", "Zelenskyy": "zelensky", "Dmitri Peskov": "peskov"}
    labels = dict(zip(table["text"], table["label"]))
    assert labels["Tomahawks"] == "PRODUCT"
    assert labels["Kyiv"] == "GPE"


def test_people_outside_the_roster_are_found_without_an_id(params, parser_nlp, ner_nlp):
    table = entities_of("Senator Lindsey Graham spoke with Jens Stoltenberg.", params, parser_nlp, ner_nlp)
    people = table[table.label == "PERSON"]
    assert not people.empty
    assert people["speaker"].isna().all()


def test_a_speaker_added_in_params_is_recognised(params, parser_nlp):
    roster = dict(params.roster)
    roster["rutte"] = Speaker(name="Mark Rutte", aliases=["Mark Rutte", "Rutte"], roles=["NATO Secretary General"])
    nlp = load_spacy(params.nlp.model, with_ner=True)
    add_entity_ruler(nlp, roster, params.entities.patterns)
    _, docs = split_sentences(documents_frame({"d": "Rutte said NATO was united."}), parser_nlp, 12)
    table, _ = find_entities(docs, nlp)
    assert table.loc[table.text == "Rutte", "speaker"].tolist() == ["rutte"]


def test_bare_surname_after_a_full_name_is_that_person(params, parser_nlp, ner_nlp):
    text = "Chancellor Friedrich Merz arrived late. Merz, whose party backed the plan, has faced criticism."
    table = entities_of(text, params, parser_nlp, ner_nlp)
    assert table.loc[table.text == "Merz", "label"].tolist() == ["PERSON"]
    assert table.loc[table.text == "Merz", "speaker"].isna().all()
