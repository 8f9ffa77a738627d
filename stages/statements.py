"""Stage 4, statements: who said what.

A statement is anchored on a reporting expression — a verb of saying from `statements.cue_verbs`, or
"according to X" — whose speaker is a person. The parse supplies the rest:

* speaker: the cue's subject; for a participle cue (", warning that ...") the subject of the clause
  it hangs on, or the noun it modifies; in the absolute construction ("with X warning that ...") the
  object of "with"; an apposition names the person behind a title ("Putin's spokesperson, Dmitry
  Peskov"); a pronoun is the most recent person in subject position; a title alone is matched
  against the roster roles.
* content: the clausal complement of the cue. When it lies inside a quotation the statement is
  direct and the content is the whole quotation; when it holds a quoted fragment it is mixed.
  A quotation right before or after the reporting clause ("“…,” he said.", "Putin stated, “…”")
  is the content even when the parser did not link it.

Organisations, countries and unnamed sources are not speakers. A reporting verb inside a quotation
or inside another statement's content is part of that statement, not a statement of its own.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from tqdm import tqdm

from stages.config import Params, Speaker, StatementsParams, load_params
from stages.io import read_table, write_table
from stages.nlp import docs_from_bytes, load_spacy
from stages.quotes import Quote, find_quotes
from stages.schema import SENTENCES, STATEMENTS_RAW
from stages.sentences import paragraph_starts

log = logging.getLogger("newsstance")

SUBJECTS = ("nsubj", "nsubjpass")
CLAUSAL = ("ccomp", "parataxis")
PERSONAL_PRONOUNS = {"he", "she"}
# Verbs whose to-infinitive complement is what was said: "vowed to respond", "urged Kyiv to talk".
INFINITIVE_CUES = {"vow", "promise", "pledge", "threaten", "urge", "ask", "call", "demand"}
# Adjuncts that name where the article got the statement, not part of what was said.
SOURCE_ADJUNCT_VERBS = {"report", "quote", "cite"}


@dataclass(frozen=True)
class Who:
    speaker: str
    name: str
    in_roster: bool
    mention: str
    mention_type: str
    mention_start: int
    mention_end: int


def slug(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "unknown"


class Attributor:
    """Finds statements in parsed, entity-tagged docs. Built once per roster and cue list."""

    def __init__(self, nlp: Language, roster: dict[str, Speaker], params: StatementsParams):
        self.roster = roster
        self.cues = {c.lower() for c in params.cue_verbs}
        self.roles = PhraseMatcher(nlp.vocab, attr="LOWER")
        for speaker_id, speaker in roster.items():
            self.roles.add(speaker_id, [nlp.make_doc(r) for r in speaker.roles])

    # --- speakers -------------------------------------------------------------------------------

    def person(self, ent: Span, mention: Span | None = None) -> Who:
        mention = mention or ent
        words = [t for t in mention if t.tag_ != "POS"]
        at = (words[0].idx, words[-1].idx + len(words[-1]))
        text = mention.doc.text[at[0] : at[1]]
        n_name_tokens = sum(1 for t in ent if not t.is_punct and t.tag_ != "POS")
        kind = "name" if n_name_tokens > 1 else "surname"
        if ent.ent_id_ in self.roster:
            return Who(ent.ent_id_, self.roster[ent.ent_id_].name, True, text, kind, *at)
        name = " ".join(t.text for t in ent if t.tag_ != "POS")
        return Who(slug(name), name, False, text, kind, *at)

    def title(self, np: Span) -> Who | None:
        """A roster role inside the noun phrase ("the Kremlin spokesman"), longest match first."""
        matches = sorted(self.roles(np, as_spans=True), key=lambda s: (len(s), -s.start), reverse=True)
        if not matches:
            return None
        role = matches[0]
        speaker = role.label_
        mention = np.doc[role.start - 1 : role.end] if role.start > np.start and np.doc[role.start - 1].lower_ == "the" else role
        return Who(speaker, self.roster[speaker].name, True, mention.text, "title", mention.start_char, mention.end_char)

    # --- the attribution pass ---------------------------------------------------------------------

    def statements(self, doc: Doc, sentences: pd.DataFrame) -> list[dict]:
        doc_id = doc.user_data["doc_id"]
        text = doc.text
        starts = paragraph_starts(text)
        bounds = list(zip(starts, starts[1:] + [len(text)]))
        quotes = [q for a, b in bounds for q in find_quotes(text, a, b)]
        ent_of = {t.i: ent for ent in doc.ents for t in ent}
        allowed = sentences[(~sentences.is_heading) & sentences.is_body]
        spans = list(zip(allowed.start, allowed.end))
        sent_starts = sorted(sentences.start)
        sent_bounds = dict(zip(sentences.start, sentences.end))

        def in_quote(tok: Token) -> Quote | None:
            for q in quotes:
                if q.contains(tok.idx, tok.idx + len(tok)):
                    return q
            return None

        def allowed_pos(pos: int) -> bool:
            return any(a <= pos < b for a, b in spans)

        salience = Salience(
            [
                (ent.start_char, self.person(ent, honorific_span(ent)))
                for ent in doc.ents
                if ent.label_ == "PERSON" and not in_quote(ent.root) and in_subject_position(ent.root)
            ]
        )
        found: list[dict] = []
        for tok in doc:
            if not allowed_pos(tok.idx) or in_quote(tok):
                continue
            cue = self.cue(tok)
            if cue is None:
                continue
            cue_token, cue_text, subject, content_root = cue
            who = self.resolve(subject, ent_of, salience)
            if who is None:
                continue
            content = self.content(cue_token, content_root, quotes, in_quote)
            if content is None:
                continue
            c_start, c_end, kind = content
            if not (c_end > c_start):
                continue
            salience.note(subject.idx, who)
            span_start = min(cue_token.idx, c_start, who.mention_start)
            span_end = max(cue_token.idx + len(cue_token), c_end)
            s_start = sent_starts[bisect.bisect_right(sent_starts, span_start) - 1]
            s_last = sent_starts[bisect.bisect_right(sent_starts, span_end - 1) - 1]
            s_end = sent_bounds[s_last]
            found.append(
                {
                    "statement_id": f"{doc_id}:{c_start}:{c_end}",
                    "doc_id": doc_id,
                    "speaker": who.speaker,
                    "speaker_name": who.name,
                    "in_roster": who.in_roster,
                    "mention": who.mention,
                    "mention_start": who.mention_start,
                    "mention_end": who.mention_end,
                    "mention_type": who.mention_type,
                    "kind": kind,
                    "cue": cue_text,
                    "cue_start": cue_token.idx,
                    "cue_end": cue_token.idx + len(cue_text),
                    "content": text[c_start:c_end],
                    "content_start": c_start,
                    "content_end": c_end,
                    "sentence": text[s_start:s_end],
                    "start": s_start,
                    "end": s_end,
                }
            )
        return _drop_nested(found)

    def cue(self, tok: Token) -> tuple[Token, str, Token, Token | None] | None:
        """(cue token, cue as written, subject token, content root) when tok reports speech."""
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
            to = tok.doc[tok.i + 1]
            source = next((c for c in to.children if c.dep_ == "pobj"), None)
            if source is None:
                return None
            return tok, tok.doc[tok.i : tok.i + 2].text, source, None
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in self.cues:
            return None
        subject = subject_of(tok)
        if subject is None:
            return None
        root = next((c for c in tok.children if c.dep_ in CLAUSAL), None)
        if root is None and tok.lemma_.lower() in INFINITIVE_CUES:
            root = next((c for c in tok.children if c.dep_ == "xcomp"), None)
        return tok, tok.text, subject, root

    def resolve(self, subject: Token, ent_of: dict[int, Span], salience: "Salience") -> Who | None:
        """Who the subject token names, or None when it is not a person."""
        ent = ent_of.get(subject.i)
        if ent is not None and ent.label_ == "PERSON":
            return self.person(ent, honorific_span(ent))
        for child in subject.children:
            appos = ent_of.get(child.i) if child.dep_ == "appos" else None
            if appos is not None and appos.label_ == "PERSON":
                return self.person(appos)
        if ent is not None:
            return None  # an organisation, a country, a date...
        if subject.lower_ in PERSONAL_PRONOUNS:
            who = salience.at(subject.idx)
            if who is None:
                return None
            return Who(who.speaker, who.name, who.in_roster, subject.text, "pronoun", subject.idx, subject.idx + len(subject))
        if subject.pos_ in ("NOUN", "PROPN"):
            np = subject.doc[subject.left_edge.i : subject.i + 1]
            return self.title(np)
        return None

    def content(
        self, cue: Token, root: Token | None, quotes: list[Quote], in_quote
    ) -> tuple[int, int, str] | None:
        """(start, end, kind) of what was said."""
        text = cue.doc.text
        if cue.lower_ == "according":
            return according_content(cue)
        if root is not None:
            tokens = clause_tokens(root)
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
            words = [t for t in tokens if not t.is_punct]
            quote = in_quote(root)
            if quote is not None and all(quote.contains(t.idx, t.idx + len(t)) for t in words):
                return quote.inner_start, _rstrip_punct(text, quote.inner_start, quote.inner_end), "direct"
            quoted = any(start <= q.inner_start < end or q.contains(start, start + 1) for q in quotes)
            return start, _rstrip_punct(text, start, end), "mixed" if quoted else "indirect"
        quote = adjacent_quote(cue, quotes)
        if quote is not None:
            return quote.inner_start, _rstrip_punct(text, quote.inner_start, quote.inner_end), "direct"
        return None


class Salience:
    """Who a pronoun points back to: the latest person in subject position before it."""

    def __init__(self, people: list[tuple[int, Who]]):
        self.positions = [pos for pos, _ in people]
        self.people = [who for _, who in people]

    def note(self, pos: int, who: Who) -> None:
        """Count a speaker found through a title or a pronoun as mentioned at pos."""
        if who.mention_type in ("title", "pronoun"):
            i = bisect.bisect_right(self.positions, pos)
            self.positions.insert(i, pos)
            self.people.insert(i, who)

    def at(self, pos: int) -> Who | None:
        i = bisect.bisect_left(self.positions, pos) - 1
        return self.people[i] if i >= 0 else None


def subject_of(verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, following the constructions news uses."""
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        head = verb.head
        # Coordinated predicates share a subject only when alike: a finite verb coordinated with an
        # infinitive ("pushed for Ukraine to regain ... but highlighted") takes the finite clause's.
        if verb.tag_ in ("VBD", "VBZ", "VBP") and head.tag_ in ("VB", "VBG", "VBN"):
            while head.dep_ not in ("ROOT",) and head.tag_ not in ("VBD", "VBZ", "VBP"):
                head = head.head
        return subject_of(head)
    if verb.tag_ == "VBG":
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return verb.head  # "Peskov, warning that ..."
        if verb.dep_ in ("advcl", "xcomp", "pcomp", "conj"):
            head = verb.head if verb.dep_ != "pcomp" else verb.head.head
            absolute = with_absolute_subject(verb, head)
            if absolute is not None:
                return absolute
            for child in head.children:
                if child.dep_ in SUBJECTS:
                    return child
            if head.dep_ == "conj":
                return subject_of(head)
    return None


