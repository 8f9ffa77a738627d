"""Who said what: statements from a parsed, entity-tagged document.

Three passes over each document:

1. reporting clauses (`cues`): every cue with its subject and content. A cue inside a quotation, or
   inside the content of another reporting clause, is part of that statement and not one of its
   own, whoever the outer speaker is ("The Kremlin said Putin had told ..." is the Kremlin's, and
   so not reported).
2. speakers (`speakers`), in text order, so that a pronoun or "the president" can point back to the
   people named before it. Clauses whose subject is not a person (an organisation, a country, a
   report) or is an unnamed person ("a government spokesman") give no statement.
3. continuations: a paragraph that is only a quotation, right after a paragraph whose last statement
   quotes its speaker, continues that speaker ("mention_type" continuation, no cue); so do the
   answers of a Q&A transcript after their speaker's label (`interviews`).
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import functools
import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
from spacy.attrs import DEP
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from newsstance.attribution.cues import CueFinder, Report, classify_span, persons_between, rstrip_punct
from newsstance.attribution.interviews import answer_spans, person_in, turns
from newsstance.attribution.quotes import Quote, Quotes, paragraph_quotes
from newsstance.attribution.speakers import PRONOUNS, SUBJECTS, Salience, SpeakerResolver, Who
from newsstance.config import Speaker, StatementsParams
from newsstance.nlp.docbin import doc_from_bytes
from newsstance.nlp.structure import METADATA, SENTENCE_FIELDS, metadata_of, paragraph_starts_of, sentences_of
from newsstance.schema import STATEMENTS_RAW


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    quotes: tuple[Quote, ...]

    def is_only_quotes(self, text: str) -> bool:
        """Nothing but quotations (and punctuation) in the paragraph, opening with a quote mark."""
        raw = text[self.start : self.end]
        first_char = self.start + len(raw) - len(raw.lstrip())
        if not self.quotes or self.quotes[0].start != first_char:
            return False
        outside = raw
        for q in reversed(self.quotes):
            outside = outside[: q.start - self.start] + outside[q.end - self.start :]
        return not any(ch.isalnum() for ch in outside)


class Attributor:
    """Finds statements in parsed, entity-tagged docs. Built once per roster and cue list."""

    def __init__(self, nlp: Language, roster: dict[str, Speaker], params: StatementsParams):
        self.cues = CueFinder(nlp, params)
        self.nlp, self.roster, self.params = nlp, roster, params
        self.subject_ids = np.array([nlp.vocab.strings.add(dep) for dep in SUBJECTS], dtype="uint64")
        self._dated: dict[tuple, Attributor] = {}
        self.speakers = self.on(None).speakers

    def on(self, day: dt.date | None) -> Attributor:
        """The attributor for documents of that day: only the roster titles held then name anyone
        (without a date, only those that need none). One per distinct set of titles, kept."""
        roster = roster_on(self.roster, day)
        key = tuple((sid, tuple(speaker.roles)) for sid, speaker in roster.items())
        if key not in self._dated:
            dated = copy.copy(self)
            dated.speakers = SpeakerResolver(self.nlp, roster, self.params)
            self._dated[key] = dated
        return self._dated[key]

    def statements(self, doc: Doc) -> list[dict]:
        """The statements of a Doc the sentences stage parsed (its metadata, paragraphs and sentences
        are on it), read with the roster titles held on its date."""
        return self.on(metadata_of(doc)["date"])._statements(doc)

    def _statements(self, doc: Doc) -> list[dict]:
        text = doc.text  # read once and passed down: spaCy rebuilds it from every token on each access
        starts = paragraph_starts_of(doc)
        sentences = pd.DataFrame(sentences_of(doc), columns=SENTENCE_FIELDS)
        bounds = list(zip(starts, starts[1:] + [len(text)]))
        paragraphs = [
            Paragraph(i, a, b, tuple(q)) for i, ((a, b), q) in enumerate(zip(bounds, paragraph_quotes(text, bounds)))
        ]
        quotes = Quotes(q for p in paragraphs for q in p.quotes)
        allowed = sentences[(~sentences.is_heading) & sentences.is_body]
        spans = Spans(sentences, list(zip(allowed.start, allowed.end)))

        reports = outermost([r for r in self.cues.reports(doc, text, quotes) if spans.allowed(r.cue.idx)])
        ents = doc.ents  # a property that builds every span anew: read once
        said = self.speakers_in_order(doc, ents, quotes, reports, spans)
        rows = [
            statement_row(
                doc,
                text,
                spans,
                who,
                (r.cue.idx, r.cue_end, r.cue_text),
                r.start,
                r.end,
                r.kind,
                first=min(r.cue.idx, r.start, who.mention_start),
            )
            for r, who in said
        ]
        carried = continuations(doc, text, spans, paragraphs, said, self.frames(ents, text, paragraphs))
        rows = joined_quotations(rows, carried, [p.start for p in paragraphs], text, spans)
        rows += pointed_at(doc, text, spans, quotes, rows)
        answers = self.interview_answers(doc, ents, text, spans, paragraphs, reports, rows)
        # What an answer reports ("he will have to testify ...") is part of the answer, as in a quotation.
        rows = [
            row for row in rows if not any(a["content_start"] <= row["cue_start"] < a["content_end"] for a in answers)
        ]
        return joint_ids([row for row in rows + answers if row["speaker"] is not None])

    def interview_answers(
        self,
        doc: Doc,
        ents: tuple[Span, ...],
        text: str,
        spans: "Spans",
        paragraphs: list[Paragraph],
        reports: list[Report],
        rows: list[dict],
    ) -> list[dict]:
        """The answers of a Q&A transcript (newsstance.attribution.interviews) that no statement found so far covers."""
        bounds = [(p.start, p.end) for p in paragraphs]
        found = turns(text, bounds, spans.allowed)
        if not found:
            return []
        para_starts = [p.start for p in paragraphs]
        # The writer's reporting names its speaker; an answer's own "he will have to testify" does not end it.
        reported = {bisect.bisect_right(para_starts, r.cue.idx) - 1 for r in reports if r.subject.pos_ == "PROPN"}
        taken = [(row["content_start"], row["content_end"], row["cue_start"]) for row in rows]
        people = [ent for ent in ents if ent.label_ == "PERSON"]
        speakers: dict[int, Who] = {}
        first_turn = min(t.label_start for t in found.values())
        introduced = interviewee(rows, first_turn) or self.introduced_person(people, first_turn)
        for index, turn in found.items():
            if (ent := person_in(turn, people)) is not None:
                speakers[index] = self.speakers.person(ent)
            elif turn.answer and (last := introduced):
                speakers[index] = replace(
                    last,
                    mention=text[turn.label_start : turn.label_end],
                    mention_type="continuation",
                    mention_start=turn.label_start,
                    mention_end=turn.label_end,
                )
        answers = []
        for who, start, end, labelled in answer_spans(text, bounds, found, speakers, reported, spans.allowed):
            if any(a < end and start < b and not start <= cue < end for a, b, cue in taken):
                continue  # a statement reported from outside the paragraph covers it
            if not labelled:
                who = replace(who, mention_type="continuation")
            answers.append(statement_row(doc, text, spans, who, (start, start, ""), start, end, "direct", first=start))
        return answers

    def frames(self, ents: tuple[Span, ...], text: str, paragraphs: list[Paragraph]) -> list[tuple[int, int, Who]]:
        """(start, end, who) where the writer hands the floor to a named person without a verb of
        saying: an outlet's quote label ("Quote from Podoliak: “…”") and the interviewer's question
        put as narration ("We ask Zelensky if he believes ... . “I think ...”")."""
        para_starts = [p.start for p in paragraphs]
        out = []
        for ent in ents:
            if ent.label_ != "PERSON":
                continue
            para_start = para_starts[bisect.bisect_right(para_starts, ent.start_char) - 1]
            head = ent.root.head
            if QUOTE_LABEL.fullmatch(text, para_start, ent.start_char) and text[ent.end_char : ent.end_char + 1] == ":":
                out.append((para_start, ent.end_char + 1, self.speakers.person(ent)))
            elif (
                ent.root.dep_ == "dobj"
                and head.lemma_ == "ask"
                and any(c.dep_ == "nsubj" and c.lower_ in ("i", "we") for c in head.children)
            ):
                out.append((head.idx, ent.end_char, self.speakers.person(ent)))
        return out

    def introduced_person(self, people: list[Span], before: int) -> Who | None:
        """An interview's subject when no statement introduces them: the person the introduction
        makes the subject of its verb ("Mykhailo Podolyak, adviser ..., tells Kyiv Post when ...")."""
        for ent in people:
            if ent.end_char <= before and any(
                t.dep_ == "nsubj" and t.head.pos_ == "VERB" and not ent.start <= t.head.i < ent.end for t in ent
            ):
                return self.speakers.person(ent)
        return None

    def speakers_in_order(
        self, doc: Doc, ents: tuple[Span, ...], quotes: Quotes, reports: list[Report], spans: "Spans"
    ) -> list[tuple[Report, Who]]:
        """Resolve, in text order, the subject of every reporting clause and of every main clause
        outside quotations and reported content: each person resolved is salient for the pronouns
        and descriptions after it ("The Russian leader took up the issue, where he compared ...")."""
        by_subject: dict[int, list[Report]] = {}
        reported = bytearray(max((r.end for r in reports), default=0))  # 1 where a report's content is
        for report in reports:
            by_subject.setdefault(report.subject.i, []).append(report)
            reported[report.start : report.end] = b"\x01" * (report.end - report.start)

        def discourse_subject(tok) -> bool:
            if tok.dep_ not in SUBJECTS or not spans.allowed(tok.idx):
                return False
            if not (main_clause(tok.head) or fronted_clause(tok.head)):
                return False
            at = tok.idx
            return quotes.covering(at, at + 1) is None and not (at < len(reported) and reported[at])

        ent_of = {t.i: ent for ent in ents for t in ent}
        cue_offsets = sorted(r.cue.idx for r in reports)
        people = [ent for ent in ents if ent.label_ == "PERSON"]
        person = functools.cache(self.speakers.person)  # the named and the titled lists share their names
        salience = Salience(
            named=lambda: [(ent.start_char, person(ent)) for ent in people if ent.root.dep_ != "compound"],
            titled=lambda: [
                (ent.start_char, titled) for ent in people if may_have_title(ent) and (titled := person(ent)).title
            ],
        )
        said: list[tuple[Report, Who]] = []
        subjects = np.flatnonzero(np.isin(doc.to_array(DEP), self.subject_ids))  # without a Token per word
        for i in sorted(set(by_subject) | {int(i) for i in subjects if discourse_subject(doc[int(i)])}):
            own = by_subject.get(i, [])
            pronoun = doc[i].lower_ in PRONOUNS  # only a pronoun looks back past what its clause reports
            who = self.speakers.resolve(
                doc[i],
                ent_of,
                salience,
                reported_clause(doc, own[0], cue_offsets) if pronoun and len(own) == 1 else (-1, -1),
            )
            if (
                who is not None
                and not only_in_relative_clauses(doc[i], by_subject.get(i, []))
                and doc[i].dep_ != "poss"
            ):
                salience.note(doc[i].idx, who)
            if i in by_subject:
                speakers = ([who] if who is not None else []) + self.joint(doc[i], who, ent_of, salience)
                said += [(report, possessive(report, speaker)) for speaker in speakers for report in by_subject[i]]
        return sorted(said, key=lambda pair: pair[0].cue.i)

    def joint(self, subject: Token, who: Who | None, ent_of: dict[int, Span], salience: Salience) -> list[Who]:
        """The other people of a coordinated subject ("Xi Jinping and Vladimir Putin said in a joint
        statement"): each of them made the statement. Not made salient: a "he" after it is ambiguous."""
        others: list[Who] = []
        for conj in [*subject.conjuncts, *stranded_conjuncts(subject, ent_of)]:
            other = self.speakers.resolve(conj, ent_of, salience) if conj.i != subject.i else None
            if other is not None and other.speaker not in {w.speaker for w in [who, *others] if w is not None}:
                others.append(other)
        return others


def roster_on(roster: dict[str, Speaker], day: dt.date | None) -> dict[str, Speaker]:
    """The roster with each speaker's roles reduced to the titles that name them on that day."""
    return {sid: speaker.model_copy(update={"roles": speaker.roles_on(day)}) for sid, speaker in roster.items()}


def reported_clause(doc: Doc, report: Report, cue_offsets: list[int]) -> tuple[int, int]:
    """The offsets of what a report says, from the start of its sentence when that sentence ends before
    the cue's (`Putin is "killing too many people." he said`: the quotation ends a clause about Putin)."""
    if report.end > report.cue.idx:
        return report.start, report.end
    first = doc.char_span(report.start, report.end, alignment_mode="expand")
    if first is None or not len(first) or first[0].sent.start == report.cue.sent.start:
        return report.start, report.end  # in the cue's own sentence the clause around the quotation is the cue's
    start = first[0].sent.start_char
    if bisect.bisect_left(cue_offsets, start) != bisect.bisect_left(cue_offsets, report.start):
        return report.start, report.end  # the quotation is what another cue before it reports ("by tweeting back")
    return start, report.end


def interviewee(rows: list[dict], before: int) -> Who | None:
    """Who an "Answer." label stands for: the named speaker of the last statement before the
    transcript's first turn (the article's introduction of the interviewee)."""
    earlier = [r for r in rows if r["content_end"] <= before and r["speaker"] is not None]
    if not earlier:
        return None
    return who_of(max(earlier, key=lambda r: r["content_end"]))


def who_of(row: dict) -> Who:
    return Who(
        row["speaker"],
        row["speaker_name"],
        row["in_roster"],
        row["mention"],
        row["mention_type"],
        row["mention_start"],
        row["mention_end"],
    )


POINTERS = {"this", "so"}


def pointed_at(doc: Doc, text: str, spans: Spans, quotes: Quotes, rows: list[dict]) -> list[dict]:
    """ "Russia has the right to ... . Medvedev wrote about this on Telegram.", "... . This was stated by
    Peskov.": a statement that points back gives the sentence before it to its speaker, when no
    statement covers that sentence already."""
    covered = [(r["content_start"], r["content_end"]) for r in rows]
    out = []
    for row in rows:
        if row["speaker"] is None or row["content"].strip().lower() not in POINTERS:
            continue
        i = bisect.bisect_left(spans.starts, row["start"]) - 1
        while i >= 0 and not any(ch.isalnum() for ch in text[spans.starts[i] : spans.ends[spans.starts[i]]]):
            i -= 1  # a closing mark the parser left as a sentence of its own
        if i < 0:
            continue
        start = spans.starts[i]
        end = spans.ends[start]
        if not spans.allowed(start) or any(a < end and start < b for a, b in covered):
            continue
        content = classify_span(
            text, [t for t in doc.char_span(start, end, alignment_mode="expand") if not t.is_space], quotes
        )
        out.append(
            statement_row(
                doc,
                text,
                spans,
                replace(who_of(row), mention_type="continuation"),
                (start, start, ""),
                *content,
                first=start,
            )
        )
    return out


def may_have_title(ent: Span) -> bool:
    """A cheap look before speakers.title_of: a word hung on the name before it, or an apposition."""
    root = ent.root
    return root.left_edge.i < ent.start or root.dep_ == "appos" or any(c.dep_ == "appos" for c in root.rights)


def only_in_relative_clauses(subject: Token, reports: list[Report]) -> bool:
    """ "Zelensky met Keir Starmer, who has vowed to ...": a speaker named as an object, who speaks only
    in a relative clause, is not who a following "he" is about (the main clause's subject is)."""
    return bool(reports) and subject.dep_ not in SUBJECTS and all(r.cue.dep_ == "relcl" for r in reports)


def stranded_conjuncts(subject: Token, ent_of: dict[int, Span]) -> list[Token]:
    """ "..., Trump and Vice President JD Vance accused ...": a name joined to the subject by "and" that
    the parser hung elsewhere (here on "the White House" before it); its entity's last token."""
    i = subject.left_edge.i - 1
    while i > 0 and subject.doc[i].pos_ == "PROPN" and not subject.doc[i].ent_type_:
        i -= 1  # the subject's title, hung on the other name ("Vice President")
    if i < 1 or subject.doc[i].lower_ != "and" or subject.doc[i].dep_ != "cc":
        return []
    ent = ent_of.get(i - 1)
    if ent is None or ent.label_ != "PERSON" or ent.root.dep_ in ("nsubj", "nsubjpass"):
        return []
    return [ent.root]


def possessed(report: Report) -> bool:
    return report.cue.pos_ == "NOUN" and report.subject.dep_ == "poss"


def possessive(report: Report, who: Who) -> Who:
    """The speaker of a statement named by a noun ("Putin's warning that ...") is named as its possessor."""
    return replace(who, mention_type="possessive") if possessed(report) else who


def joint_ids(rows: list[dict]) -> list[dict]:
    """Keep statement ids unique: a joint statement is a row per speaker, and after the first, each
    row's id is the content's id with ":<speaker>" added."""
    seen: set[str] = set()
    for row in rows:
        if row["statement_id"] in seen:
            row["statement_id"] += f":{row['speaker']}"
        seen.add(row["statement_id"])
    return rows


def fronted_clause(verb) -> bool:
    """ "While Mr Zelensky did not respond ..., he emphasised ...": a subordinate clause before its main
    clause; its subject is who the main clause's pronoun is about."""
    return verb.dep_ == "advcl" and verb.i < verb.head.i and main_clause(verb.head)


def main_clause(verb) -> bool:
    while verb.dep_ == "conj":
        verb = verb.head
    return verb.dep_ == "ROOT"


class Spans:
    """Sentence lookups for one document."""

    def __init__(self, sentences: pd.DataFrame, allowed: list[tuple[int, int]]):
        self.starts = sorted(sentences.start)
        self.ends = dict(zip(sentences.start, sentences.end))
        self.allowed_spans = sorted(allowed)  # sentences: they do not overlap
        self.allowed_starts = [a for a, _ in self.allowed_spans]

    def allowed(self, pos: int) -> bool:
        i = bisect.bisect_right(self.allowed_starts, pos) - 1
        return i >= 0 and pos < self.allowed_spans[i][1]

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """The run of whole sentences that covers text[start:end]."""
        first = self.starts[bisect.bisect_right(self.starts, start) - 1]
        last = self.starts[bisect.bisect_right(self.starts, max(start, end - 1)) - 1]
        return first, self.ends[last]


def outermost(reports: list[Report]) -> list[Report]:
    """Drop reporting clauses whose cue lies inside another clause's content.

    "according to X" is the exception: its content is the whole sentence around it, so a cue inside
    it ("Putin said ..., according to the Kremlin") wins and the "according to" clause goes."""
    # By bisect over the other clauses, not a scan of them for each: a transcript has thousands.
    clauses = sorted((r for r in reports if not r.according and not source_tag(r)), key=lambda r: r.start)
    starts = [r.start for r in clauses]
    cues = sorted(
        r.cue.idx for r in clauses if r.subject.lower_ not in EXPLETIVES
    )  # "it is possible to speak of": nobody's
    # Per prefix of `clauses`: the latest end and whose it is, and the latest end of any other.
    best, second, prefix = (-1, None), -1, []
    for r in clauses:
        if r.end > best[0]:
            best, second = (r.end, r), best[0]
        elif r.end > second:
            second = r.end
        prefix.append((best, second))

    def in_another(r: Report) -> bool:
        """Whether r's cue lies in the content of another clause."""
        i = bisect.bisect_right(starts, r.cue.idx)
        if i == 0:
            return False
        (end, whose), other_end = prefix[i - 1]
        return (end if whose is not r else other_end) > r.cue.idx

    def holds_a_cue(r: Report) -> bool:
        i = bisect.bisect_left(cues, r.start)
        return i < len(cues) and cues[i] < r.end

    # A statement named by its speaker's noun as the object of another's cue ("mocked Medvedev's
    # prediction that ...") is the possessor's too, whoever reports it.
    cue_tokens = {r.cue.i for r in reports}

    def quoted_object(r: Report) -> bool:
        """ "welcomed Trump's claim that ...": a statement noun that is what another cue is about."""
        return possessed(r) and r.cue.dep_ == "dobj" and r.cue.head.i in cue_tokens

    def passed_on(r: Report) -> bool:
        """ "Putin told Trump that ..., Kremlin aide Yuri Ushakov told reporters": a roster speaker's
        words passed on by someone named, his statement too; not what an unnamed source says he said."""
        if r.subject.ent_id_ == "" or r.cue.lemma_.lower() not in PASSED_ON_CUES or r.according:
            return False
        outer = [o for o in clauses if o is not r and o.start <= r.cue.idx < o.end]
        return bool(outer) and all(o.subject.pos_ in ("PROPN", "PRON") or o.subject.ent_type_ for o in outer)

    kept = [
        r
        for r in reports
        if not (holds_a_cue(r) if r.according else in_another(r) and not quoted_object(r) and not passed_on(r))
    ]
    unique = {}
    for r in kept:
        unique.setdefault((r.start, r.end), r)
    return sorted(unique.values(), key=lambda r: r.cue.i)


EXPLETIVES = {"it", "there"}
# Verbs that pass on someone's words as they were said: a roster speaker named as their subject inside
# another's statement made a statement of his own.
PASSED_ON_CUES = {"say", "tell", "add", "write", "state", "stress", "warn", "ask", "insist", "suggest"}
OUTLET_NOUNS = {"paper", "newspaper", "agency", "outlet", "broadcaster", "channel", "media", "publication", "website"}


def source_tag(r: Report) -> bool:
    """ "He said this in an interview, Censor.NET reports": an outlet that tags its source after the
    content is no speaker, and what it reports stays the statement of whom it names."""
    return r.start < r.cue.idx and (r.subject.ent_type_ == "ORG" or r.subject.lemma_.lower() in OUTLET_NOUNS)


def continuations(
    doc: Doc,
    text: str,
    spans: Spans,
    paragraphs: list[Paragraph],
    said: list[tuple[Report, Who]],
    frames: list[tuple[int, int, Who]],
) -> list[dict]:
    """Quotations with no cue of their own that carry on the speaker quoted last.

    A quotation opening a sentence continues the speaker whose quoted statement comes before it in
    the same paragraph ("“…,” Peskov said. “…”", "Peskov said ... . “…”"), and a paragraph that is only
    quotations continues the speaker of the previous paragraph's last statement, direct or reported
    ("Putin said Russia had never ... ." then "“Why do we need ...?”"). A frame (`Attributor.frames`)
    hands on its person like a statement, and a quotation right after a label's colon opens. An unnamed
    speaker ends the run."""
    para_starts = [p.start for p in paragraphs]
    framed: dict[int, list[tuple[int, int, Who]]] = {}
    for frame in frames:
        framed.setdefault(bisect.bisect_right(para_starts, frame[0]) - 1, []).append(frame)
    by_paragraph: dict[int, list[tuple[Report, Who]]] = {}
    for report, who in said:
        by_paragraph.setdefault(bisect.bisect_right(para_starts, report.cue.idx) - 1, []).append((report, who))
    claimed = [(r.start, r.end) for r, _ in said] + [(r.cue.idx, r.cue_end) for r, _ in said]

    rows: list[dict] = []
    carried: Who | None = None  # the quoted speaker at the end of the previous paragraph
    for para in paragraphs:
        if not spans.allowed(para.start):
            carried = None
            continue
        events = sorted(
            [
                (r.start if r.kind == "direct" else r.cue.idx, "report", (r, who))
                for r, who in by_paragraph.get(para.index, [])
            ]
            + [(q.start, "quote", q) for q in para.quotes]
            + [(f[0], "frame", f) for f in framed.get(para.index, [])],
            key=lambda e: e[0],
        )
        label_end = None
        current = carried if para.is_only_quotes(text) else None
        if (
            para.is_only_quotes(text)
            and not para.quotes[-1].closed
            and (closer := closing_speaker(para, paragraphs, by_paragraph))
        ):
            current = closer  # a quotation that runs on into a paragraph attributed at its end is that speaker's
        unmarked = carried is not None and not by_paragraph.get(para.index) and not para.quotes
        block = unmarked and block_quotation(doc, text, paragraphs, para, carried)
        if block or (unmarked and introduced(text, paragraphs, para)):
            body = text[para.start : para.end].strip()
            start = para.start + text[para.start : para.end].index(body)
            rows.append(
                statement_row(
                    doc,
                    text,
                    spans,
                    replace(carried, mention_type="continuation"),
                    (start, start, ""),
                    start,
                    start + len(body),
                    "direct",
                    first=start,
                )
            )
            carried = carried if block else None  # a block quotation may go on; an announced paragraph is one
            continue
        for _, what, item in events:
            if what == "report":
                report, who = item
                current = who if who.speaker is not None else None
                continue
            if what == "frame":
                _, label_end, current = item
                continue
            quote = item
            after_label = label_end is not None and not text[label_end : quote.start].strip()
            if (
                current is None
                or not (opens_sentence(spans, text, quote) or after_label)
                or any(a < quote.inner_end and quote.start < b for a, b in claimed)
            ):
                continue
            end = rstrip_punct(text, quote.inner_start, quote.inner_end)
            rows.append(
                statement_row(
                    doc,
                    text,
                    spans,
                    replace(current, mention_type="continuation"),
                    (quote.inner_start, quote.inner_start, ""),
                    quote.inner_start,
                    end,
                    "direct",
                    first=quote.inner_start,
                )
            )
        carried = current
    return rows


def closing_speaker(
    para: Paragraph, paragraphs: list[Paragraph], by_paragraph: dict[int, list[tuple[Report, Who]]]
) -> Who | None:
    """Who is quoted where a quotation left open at the end of `para` closes: the next paragraph's
    direct statement that starts at that paragraph's start ("… abroad," Peskov said.)."""
    if para.index + 1 >= len(paragraphs):
        return None
    following = paragraphs[para.index + 1]
    for report, who in by_paragraph.get(following.index, []):
        if (
            report.kind == "direct"
            and following.quotes
            and report.start <= following.quotes[0].inner_end
            and following.quotes[0].start == following.start
            and who.speaker is not None
        ):
            return who
    return None


QUOTE_LABEL = re.compile(r"\s*Quote from\s+")
FIRST_PERSON = {"i", "we"}


def block_quotation(doc: Doc, text: str, paragraphs: list[Paragraph], para: Paragraph, speaker: Who) -> bool:
    """A paragraph in the first person with no quotation mark, after a statement: web copy prints a
    long quotation as a block and drops its marks ("Zelensky told reporters ..." then "We are
    responsible when we are here."). Not a question nor the answer to one (an interview's turns), nor
    one that names the speaker ("We asked Zelensky ...": the writer's own voice)."""
    span = doc.char_span(para.start, para.end, alignment_mode="expand")
    before = text[paragraphs[para.index - 1].start : paragraphs[para.index - 1].end] if para.index else ""
    if span is None or "?" in span.text or before.rstrip().endswith("?"):
        return False
    names = {w.lower() for w in f"{speaker.name} {speaker.mention}".split() if w[:1].isupper()}
    if any(names & {w.lower() for w in ent.text.split()} for ent in persons_between(doc, span.start, span.end)):
        return False
    # The speaker speaks as the subject of a main clause ("We can talk about it"); a first person in a
    # relative clause or an object ("the experts I spoke to", "took me up on") is a columnist's.
    return any(t.lower_ in FIRST_PERSON and t.dep_ == "nsubj" and t.head.dep_ == "ROOT" for t in span)


def introduced(text: str, paragraphs: list[Paragraph], para: Paragraph) -> bool:
    """A paragraph announced by the one before ending in a colon ("..., replied Trump, adding:")."""
    if para.index == 0:
        return False
    before = paragraphs[para.index - 1]
    return text[before.start : before.end].rstrip().endswith(":")


def joined_quotations(
    rows: list[dict], carried: list[dict], para_starts: list[int], text: str, spans: Spans
) -> list[dict]:
    """Add the continuations to the statements. A quotation that goes on after its attribution in the
    same paragraph ("“…,” Peskov said. “…”") is the same statement: it extends the one it continues
    (content and sentences run on over both). One that fills a paragraph of its own stays a row."""

    def paragraph(offset: int) -> int:
        return bisect.bisect_right(para_starts, offset) - 1

    out = sorted(rows, key=lambda r: r["content_start"])
    for row in carried:
        at = paragraph(row["content_start"])
        before = [
            r
            for r in out
            if r["speaker"] == row["speaker"]
            and r["content_end"] <= row["content_start"]
            and paragraph(r["content_start"]) == at
        ]
        if not before:
            out.append(row)
            continue
        last = max(before, key=lambda r: r["content_end"])
        start, end = last["content_start"], row["content_end"]
        s_end = max(last["end"], spans.covering(row["content_start"], end)[1])
        last.update(
            statement_id=f"{last['doc_id']}:{start}:{end}",
            content=text[start:end],
            content_end=end,
            sentence=text[last["start"] : s_end],
            end=s_end,
            kind="direct" if last["kind"] == "direct" else "mixed",
        )
    return out


def opens_sentence(spans: Spans, text: str, quote: Quote) -> bool:
    first, _ = spans.covering(quote.start, quote.start + 1)
    return not text[first : quote.start].strip()


def statement_row(
    doc: Doc, text: str, spans: Spans, who: Who, cue: tuple[int, int, str], start: int, end: int, kind: str, first: int
) -> dict:
    """One row of the statements table (`text` is doc.text); its sentence span runs from `first` to
    the end of the content."""
    cue_start, cue_end, cue_text = cue
    s_start, s_end = spans.covering(first, max(cue_end, end))
    return {
        **{key: doc.user_data.get(key) for key in METADATA},  # the date as ISO text, as the cache keeps it
        "statement_id": f"{doc.user_data['doc_id']}:{start}:{end}",
        "speaker": who.speaker,
        "speaker_name": who.name,
        "in_roster": who.in_roster,
        "mention": who.mention,
        "mention_start": who.mention_start,
        "mention_end": who.mention_end,
        "mention_type": who.mention_type,
        "kind": kind,
        "cue": cue_text,
        "cue_start": cue_start,
        "cue_end": cue_end,
        "content": text[start:end],
        "content_start": start,
        "content_end": end,
        "sentence": text[s_start:s_end],
        "start": s_start,
        "end": s_end,
    }


def attribute_documents(items: Iterable[dict], attributor: Attributor, vocab) -> Iterator[dict]:
    """Per document (its tagged parse), its statements in text order."""
    for item in items:
        doc = doc_from_bytes(item["doc"], vocab)
        rows = sorted(attributor.statements(doc), key=lambda r: (r["content_start"], r["content_end"]))
        yield {"doc_id": item["doc_id"], "statements": rows}


def extract_statements(docs: list[Doc], attributor: Attributor) -> pd.DataFrame:
    """In memory, for small inputs: the statements of every document, in document and text order."""
    rows: list[dict] = []
    for doc in docs:
        rows += attributor.statements(doc)
    frame = pd.DataFrame(rows, columns=STATEMENTS_RAW.names)
    return frame.sort_values(["doc_id", "content_start", "content_end"], kind="stable").reset_index(drop=True)
