"""Q&A transcripts: answers go to the person whose label heads them (stages.interviews)."""

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
    frame = analyse("Podolyak: ‘Trump will succeed’\n“We stay calm,” Mykhailo Podolyak said in Kyiv.\n"
                    "Question. The CIA director says Kyiv changed its strategy. Is that correct?\n"
                    "Answer. No, no, no. The U.S. is one of our key partners.\n"
                    "There are three main areas for negotiation.\n")
    answers = frame[frame.cue == ""]
    assert list(answers.speaker) == ["podolyak", "podolyak"]
