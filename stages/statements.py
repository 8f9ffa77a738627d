"""Stage 4, statements: who said what.

Three passes over each parsed, entity-tagged document:

1. reporting clauses (`stages.reporting`): every cue with its subject and content. A cue inside a
   quotation, or inside the content of another reporting clause, is part of that statement and not
   one of its own, whoever the outer speaker is ("The Kremlin said Putin had told ..." is the
   Kremlin's, and so not reported).
2. speakers (`stages.speakers`), in text order, so that a pronoun or "the president" can point back
   to the people named before it. Clauses whose subject is not a person (an organisation, a country,
   a report) or is an unnamed person ("a government spokesman") give no statement.
3. continuations: a paragraph that is only a quotation, right after a paragraph whose last statement
   quotes its speaker, continues that speaker ("mention_type" continuation, no cue).
"""

from __future__ import annotations

import argparse
import bisect
import logging
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc
from tqdm import tqdm

from stages.config import Params, Speaker, StatementsParams, load_params
from stages.io import read_table, write_table
from stages.nlp import docs_from_bytes, load_spacy
from stages.quotes import Quote, find_quotes
from stages.reporting import CueFinder, Report
from stages.schema import SENTENCES, STATEMENTS_RAW
from stages.sentences import paragraph_starts
from stages.speakers import Salience, SpeakerResolver, Who, honorific_span, in_subject_position

log = logging.getLogger("newsstance")


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
        self.speakers = SpeakerResolver(nlp, roster, params)

    def statements(self, doc: Doc, sentences: pd.DataFrame) -> list[dict]:
        text = doc.text
        starts = paragraph_starts(text)
        paragraphs = [
            Paragraph(i, a, b, tuple(find_quotes(text, a, b)))
            for i, (a, b) in enumerate(zip(starts, starts[1:] + [len(text)]))
        ]
        quotes = [q for p in paragraphs for q in p.quotes]
        allowed = sentences[(~sentences.is_heading) & sentences.is_body]
        spans = Spans(sentences, list(zip(allowed.start, allowed.end)))

        reports = outermost([r for r in self.cues.reports(doc, quotes) if spans.allowed(r.cue.idx)])
        salience = self.initial_salience(doc, quotes, reports)
        ent_of = {t.i: ent for ent in doc.ents for t in ent}
        said: list[tuple[Report, Who]] = []
        for report in reports:
            who = self.speakers.resolve(report.subject, ent_of, salience)
            if who is None:
                continue
            salience.note(report.subject.idx, who)
            said.append((report, who))
        rows = [
            statement_row(doc, spans, who, (r.cue.idx, r.cue_end, r.cue_text), r.start, r.end, r.kind,
                          first=min(r.cue.idx, r.start, who.mention_start))
            for r, who in said
        ]
        rows += continuations(doc, spans, paragraphs, said)
        return [row for row in rows if row["speaker"] is not None]

    def initial_salience(self, doc: Doc, quotes: list[Quote], reports: list[Report]) -> Salience:
        """People named as the subject of a clause, outside quotations and reported content."""
        salience = Salience()
        for ent in doc.ents:
            if ent.label_ != "PERSON" or not in_subject_position(ent.root):
                continue
            at = ent.start_char
            if any(q.contains(at, at + 1) for q in quotes) or any(r.start <= at < r.end for r in reports):
                continue
            salience.note(at, self.speakers.person(ent, honorific_span(ent)))
        return salience


class Spans:
    """Sentence lookups for one document."""

    def __init__(self, sentences: pd.DataFrame, allowed: list[tuple[int, int]]):
        self.starts = sorted(sentences.start)
        self.ends = dict(zip(sentences.start, sentences.end))
        self.allowed_spans = allowed

    def allowed(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.allowed_spans)

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """The run of whole sentences that covers text[start:end]."""
        first = self.starts[bisect.bisect_right(self.starts, start) - 1]
        last = self.starts[bisect.bisect_right(self.starts, max(start, end - 1)) - 1]
        return first, self.ends[last]