def in_subject_position(tok: Token) -> bool:
    return tok.dep_ in SUBJECTS or (tok.dep_ == "appos" and tok.head.dep_ in SUBJECTS)


def with_absolute_subject(participle: Token, head: Token) -> Token | None:
    """The subject in "with X warning that ...": the object of a 'with' right before the participle."""
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ == "with":
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is None:
                continue
            between = participle.doc[obj.right_edge.i + 1 : participle.i]
            if all(t.is_punct for t in between):
                return obj
    return None


def honorific_span(ent: Span) -> Span:
    """The name with the titles written before it ("President Vladimir Putin", "Mr Putin")."""
    start = ent.start
    while start > 0:
        prev = ent.doc[start - 1]
        if prev.dep_ == "compound" and prev.head.i in range(ent.start, ent.end) and prev.is_title:
            start -= 1
        else:
            break
    return ent.doc[start : ent.end]


def clause_tokens(root: Token) -> list[Token]:
    """The complement clause, without its complementiser and without "as reported by X"."""
    excluded: set[int] = set()
    for child in root.children:
        if child.dep_ == "advcl" and child.lemma_.lower() in SOURCE_ADJUNCT_VERBS:
            excluded.update(t.i for t in child.subtree)
            excluded.update(t.i for t in child.children if t.dep_ == "mark")
    tokens = [t for t in root.subtree if t.i not in excluded]
    while tokens and ((tokens[0].dep_ == "mark" and tokens[0].head.i == root.i and tokens[0].lower_ == "that") or tokens[0].is_space):
        tokens = tokens[1:]
    # keep the first contiguous run
    run = tokens[:1]
    for t in tokens[1:]:
        if t.i != run[-1].i + 1:
            break
        run.append(t)
    while len(run) > 1 and (run[-1].is_punct and run[-1].text not in "’”\"" or run[-1].is_space):
        run.pop()
    return run


