"""Attribution, one construction per test: invented sentences, never the gold files."""

import pytest


def only(frame):
    assert len(frame) == 1, frame[["speaker", "cue", "content"]].to_string()
    return frame.iloc[0]


def test_direct_quote_after_with_inverted_cue(analyse):
    row = only(analyse("“We will not be intimidated by threats,” said Peskov."))
    assert (row.speaker, row.kind, row.cue, row.mention_type) == ("peskov", "direct", "said", "surname")
    assert row.content == "We will not be intimidated by threats"


def test_direct_quote_after_speaker_and_comma(analyse):
    row = only(analyse("Vladimir Putin stated, “The West is playing with fire.”"))
    assert (row.speaker, row.kind, row.mention_type) == ("putin", "direct", "name")
    assert row.content.startswith("The West is playing with fire")


def test_quote_of_several_sentences_is_one_statement(analyse):
    row = only(analyse("“We are ready for talks. But we will defend ourselves,” Zelensky said."))
    assert row.speaker == "zelensky" and row.kind == "direct"
    assert row.content == "We are ready for talks. But we will defend ourselves"


def test_reported_speech_with_that_clause(analyse):
    row = only(analyse("Medvedev warned that Europe would pay a heavy price for the decision."))
    assert (row.speaker, row.kind, row.cue) == ("medvedev", "indirect", "warned")
    assert row.content == "Europe would pay a heavy price for the decision"


def test_participial_cue_takes_the_subject_of_its_clause(analyse):
    row = only(analyse("Zelenskyy thanked the senators, saying the missiles would save lives."))
    assert (row.speaker, row.cue) == ("zelensky", "saying")


def test_apposition_names_the_person_behind_the_title(analyse):
    row = only(analyse("Putin's spokesman, Dmitry Peskov, said the talks were over."))
    assert row.speaker == "peskov"


def test_with_absolute_construction(analyse):
    row = only(analyse("The talks collapsed on Friday, with Kremlin spokesman Dmitry Peskov warning that the deliveries would end all dialogue."))
    assert (row.speaker, row.cue) == ("peskov", "warning")


def test_pronoun_points_to_the_last_person_in_subject_position(analyse):
    frame = analyse("Trump met reporters aboard Air Force One. He said the decision was close.")
    row = only(frame)
    assert (row.speaker, row.mention, row.mention_type) == ("trump", "He", "pronoun")


def test_coordinated_verbs_share_the_subject(analyse):
    row = only(analyse("Trump praised the ceasefire but warned that the fighting could resume."))
    assert (row.speaker, row.cue) == ("trump", "warned")


def test_mixed_quote(analyse):
    row = only(analyse("Podolyak argued that the strikes were ‘entirely legitimate’ under international law."))
    assert (row.speaker, row.kind) == ("podolyak", "mixed")


def test_title_alone_is_matched_against_roster_roles(analyse):
    row = only(analyse("The Kremlin spokesman told reporters that no meeting was planned."))
    assert (row.speaker, row.mention_type, row.mention) == ("peskov", "title", "The Kremlin spokesman")


def test_speaker_outside_the_roster_is_kept_but_not_in_roster(analyse):
    row = only(analyse("Senator Lindsey Graham said Ukraine should get the missiles."))
    assert not row.in_roster
    assert row.speaker_name == "Lindsey Graham" and row.speaker == "lindsey_graham"


def test_nested_report_belongs_to_the_outer_speaker(analyse):
    row = only(analyse("Zelensky said Putin had warned that the war would go on."))
    assert row.speaker == "zelensky"


@pytest.mark.parametrize(
    "text",
    [
        "The Kremlin warned that the move would be dangerous.",
        "Russia has said it will respond to any escalation.",
        "Trump has made no secret of his anger with the Kremlin.",
        "Reports indicate that Zelensky is considering a visit to Washington.",
        "Putin reacted angrily to the news.",
        "Analysts said Putin was unlikely to back down.",
        "Hospitals were hit overnight, according to the regional governor's office.",
    ],
)
def test_not_statements_of_a_roster_speaker(analyse, text):
    frame = analyse(text)
    assert not frame["in_roster"].any(), frame[["speaker", "cue", "content"]].to_string()


def test_offsets_point_into_the_text(analyse):
    text = "Headline Words Here\nPeskov said the talks were over. “It is finished,” he added."
    frame = analyse(text)
    assert len(frame) == 2
    for row in frame.itertuples():
        assert text[row.content_start:row.content_end] == row.content
        assert text[row.start:row.end] == row.sentence
        assert text[row.mention_start:row.mention_end] == row.mention
        assert text[row.cue_start:row.cue_end] == row.cue


def test_headings_and_boilerplate_are_never_attributed(analyse):
    assert analyse("Trump Says Yes\nThe weather was fine.").empty