def outermost(reports: list[Report]) -> list[Report]:
    """Drop reporting clauses whose cue lies inside another clause's content.

    "according to X" is the exception: its content is the whole sentence around it, so a cue inside
    it ("Putin said ..., according to the Kremlin") wins and the "according to" clause goes."""
    def inside(inner: Report, outer: Report) -> bool:
        return inner is not outer and outer.start <= inner.cue.idx < outer.end

    kept = []
    for r in reports:
        if r.according:
            if not any(inside(other, r) for other in reports if not other.according):
                kept.append(r)
        elif not any(inside(r, other) for other in reports if not other.according):
            kept.append(r)
    unique = {}
    for r in kept:
        unique.setdefault((r.start, r.end), r)
    return sorted(unique.values(), key=lambda r: r.cue.i)


def continuations(doc: Doc, spans: Spans, paragraphs: list[Paragraph], said: list[tuple[Report, Who]]) -> list[dict]:
    """Quote-only paragraphs that carry on the last quoted speaker of the paragraph before."""
    text = doc.text
    para_starts = [p.start for p in paragraphs]

    def paragraph_of(pos: int) -> int:
        return bisect.bisect_right(para_starts, pos) - 1

    last_quoted: dict[int, tuple[int, Who]] = {}  # paragraph -> (content start, speaker) of its last statement
    for report, who in said:
        p = paragraph_of(report.cue.idx)
        if p not in last_quoted or last_quoted[p][0] < report.start:
            last_quoted[p] = (report.start, who if report.kind in ("direct", "mixed") else None)
    rows = []
    for para in paragraphs[1:]:
        previous = last_quoted.get(para.index - 1)
        if previous is None or previous[1] is None or para.index in last_quoted:
            continue
        if not spans.allowed(para.start) or not para.is_only_quotes(text):
            continue
        who = previous[1]
        start = para.quotes[0].inner_start
        end = max(q.inner_end for q in para.quotes)
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
            end -= 1
        rows.append(statement_row(doc, spans, replace(who, mention_type="continuation"), (start, start, ""), start, end,
                                  "direct", first=start))
        last_quoted[para.index] = (start, who)
    return rows


def statement_row(doc: Doc, spans: Spans, who: Who, cue: tuple[int, int, str], start: int, end: int, kind: str,
                  first: int) -> dict:
    """One row of the statements table; its sentence span runs from `first` to the end of the content."""
    cue_start, cue_end, cue_text = cue
    s_start, s_end = spans.covering(first, max(cue_end, end))
    return {
        "statement_id": f"{doc.user_data['doc_id']}:{start}:{end}",
        "doc_id": doc.user_data["doc_id"],
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
        "content": doc.text[start:end],
        "content_start": start,
        "content_end": end,
        "sentence": doc.text[s_start:s_end],
        "start": s_start,
        "end": s_end,
    }


def extract_statements(docs: list[Doc], sentences: pd.DataFrame, attributor: Attributor) -> pd.DataFrame:
    """Statements of every document, in document and text order."""
    by_doc = {doc_id: frame for doc_id, frame in sentences.groupby("doc_id", sort=False)}
    rows: list[dict] = []
    for doc in tqdm(docs, desc="statements", unit="doc", disable=None):
        doc_id = doc.user_data["doc_id"]
        rows += attributor.statements(doc, by_doc.get(doc_id, sentences.iloc[:0]))
    frame = pd.DataFrame(rows, columns=STATEMENTS_RAW.names)
    return frame.sort_values(["doc_id", "content_start", "content_end"], kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("docbin", type=Path)
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--statements", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.docbin, args.sentences, args.statements, load_params(args.params))


def run(docbin: Path, sentences: Path, statements: Path, params: Params) -> None:
    nlp = load_spacy(params.nlp.model)
    attributor = Attributor(nlp, params.roster, params.statements)
    docs = docs_from_bytes(docbin.read_bytes(), nlp)
    table = extract_statements(docs, read_table(sentences, SENTENCES), attributor)
    write_table(table, STATEMENTS_RAW, statements)


if __name__ == "__main__":
    from stages.cli import run_stage

    run_stage(main)