def according_content(according: Token) -> tuple[int, int, str] | None:
    """For "X happened, according to Y": the clause, without the "according to Y" phrase."""
    head = according.head
    while head.dep_ not in ("ROOT", "ccomp") and head.head is not head:
        head = head.head
    phrase = {t.i for t in according.subtree}
    tokens = [t for t in head.subtree if t.i not in phrase and not t.is_space]
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1]), "indirect"


def adjacent_quote(cue: Token, quotes: list[Quote]) -> Quote | None:
    """A quotation that the reporting clause introduces or closes, with nothing else between."""
    doc = cue.doc
    clause = {t.i for t in cue.subtree}
    for q in quotes:
        if q.start >= cue.idx:
            between = [t for t in doc if cue.idx < t.idx < q.start]
        elif q.end <= cue.idx:
            between = [t for t in doc if q.end <= t.idx < cue.idx]
        else:
            continue
        if all((t.i in clause or t.is_punct or t.is_space) and t.pos_ not in ("VERB", "AUX") for t in between):
            if any(not t.is_space for t in between) or not between:
                return q
    return None


def _rstrip_punct(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return end


def _drop_nested(found: list[dict]) -> list[dict]:
    """A statement whose cue sits inside another statement's content belongs to that statement."""
    kept, seen = [], set()
    for row in found:
        nested = any(
            other is not row and other["content_start"] <= row["cue_start"] < other["content_end"]
            for other in found
        )
        if nested or row["statement_id"] in seen:
            continue
        seen.add(row["statement_id"])
        kept.append(row)
    return kept


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
