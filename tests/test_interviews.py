"""Q&A transcripts: answers go to the person whose label heads them (newsstance.attribution.interviews)."""

TRANSCRIPT = (
    "Podolyak gives an interview\n"
    "Mykhailo Podolyak spoke to the magazine in Kyiv.\n"
    "NV: Who proposed the exchange? Was it Kyiv?\n"
    "Podolyak: Firstly, the exchange was our proposal.\n"
    "Secondly, our people matter more than any politician.\n"
    "Thirdly: nobody will simply hand him over, because he knows what he did.\n"
    "NV: And the talks?\n"
    "They are frozen for now.\n"
)


def test_labelled_answer_and_the_paragraphs_that_carry_it_on(analyse):
    frame = analyse(TRANSCRIPT)
    answers = frame[frame.cue == ""]
    assert list(answers.speaker) == ["podolyak"] * 3
    assert list(answers.mention_type) == ["surname", "continuation", "continuation"]
    assert answers.content.iloc[0] == "Firstly, the exchange was our proposal."
    assert answers.content.iloc[2].startswith("Thirdly: nobody")  # an answer's own "Thirdly:" is not a turn
    assert set(answers.kind) == {"direct"}


def test_the_interviewers_turn_ends_the_answer(analyse):
    frame = analyse(TRANSCRIPT)
    assert not frame.content.str.contains("frozen").any()  # after "NV: And the talks?", nobody's label
    assert not frame.content.str.contains("Who proposed").any()


def test_what_an_answer_reports_is_part_of_the_answer(analyse):
    frame = analyse(TRANSCRIPT)
    assert not (frame.cue == "knows").any()


def test_one_label_line_alone_is_not_a_transcript(analyse):
    frame = analyse("Zelensky in Berlin\nPodolyak: the talks are frozen for now.\nThe talks resumed later.\n")
    assert frame.empty


def test_labelled_lines_without_an_interviewer_are_not_a_transcript(analyse):
    frame = analyse("Primary night\nKasich: Now or never for the governor.\nRubio: Finish second and go on.\n")
    assert frame.empty


def test_an_answer_label_is_the_interviewee_the_article_quoted_last(analyse):
    frame = analyse(
        "Podolyak: ‘Trump will succeed’\n“We stay calm,” Mykhailo Podolyak said in Kyiv.\n"
        "Question. The CIA director says Kyiv changed its strategy. Is that correct?\n"
        "Answer. No, no, no. The U.S. is one of our key partners.\n"
        "There are three main areas for negotiation.\n"
    )
    answers = frame[frame.cue == ""]
    assert list(answers.speaker) == ["podolyak", "podolyak"]


def test_dash_turns_the_interviewee_answers_those_that_ask_nothing(analyse):
    frame = analyse(
        "Peskov on the forum\n"
        "Dmitry Peskov told Izvestia about the president's speech at the forum.\n"
        "— The meeting with the agencies has become a tradition. Did you get through?\n"
        "— Probably, yes, we got through. It succeeds every time.\n"
        "— What will be in the speech?\n"
        "— It will be a voluminous performance.\n"
    )
    answers = frame[frame.cue == ""]
    assert list(answers.speaker) == ["peskov", "peskov"]
    assert answers.content.iloc[0] == "Probably, yes, we got through. It succeeds every time."
    assert not frame.content.str.contains("Did you get through").any()


def test_unlabelled_questions_put_to_you_and_the_paragraph_after_each(analyse):
    frame = analyse(
        "Mykhailo Podolyak tells the magazine why this spring will be decisive.\n"
        "The president said the headquarters had discussed the plans. Could you give details?\n"
        "I can't, because it would be inappropriate to talk about them.\n"
        "We will work in all directions.\n"
        "When do you expect the tanks?\n"
        "Not before the summer.\n"
    )
    answers = frame[frame.cue == ""]
    assert list(answers.speaker) == ["podolyak"] * 3
    assert list(answers.content) == [
        "I can't, because it would be inappropriate to talk about them.",
        "We will work in all directions.",
        "Not before the summer.",
    ]


def test_one_question_to_you_is_not_a_transcript(analyse):
    frame = analyse(
        "Mykhailo Podolyak spoke in Kyiv on Monday.\n"
        "So what do you do when the shelling starts?\n"
        "Residents of the city go down to the metro.\n"
    )
    assert frame.empty


def test_one_question_to_you_answered_in_the_first_person_is_a_transcript(analyse):
    frame = analyse(
        "Mykhailo Podolyak tells the magazine when the tanks will come.\n"
        "The president said the headquarters discussed the plans. Could you give details?\n"
        "I can't, because it would be inappropriate to talk about counterplans.\n"
        "We know what is happening in the north.\n"
    )
    answers = frame[frame.cue == ""]
    assert list(answers.speaker) == ["podolyak", "podolyak"]
