"""Question-and-answer transcripts: who answers, from the labels that head the paragraphs.

An interview printed as Q&A heads each turn with its speaker's label ("NV: ...", "Podolyak: ...",
or "Question." / "Answer.") and often goes on over several paragraphs without one. A paragraph
headed by a label that names a person is that person's answer (a direct statement, no cue); an
"Answer." label is the interviewee's, the person the article quoted last before it (or, failing a
statement, the person its introduction makes the subject of its verb); the unlabelled paragraphs
after it carry it on until the interviewer's turn (a label that heads more than one paragraph, or a
paragraph with a question), another person's label, or a paragraph of the writer's own reporting
("Podolyak also said ..."). An answer's own "Thirdly: ..." is neither. Labels are read only in a
document with at least two of them and an interviewer's turn among them, so that "Name: claim" lines
(a heading's or a live blog's style) start nothing. A dash heads a turn too ("— Did you get
through?" / "— Probably, yes."): the one that asks nothing is the interviewee's. A transcript with no
labels at all is read from its questions put to "you" and the paragraph after each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span

# A turn's label: up to four words (a name, "Q", an outlet's initials) and a colon at a paragraph's
# start; or the anonymous labels "Question." / "Answer." (also "Q:", "A.").
LABEL = re.compile(r"[ \t]*(?P<label>[^\W\d_][\w.’'\- ]{0,38}?)[ \t]*:[ \t]+(?=\S)")
ANONYMOUS = re.compile(r"[ \t]*(?P<label>Q|A|Question|Answer)[.:][ \t]+(?=\S)")
# A turn headed by a dash ("— Did you get through?" / "— Probably, yes."): the Russian press's way.
DASH = re.compile(r"[ \t]*(?P<label>[—–])[ \t]+(?=\S)")
FIRST_PERSON_START = re.compile(r"(?:I|We)\b")
SECOND_PERSON = re.compile(r"\b(?:you|your)\b", re.IGNORECASE)
ANSWER_LABELS = {"a", "answer"}
MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class Turn:
    """One labelled paragraph: where its label is and where the words after it start."""

    paragraph: int
    label_start: int
    label_end: int
    body_start: int
    answer: bool = False  # a turn of the interviewee's that no name labels ("Answer.", a dash turn that asks nothing)


def turns(text: str, paragraph_spans: list[tuple[int, int]], allowed=lambda offset: True) -> dict[int, Turn]:
    """The labelled paragraphs of the body by index (`allowed(offset)`: not a headline or heading, whose
    "Name: quote" style is not a turn), or none when fewer than two paragraphs have a label."""
    found = {}
    for index, (start, end) in enumerate(paragraph_spans):
        if not allowed(start):
            continue
        match = ANONYMOUS.match(text, start, end) or DASH.match(text, start, end) or LABEL.match(text, start, end)
        if match is not None and len(match.group("label").split()) <= MAX_LABEL_WORDS:
            label = match.group("label").lower()
            answer = label in ANSWER_LABELS or (label in "—–" and not asks(text, start, end))
            found[index] = Turn(index, match.start("label"), match.end("label"), match.end(), answer)
    return found if len(found) >= 2 else unlabelled_turns(text, paragraph_spans, allowed)


def unlabelled_turns(text: str, paragraph_spans: list[tuple[int, int]], allowed) -> dict[int, Turn]:
    """A Q&A printed with no labels at all: the interviewer's turns are paragraphs that end in a
    question put to "you" ("... Could you give details?"), and the paragraph after each is the
    interviewee's answer. Two such pairs at least, or one whose answer starts in the first person
    ("I can't, because ..."), so that a rhetorical question starts nothing."""

    def question(index: int) -> bool:
        start, end = paragraph_spans[index]
        body = text[start:end].strip()
        return allowed(start) and body.endswith("?") and body[:1].isalnum() and bool(SECOND_PERSON.search(body))

    found = {}
    for index in range(len(paragraph_spans) - 1):
        if question(index) and not question(index + 1) and allowed(paragraph_spans[index + 1][0]):
            for i, answer in ((index, False), (index + 1, True)):
                start, end = paragraph_spans[i]
                first = start + len(text[start:end]) - len(text[start:end].lstrip())
                found[i] = Turn(i, first, first, first, answer)
    answers = [t for t in found.values() if t.answer]
    speaks_first = any(FIRST_PERSON_START.match(text, t.body_start) for t in answers)
    return found if len(answers) >= 2 or (answers and speaks_first) else {}


def person_in(turn: Turn, people: list[Span]) -> Span | None:
    """The PERSON entity that makes up a label (the label is the name, not a clause about them)."""
    return next((ent for ent in people if turn.label_start <= ent.start_char and ent.end_char <= turn.label_end), None)


def answer_spans(
    text: str,
    paragraph_spans: list[tuple[int, int]],
    found: dict[int, Turn],
    speakers: dict[int, object],
    reported: set[int],
    allowed,
) -> list[tuple[object, int, int, bool]]:
    """(speaker, start, end, labelled) of every answer: the words after a label whose speaker
    `speakers` gives (by paragraph: a name's entity, or the interviewee of an "Answer." label), then
    each unlabelled paragraph that carries the answer on. `reported`: paragraphs where the writer
    reports someone by name; `allowed(offset)`: body text, not a heading."""
    out = []
    if not any(
        speakers.get(i) is None and (asks(text, *paragraph_spans[i]) or label_recurs(text, turn, found))
        for i, turn in found.items()
    ):
        return out  # no interviewer's turn: labelled lines of a live blog ("Kasich: Now or never."), not a Q&A
    current = None
    for index, (start, end) in enumerate(paragraph_spans):
        body_end = start + len(text[start:end].rstrip())
        if not allowed(start):
            current = None
            continue
        turn = found.get(index)
        if turn is not None and (speaker := speakers.get(index)) is not None:
            current = speaker
            out.append((current, turn.body_start, body_end, True))
            continue
        if turn is not None and (asks(text, start, body_end) or label_recurs(text, turn, found)):
            current = None  # the interviewer's turn
            continue
        if current is None or index in reported or asks(text, start, body_end):
            current = None
            continue
        out.append((current, start + len(text[start:end]) - len(text[start:end].lstrip()), body_end, False))
    return out


def asks(text: str, start: int, end: int) -> bool:
    """A paragraph that puts a question: the interviewer's."""
    return "?" in text[start:end]


def label_recurs(text: str, turn: Turn, found: dict[int, Turn]) -> bool:
    label = text[turn.label_start : turn.label_end]
    return any(other is not turn and text[other.label_start : other.label_end] == label for other in found.values())
