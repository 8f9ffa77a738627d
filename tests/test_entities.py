import pandas as pd
import pytest
import spacy
from conftest import documents_frame

from newsstance.config import ConfigError, Speaker
from newsstance.nlp.entities import add_entity_ruler, entity_pipeline, find_entities
from newsstance.nlp.models import load_ner, ner_and_its_inputs
from newsstance.nlp.sentences import split_sentences


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


def test_a_namesake_of_a_speaker_is_someone_else(params, parser_nlp, ner_nlp):
    table = entities_of("Melania Trump and Donald Trump Jr. met Donald Trump.", params, parser_nlp, ner_nlp)
    people = table[table.label == "PERSON"]
    assert dict(zip(people.text, people.speaker.fillna(""))) == {
        "Melania Trump": "",
        "Donald Trump Jr.": "",
        "Donald Trump": "trump",
    }


def test_a_speaker_added_in_params_is_recognised(params, parser_nlp):
    roster = dict(params.roster)
    roster["rutte"] = Speaker(name="Mark Rutte", aliases=["Mark Rutte", "Rutte"], roles=["NATO Secretary General"])
    nlp = load_ner(params.nlp.model)
    add_entity_ruler(nlp, roster, params.entities.patterns)
    _, docs = split_sentences(documents_frame({"d": "Rutte said NATO was united."}), parser_nlp, 12)
    table, _ = find_entities(docs, nlp)
    assert table.loc[table.text == "Rutte", "speaker"].tolist() == ["rutte"]


def test_bare_surname_after_a_full_name_is_that_person(params, parser_nlp, ner_nlp):
    text = "Chancellor Friedrich Merz arrived late. Merz, whose party backed the plan, has faced criticism."
    table = entities_of(text, params, parser_nlp, ner_nlp)
    assert table.loc[table.text == "Merz", "label"].tolist() == ["PERSON"]
    assert table.loc[table.text == "Merz", "speaker"].isna().all()


def test_the_entity_pipeline_holds_only_the_ner_and_tags_as_the_whole_model_does(params, parser_nlp):
    nlp = entity_pipeline(params)
    assert nlp.pipe_names == ["entity_ruler", "ner", "repeated_surnames"]
    whole = spacy.load(params.nlp.model)
    add_entity_ruler(whole, params.roster, params.entities.patterns)
    text = (
        "Kremlin spokesman Dmitry Peskov said on Tuesday that Tomahawks would not change the front in "
        "Zaporizhzhia.\n\nChancellor Friedrich Merz met Volodymyr Zelenskyy in Berlin. Merz promised more "
        "Taurus missiles, according to Reuters."
    )
    _, docs = split_sentences(documents_frame({"d": text}), parser_nlp, 12)
    with whole.select_pipes(enable=["entity_ruler", "ner", "repeated_surnames"]):
        expected, _ = find_entities(docs, whole)
    table, _ = find_entities(docs, nlp)
    assert len(table) >= 8
    pd.testing.assert_frame_equal(table, expected)


def test_an_ner_that_listens_to_a_shared_encoder_is_loaded_with_it():
    components = {
        "transformer": {"factory": "transformer"},
        "tagger": {"factory": "tagger"},
        "ner": {
            "factory": "ner",
            "model": {"tok2vec": {"@architectures": "spacy-transformers.TransformerListener.v1", "upstream": "*"}},
        },
    }
    assert ner_and_its_inputs(components) == {"ner", "transformer"}
    components["ner"]["model"]["tok2vec"] = {"@architectures": "spacy.Tok2VecListener.v1", "upstream": "tok2vec"}
    assert ner_and_its_inputs(components) == {"ner", "tok2vec"}
    components["ner"]["model"]["tok2vec"] = {"@architectures": "spacy.Tok2Vec.v2"}  # its own, as in en_core_web_sm
    assert ner_and_its_inputs(components) == {"ner"}
    with pytest.raises(ConfigError, match="no `ner` component"):
        ner_and_its_inputs({"tagger": {"factory": "tagger"}})
