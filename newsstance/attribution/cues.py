"""Reporting clauses: a cue, its subject and what was said, read off spaCy's dependency parse.

A cue is a verb of saying (`statements.cue_verbs`), a verb with its particle or complement
(`cue_phrases`: "made clear"), a verb whose object is the content (`object_cues`: "denied the
report"; `nominal_cues`: "called for a ceasefire"), or "according to X". Its content is, first
match wins:

* the clausal complement ("said that ..."), or the to-infinitive of a directive ("urged Kyiv to ...");
* a that-clause the parser hung on the cue's object ("told a meeting that Russia would ...": a
  that-clause with its own subject is a complement, not a relative clause);
* the object or prepositional object of an object or nominal cue;
* the clause a cue interrupts ("The missiles, Peskov said, would change nothing."), with the cue
  set off by commas or dashes: the parser hangs such a cue on that clause as parataxis;
* a quotation right before or after the reporting clause ("“…,” he said.", "Putin stated, “…”").

A complement whose subject went before the cue ("The deliveries, Zelensky told lawmakers, could end
the war") takes that subject back, and a quotation that the reporting clause splits ("“…,” he said,
“…”") is one statement, both halves. Content that runs across an interrupting cue is one span that
includes it, as with "according to".

When the content lies inside quotation marks the statement is direct and the content runs over the
whole quotations; when it holds a quoted fragment it is mixed; otherwise indirect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import LEMMA, LOWER, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from newsstance.attribution.quotes import Quote, Quotes
from newsstance.config import StatementsParams

SUBJECTS = ("nsubj", "nsubjpass")
CLAUSAL = ("ccomp", "parataxis")
FINITE = ("VBD", "VBZ", "VBP")
FINITE_TAGS = {"VBD", "VBZ", "VBP", "MD"}
RELATIVE_PRONOUNS = {"that", "which", "who", "whom"}
# Verbs whose to-infinitive complement is what was said: "vowed to respond", "urged Kyiv to talk".
INFINITIVE_CUES = {
    "vow",
    "promise",
    "pledge",
    "threaten",
    "urge",
    "ask",
    "call",
    "demand",
    "warn",
    "tell",
    "advise",
    "offer",
    "propose",
}
SENTENCE_END = {".", "!", "?"}
# Verbs whose object, not subject, is the understood subject of their to-infinitive.
OBJECT_CONTROL = {
    "urge",
    "ask",
    "tell",
    "persuade",
    "force",
    "order",
    "encourage",
    "invite",
    "allow",
    "advise",
    "warn",
    "press",
    "push",
    "call",
    "expect",
    "want",
    "need",
    "get",
    "compel",
    "require",
}
# Subordinators of a clause set against the one before: "..., while Zelensky said ...".
CONTRASTIVE = {"while", "whereas", "whilst"}
# Light verbs whose object is a statement: "made harsh remarks on", "issued a warning that".
LIGHT_VERBS = {"make", "issue", "deliver", "give", "voice"}
# Determiners that point back to statements already reported ("made the comments", "his remarks").
ANAPHORIC = {"the", "this", "that", "these", "those", "his", "her", "their"}
# Verbs of quoting someone else: "Interfax quoted Peskov as saying ..." is Peskov's statement.
QUOTING = {"quote", "cite"}
# Verbs of refusing: "declined to comment", "refused to answer" (with a verb of saying) are on record.
REFUSALS = {"refuse", "decline"}
# Cue phrases whose negation is itself something said: "did not rule out talks".
NEGATION_ASSERTS = {"rule out", "ruled out", "rules out", "ruling out"}
# Verbs of naming: with an object and its predicate ("called the talks a farce") the two are what was
# said; with an object alone ("called Zelensky") nothing was.
NAMING_VERBS = {"call", "dub", "term", "brand", "label"}
# Verbs of depiction: "cast the talks as a trap", "portrayed Kyiv as the aggressor"; without the
# 'as' phrase ("cast a vote") nothing was said.
DEPICTION_VERBS = {"cast", "portray", "paint", "depict", "frame"}
# Verbs of belief: in the present tense news uses them for a view its holder has put on record
# ("Zelensky believes that ...", "..., Medvedev is convinced"); in the past, or asked about, they are
# thoughts ("asked if he believed ...").
BELIEFS = {"believe", "think", "convince"}
# Adjuncts that name where the article got the statement, not part of what was said.
SOURCE_ADJUNCT_VERBS = {"report", "quote", "cite"}
# Dependencies on the way from a cue down to the object a misattached that-clause hangs on.
OBJECT_PATH = ("dobj", "dative", "prep", "pobj", "npadvmod")
# How the parser attaches the subject of a said-clause that went before an interrupting cue
# ("The deliveries, Zelensky told lawmakers, could ..."; "Europe, Medvedev wrote, had chosen war").
FRONTED_DEPS = ("nsubj", "nsubjpass", "dep", "npadvmod", "dobj")
NOMINAL = ("NOUN", "PROPN", "PRON", "NUM")
CLAUSE_SUBJECTS = (*SUBJECTS, "csubj", "csubjpass", "expl")
# What sets off an interrupting reporting clause.
PARENTHESIS = {",", "—", "–", "-", "--"}
OPENING_QUOTES, CLOSING_QUOTES = '‘“"«„', '’”"»'


@dataclass(frozen=True)
class Report:
    """One reporting clause: the cue, its subject token and the content span."""

    cue: Token
    cue_text: str
    subject: Token
    start: int
    end: int
    kind: str
    according: bool = False

    @property
    def cue_end(self) -> int:
        return self.cue.idx + len(self.cue_text)


class CueFinder:
    """Finds reporting clauses in a parsed doc. Built once per cue list."""

    def __init__(self, nlp: Language, params: StatementsParams):
        self.verbs = {c.lower() for c in params.cue_verbs}
        self.object_cues = {c.lower() for c in params.object_cues}
        self.nominal_cues = {verb.lower(): {p.lower() for p in preps} for verb, preps in params.nominal_cues.items()}
        self.person_object_cues = {c.lower() for c in params.person_object_cues}
        self.speaking_nouns = {
            n.lower()
            for n in [*params.person_nouns, *params.generic_person_nouns, *params.tie_nouns, *params.message_nouns]
        }
        self.statement_nouns = {
            noun.lower(): {p.lower() for p in preps} for noun, preps in params.statement_nouns.items()
        }
        # A cue phrase by its verb's lemma: the words after it, longest first.
        self.phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in params.cue_phrases:
            first, *rest = phrase.lower().split()
            self.phrases.setdefault(first, []).append(tuple(rest))
        for rests in self.phrases.values():
            rests.sort(key=len, reverse=True)
        # The lemmas of a verb that is a cue by itself, and every lemma that can head a cue (the other
        # tokens are passed over before any look at them).
        self.verb_cues = frozenset(
            {*self.verbs, *self.object_cues, *self.nominal_cues, *DEPICTION_VERBS, *LIGHT_VERBS, *BELIEFS}
        )
        self.cue_lemmas = self.verb_cues | {*self.statement_nouns, *REFUSALS, *NAMING_VERBS, *QUOTING, *self.phrases}
        # The same as string hashes, to pick the candidate tokens off the doc's arrays without making a
        # Token of each word (lemmas in either case: the check after is on the lower-cased string).
        strings = nlp.vocab.strings
        self.lemma_ids = np.array(
            sorted(
                {
                    strings.add(w)
                    for lemma in {*self.cue_lemmas, "come"}
                    for w in (lemma, lemma.capitalize(), lemma.upper())
                }
            ),
            dtype="uint64",
        )
        self.lower_ids = np.array(sorted({strings.add(w) for w in ("according", "in")}), dtype="uint64")
        self.plural_noun_id = strings.add("NNS")

    def may_speak(self, subject: Token) -> bool:
        """Whether a subject can be someone who speaks or something that says: not "the war" in "as
        the war continues, ..."."""
        return subject.pos_ != "NOUN" or bool(subject.ent_type_) or subject.lemma_.lower() in self.speaking_nouns

    def phrase_at(self, tok: Token, lemma: str) -> Span | None:
        """The cue phrase that starts at a verb ("made it clear"), if one does."""
        if lemma not in self.phrases or tok.pos_ not in ("VERB", "AUX"):
            return None
        doc = tok.doc
        for rest in self.phrases[lemma]:
            end = tok.i + 1 + len(rest)
            if end <= len(doc) and tuple(t.lower_ for t in doc[tok.i + 1 : end]) == rest:
                return doc[tok.i : end]
        return None

    def reports(self, doc: Doc, text: str, quotes: Quotes) -> list[Report]:
        """Every reporting clause of the document (`text` is doc.text)."""
        found = []
        lemmas, lowers, tags = doc.to_array([LEMMA, LOWER, TAG]).T
        candidates = np.isin(lemmas, self.lemma_ids) | np.isin(lowers, self.lower_ids) | (tags == self.plural_noun_id)
        for i in np.flatnonzero(candidates):
            tok = doc[int(i)]
            lemma = tok.lemma_.lower()
            if (
                lemma not in self.cue_lemmas
                and tok.lower_ not in ("according", "in")
                and lemma != "come"
                and not (tok.tag_ == "NNS" and tok.lower_[:-1] in self.verbs)
            ):  # "Trump maintains", read as a noun
                continue
            if quotes.covering(tok.idx, tok.idx + len(tok)):
                continue
            report = self.report(tok, self.phrase_at(tok, lemma), quotes, text)
            if report is not None:
                found.append(report)
        return found

    def report(self, tok: Token, phrase: Span | None, quotes: Quotes, text: str) -> Report | None:
        if tok.lemma_.lower() in BELIEFS and not stated_belief(tok):
            return None  # "believed", "asked if he thinks": a thought, looked at first (they are common)
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
            source = next((c for c in tok.doc[tok.i + 1].children if c.dep_ == "pobj"), None)
            content = according_content(tok)
            if source is None or content is None:
                return None
            return Report(tok, tok.doc[tok.i : tok.i + 2].text, source, *content, "indirect", according=True)
        if (holder := viewpoint_holder(tok)) is not None:
            content = according_content(tok)
            if content is None:
                return None
            said = classify_span(text, list(tok.doc.char_span(*content, alignment_mode="expand")), quotes)
            return Report(
                tok,
                tok.doc[tok.i : holder.head.i + 1 if holder.dep_ == "poss" else holder.i + 1].text,
                holder,
                *said,
                according=True,
            )
        if tok.lower_ == "in":
            return None
        lemma = tok.lemma_.lower()
        if lemma == "come":
            return self.came_from(tok)
        if tok.pos_ == "NOUN" and (verb_read := self.mistagged_verb(tok, quotes, text)) is not None:
            return verb_read
        if tok.pos_ == "NOUN" and lemma in self.statement_nouns:
            return self.noun_report(tok, quotes, text)
        if tok.pos_ == "VERB" and lemma in REFUSALS:
            return self.refusal(tok, quotes, text)
        if tok.pos_ == "VERB" and lemma in QUOTING and (quoted := quoted_as_saying(tok)) is not None:
            return self.quoted(tok, quoted, quotes, text)
        if tok.pos_ != "VERB" or not (phrase or lemma in self.verb_cues):
            return None
        if phrase is None or phrase.text.lower() not in NEGATION_ASSERTS:
            if any(c.dep_ == "neg" and not quotes.covering(c.idx, c.idx + len(c)) for c in tok.children):
                if lemma in self.verbs and (question := indirect_question(tok)) is not None:
                    return self.withheld(tok, question, quotes, text)
                return None  # "did not say", "did not spell out how ...": nothing was said ("“Absolutely not,” he replied" was)
        subject = (
            subject_of(tok) if lemma != "convince" else next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
        )
        if subject is None or quotes.covering(subject.idx, subject.idx + len(subject)) is not None:
            subject = quotation_speaker(tok) or subject  # the parse lost the name beside the quotation
        if subject is None or quotes.covering(subject.idx, subject.idx + len(subject)) is not None:
            return None  # a cue outside the quotation marks never has its subject inside them
        excluded = {t.i for t in phrase} if phrase is not None else set()
        content = self.content(tok, subject, quotes, excluded, text)
        if content is None or not any(ch.isalnum() for ch in text[content[0] : content[1]]):
            return None  # an empty quotation ("“ ”") says nothing
        cue_text = phrase.text if phrase is not None else tok.text
        return Report(tok, cue_text, subject, *split_quotation(tok, content, quotes, text))

    def came_from(self, verb: Token) -> Report | None:
        """ "The threat came from Dmitry Medvedev": a statement as the subject, its author after
        "from". What was said is the statement the noun points back to, so the noun is the content."""
        said = next((c for c in verb.children if c.dep_ == "nsubj" and c.lemma_.lower() in self.statement_nouns), None)
        source = next(
            (
                c
                for p in verb.children
                if p.dep_ == "prep" and p.lower_ == "from"
                for c in p.children
                if c.dep_ == "pobj"
            ),
            None,
        )
        if said is None or source is None:
            return None
        return Report(
            verb,
            verb.doc[verb.i : source.head.i + 1].text,
            source,
            said.left_edge.idx,
            said.idx + len(said),
            "indirect",
        )

    def mistagged_verb(self, tok: Token, quotes: Quotes, text: str) -> Report | None:
        """ "Trump claims he can ...", parsed as the noun "claims" with a clause: a verb of saying in
        the third person that the tagger read as a plural noun, right after the name that is its subject."""
        if (
            tok.tag_ != "NNS"
            or tok.i == 0
            or tok.lower_[:-1] not in self.verbs
            and tok.lemma_.lower() not in self.verbs
        ):
            return None
        name, clause = tok.doc[tok.i - 1], next((c for c in tok.children if c.dep_ == "ccomp"), None)
        if name.ent_type_ != "PERSON":
            return None
        if clause is not None:
            start, end, kind = classify_span(text, clause_tokens(clause), quotes)
        elif (quote := adjacent_quote(tok, quotes)) is not None:  # "“…,” Podolyak states."
            start, end, kind = quote.inner_start, rstrip_punct(text, quote.inner_start, quote.inner_end), "direct"
        else:
            return None
        return Report(tok, tok.text, name, start, end, kind)

    def withheld(self, verb: Token, question: Token, quotes: Quotes, text: str) -> Report | None:
        """ "Trump would not say whether he had spoken to Putin": declining to answer a question is on
        record, like "refused to answer"; the question is its content."""
        subject = subject_of(verb)
        if subject is None:
            return None
        start, end, kind = classify_span(text, _first_run(list(question.subtree)), quotes)
        neg = next(c for c in verb.children if c.dep_ == "neg")
        return Report(verb, verb.doc[min(neg.i, verb.i) : verb.i + 1].text, subject, start, end, kind)

    def noun_report(self, noun: Token, quotes: Quotes, text: str) -> Report | None:
        """ "Putin's warning that ...", "Trump's call for a ceasefire", "his promise to end the war": a
        noun for a statement with its possessor, the speaker, and a complement, what was said."""
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if owner is None or owner.pos_ not in ("PROPN", "PRON", "NOUN"):
            return None
        tokens: list[Token] = []
        for child in noun.children:
            if child.i < noun.i:
                continue
            if child.dep_ in ("acl", "ccomp", "relcl") and introduced_by_that(child):
                tokens = clause_tokens(child)
            elif child.dep_ in ("acl", "xcomp") and child.tag_ == "VB" and any(k.lower_ == "to" for k in child.lefts):
                tokens = list(child.subtree)[1:] if child.left_edge.lower_ == "to" else list(child.subtree)
            elif child.dep_ == "prep" and child.lower_ in self.statement_nouns[noun.lemma_.lower()]:
                tokens = _first_run([t for t in child.subtree if t.i != child.i])
            if tokens:
                break
        if not tokens:
            return None
        start, end, kind = classify_span(text, tokens, quotes)
        return Report(noun, noun.text, owner, start, end, kind)

    def quoted(self, verb: Token, speaker: Token, quotes: Quotes, text: str) -> Report | None:
        """ "Interfax quoted Peskov as saying ...": the object is the speaker; what follows "saying",
        or the quotation beside the clause, is what was said."""
        saying = next(
            c for p in verb.children if p.dep_ == "prep" and p.lower_ == "as" for c in p.children if c.dep_ == "pcomp"
        )
        root = next((c for c in saying.children if c.dep_ in CLAUSAL), None)
        if root is not None:
            start, end, kind = classify_span(text, clause_tokens(root), quotes)
        elif (quote := adjacent_quote(verb, quotes)) is not None:
            start, end, kind = quote.inner_start, rstrip_punct(text, quote.inner_start, quote.inner_end), "direct"
        else:
            return None
        return Report(verb, verb.doc[verb.i : saying.i + 1].text, speaker, start, end, kind)

    def refusal(self, verb: Token, quotes: Quotes, text: str) -> Report | None:
        """ "Peskov declined to comment on ...", "refused to answer whether ...": a refusal to say
        something is itself on record; what it was asked about is its content."""
        said = next((c for c in verb.children if c.dep_ == "xcomp" and c.lemma_.lower() in self.verbs), None)
        subject = subject_of(verb)
        if said is None or subject is None:
            return None
        tokens = [t for t in said.subtree if not (t.lower_ == "to" and t.head.i == said.i and t.i < said.i)]
        start, end, kind = classify_span(text, _first_run(tokens), quotes)
        cue = verb.doc[verb.i : said.i + 1]
        return Report(verb, cue.text, subject, start, end, kind)

    def contrasted_reports(self, root: Token, text: str) -> set[int]:
        """ "Peskov said the talks had stalled, while Zelensky said ...": a contrastive clause the parser
        hung inside the reported clause, itself a reporting clause with a subject of its own, is a
        second statement and not part of the first."""
        out: set[int] = set()
        words = text[root.left_edge.idx : root.right_edge.idx + len(root.right_edge)].lower()
        if not any(w in words for w in CONTRASTIVE):
            return out  # the clause's text first: walking every clause's tokens cost 3 % of the stage
        for tok in root.subtree:
            if (
                tok.dep_ == "advcl"
                and (
                    tok.lemma_.lower() in self.verbs
                    or tok.lemma_.lower() in self.object_cues
                    or tok.lemma_.lower() == "make"
                )
                and any(c.dep_ == "mark" and c.lower_ in CONTRASTIVE for c in tok.children)
                and any(c.dep_ in SUBJECTS for c in tok.children)
            ):
                out.update(t.i for t in tok.subtree)
        return out

    def content(
        self, verb: Token, subject: Token, quotes: Quotes, excluded: set[int], text: str
    ) -> tuple[int, int, str] | None:
        lemma = verb.lemma_.lower()
        if lemma in LIGHT_VERBS and restated(verb, self.statement_nouns):
            return None  # "made the remarks in an interview as ...": said before, nothing new here
        tokens = None
        clauses = [c for c in verb.children if c.dep_ in CLAUSAL and c.i not in excluded]
        root = clauses[0] if clauses else None
        if (
            len(clauses) > 1
            and clauses[0].i < verb.i < clauses[-1].i
            and quotes.covering(clauses[0].idx, clauses[0].idx + 1) is None
        ):
            root = clauses[
                -1
            ]  # "In a statement released after X suspended ..., Cruz said he's certain ...": the clause after
        if root is None and excluded:  # "made it clear that ...": the that-clause may hang on the phrase's last word
            root = next(
                (
                    c
                    for i in sorted(excluded)
                    for c in verb.doc[i].children
                    if c.dep_ in ("ccomp", "advcl")
                    and c.i > max(excluded)
                    and c.i not in excluded
                    and introduced_by_that(c)
                ),
                None,
            )
        if root is None and lemma in INFINITIVE_CUES:
            root = next((c for c in verb.children if c.dep_ == "xcomp"), None)
        if root is None:
            root = bare_conjunct(verb, subject)
        if root is not None:
            tokens = clause_tokens(root, excluded | fronted_relative(root, verb) | self.contrasted_reports(root, text))
            if tokens and root.i > verb.i and (front := fronted_subject(verb, subject, root)) is not None:
                tokens = [*front.subtree, *tokens]
        elif (misattached := misattached_complement(verb, self.statement_nouns)) is not None:
            tokens = clause_tokens(misattached, excluded, drop_that=True)
        elif lemma in self.nominal_cues and (objects := nominal_objects(verb, self.nominal_cues[lemma])):
            tokens = objects
        elif lemma in LIGHT_VERBS and (said := spoken_object(verb, self.statement_nouns)):
            tokens = said
        elif (passive := passive_subject(verb)) is not None:
            tokens = list(passive.subtree)
        elif (host := as_clause_host(verb)) is not None and self.may_speak(subject):
            cue_clause = {t.i for t in verb.subtree}
            tokens = _first_run(
                [
                    t
                    for t in host.subtree
                    if t.i not in cue_clause
                    and t.i > verb.right_edge.i
                    and not (t.is_punct and t.i == verb.right_edge.i + 1)
                ]
            )
        elif (clause := zero_that_complement(verb)) is not None:
            tokens = clause
        elif (pointer := pointing_back(verb)) is not None:
            tokens = [pointer]
        elif (lemma in self.object_cues or excluded) and (objects := direct_objects(verb)):
            if lemma not in self.person_object_cues and names_a_person(objects):
                return None  # "announced Vance as his running mate": an act
            tokens = objects
        elif lemma in NAMING_VERBS and (objects := named_as(verb)):
            tokens = objects
        elif lemma in DEPICTION_VERBS and (objects := depicted_as(verb)):
            tokens = objects
        else:
            tokens = interrupted_clause(verb, subject) or fronted_statement(verb, subject)
        if tokens:
            return classify_span(text, tokens, quotes)
        # A verb that reports only through its preposition ("spoke about") introduces no quotation.
        only_nominal = lemma in self.nominal_cues and lemma not in self.verbs and lemma not in self.object_cues
        quote = adjacent_quote(verb, quotes) if not only_nominal else None
        if quote is not None:
            return quote.inner_start, rstrip_punct(text, quote.inner_start, quote.inner_end), "direct"
        return None


def classify_span(text: str, tokens: list[Token], quotes: Quotes) -> tuple[int, int, str]:
    """(start, end, kind) of content tokens: direct when every word is quoted (the span then runs
    from the first quotation's start to the last one's end), else mixed or indirect."""
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    words = [t for t in tokens if not t.is_punct]
    within = [quotes.covering(t.idx, t.idx + len(t)) for t in words]
    if words and all(within):
        first, last = within[0], within[-1]
        return first.inner_start, rstrip_punct(text, first.inner_start, last.inner_end), "direct"
    quoted = quotes.opening_within(start, end) or quotes.covering(start, start + 1) is not None
    return start, rstrip_punct(text, start, end), "mixed" if quoted else "indirect"


# --- subjects ------------------------------------------------------------------------------------


def subject_of(verb: Token) -> Token | None:
    """The grammatical subject of a reporting verb, following the constructions news uses."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if (
        not any(c.pos_ in ("NOUN", "PROPN", "PRON") for c in subjects)
        and (inverted := inverted_object(verb)) is not None
    ):
        return inverted  # "“…”, commented the leader": the subject after the cue, parsed as its object
    if subjects:
        # A dateline parsed as a second subject ("MOSCOW – Dmitry Medvedev said"): the nearest wins.
        before = [s for s in subjects if s.i < verb.i]
        subject = before[-1] if before else subjects[0]
        if subject.lower_ in ("who", "that") and verb.dep_ == "relcl" and verb.head.pos_ in ("PROPN", "NOUN"):
            return verb.head  # "Putin, who suggested that ...": the relative pronoun stands for its noun
        if subject.pos_ == "VERB" and subject.i < verb.i:
            # "Commenting on the crash Peskov told ...": a fronted participle taken for the subject,
            # the name at its end for its object; the name right before the verb is the subject.
            return stranded_subject(verb) or subject
        return subject
    if (agent := agent_of(verb)) is not None:
        return agent  # "This was stated by President Zelensky"
    if verb.dep_ == "conj" and verb.tag_ in FINITE and (set_off := set_off_subject(verb)) is not None:
        return set_off  # "X is one of those who ..., Mykhailo Podolyak, an adviser, said": not X's
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        head = verb.head
        # Coordinated predicates share a subject only when alike: a finite verb coordinated with an
        # infinitive ("pushed for Ukraine to regain ... but highlighted") takes the finite clause's.
        if verb.tag_ in FINITE and head.tag_ in ("VB", "VBG", "VBN"):
            while head.dep_ not in ("ROOT",) and head.tag_ not in FINITE:
                head = head.head
        return subject_of(head)
    if (
        verb.dep_ == "acl"
        and verb.tag_ in ("VBD", "VBN")
        and verb.head.i == verb.i - 1
        and verb.head.ent_type_ == "PERSON"
    ):
        left = verb.head.left_edge.i - 1
        while left >= 0 and verb.doc[left].text in PARENTHESIS:
            left -= 1
        if left >= 0 and verb.doc[left].text in CLOSING_QUOTES:
            return verb.head  # "“…,” Trump posted on Truth Social": the parser read "posted" as modifying the name
    if verb.tag_ == "VBG":
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return verb.head  # "Peskov, warning that ..."
        if verb.dep_ in ("advcl", "xcomp", "pcomp", "conj"):
            head = verb.head if verb.dep_ != "pcomp" else verb.head.head
            absolute = with_absolute_subject(verb, head)
            if absolute is not None:
                return absolute
            subjects = [c for c in head.children if c.dep_ in SUBJECTS]
            if subjects:  # the nearest: "“… a missile …”, he was quoted as saying" (the quotation's noun is no subject)
                return max(subjects, key=lambda c: (c.i < head.i, c.i if c.i < head.i else -c.i))
            if head.dep_ == "conj":
                return subject_of(head)
    if verb.tag_ == "VB" and verb.dep_ in ("xcomp", "advcl") and any(c.lower_ == "to" for c in verb.lefts):
        # Subject control: "went on to claim", "chose X to warn that": the subject of the verb above.
        if verb.head.lemma_.lower() in OBJECT_CONTROL and any(c.dep_ in ("dobj", "dative") for c in verb.head.children):
            return None  # object control ("urged Kyiv to say"): the object would speak, not the subject
        return subject_of(verb.head) if verb.head.pos_ in ("VERB", "AUX") else None
    if verb.tag_ in FINITE:
        return stranded_subject(verb)
    return None


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


def stranded_subject(verb: Token) -> Token | None:
    """A finite verb the parser left without a subject. Either the subject went to a participle
    set off between it and the verb ("Trump, asked about the post, said"), or it is the name right
    before the verb whose phrase (with its apposition) runs up to it ("In Kyiv, Mykhaylo Podolyak, an
    adviser, said")."""
    for clause in verb.lefts:
        if clause.dep_ == "advcl" and clause.tag_ in ("VBN", "VBD"):
            moved = next((c for c in clause.children if c.dep_ == "nsubj" and c.i < clause.i), None)
            if moved is not None and moved.doc[clause.i - 1].is_punct:
                return moved
    return name_up_to(verb)


def name_up_to(verb: Token, set_off: bool = False) -> Token | None:
    """The root of the last PERSON name in the verb's sentence whose phrase (with its apposition)
    runs up to the verb; `set_off`: only one a comma or dash sets off before it, with its title."""
    doc = verb.doc
    sentence = verb.sent
    last = verb.i - 1
    while last >= sentence.start and doc[last].is_punct:
        last -= 1
    for ent in reversed(persons_between(doc, sentence.start, verb.i)):
        right = ent.root.right_edge.i
        while right > ent.root.i and doc[right].is_punct:
            right -= 1
        if right != last:
            continue
        left = min(ent.start, ent.root.left_edge.i)  # with its title: ", former President Dmitry Medvedev claimed"
        if not set_off or (left > 0 and doc[left - 1].text in PARENTHESIS):
            return ent.root
    return None


def quotation_speaker(verb: Token) -> Token | None:
    """The name a cue right after a closing quotation mark sits beside, by position alone: after the
    cue (`"…," said David Brock, a ...`) or before it, with any apposition set off by commas (`"…,"
    Ramos, 58, told AFP`). The news convention holds where the parse goes astray."""
    doc = verb.doc
    i = verb.i - 1
    while i >= 0 and doc[i].text in PARENTHESIS:
        i -= 1
    if i >= 0 and doc[i].text in CLOSING_QUOTES:
        start = next((k for k in range(verb.i + 1, min(verb.i + 6, len(doc))) if doc[k].ent_type_ == "PERSON"), None)
        if start is None or not all(t.is_title or t.lower_ in ("former", "the") for t in doc[verb.i + 1 : start]):
            return None
        return person_span(doc, start).root
    if i < 0 or verb.i - i > 2:
        return None
    last = i if doc[i].ent_type_ == "PERSON" else None  # "”, Ramos, 58, told": the name, its apposition, then the cue
    if last is None and doc[verb.i - 1].text == ",":
        comma = next((k for k in range(verb.i - 2, max(verb.i - 8, 0), -1) if doc[k].text == ","), None)
        last = comma - 1 if comma is not None and doc[comma - 1].ent_type_ == "PERSON" else None
    if last is None:
        return None
    person = person_span(doc, last)
    k = person.start - 1
    while k >= 0 and doc[k].text in PARENTHESIS:
        k -= 1
    return person.root if k >= 0 and doc[k].text in CLOSING_QUOTES else None


def person_span(doc: Doc, i: int) -> Span:
    """The PERSON entity a token at i is part of, read off the tokens' IOB tags (not doc.ents,
    which builds every span of the document)."""
    start = i
    while doc[start].ent_iob_ != "B" and start > 0 and doc[start - 1].ent_type_ == "PERSON":
        start -= 1
    end = i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end]


def inverted_object(verb: Token) -> Token | None:
    """After a quotation, "commented the leader" puts the subject after the cue; the parser can take
    it for the object. Only a noun phrase right after the cue, ending the clause, and a cue right after
    the closing quote and comma."""
    doc = verb.doc
    i = verb.i - 1
    while i >= 0 and doc[i].text in (",", "—", "–"):
        i -= 1
    if i < 0 or doc[i].text not in CLOSING_QUOTES:
        return None
    obj = next((c for c in verb.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")), None)
    if obj is None or obj.left_edge.i != verb.i + 1:
        return None
    after = obj.right_edge.i + 1
    return obj if after >= len(doc) or doc[after].is_punct else None


def set_off_subject(verb: Token) -> Token | None:
    """A name set off by commas right before a cue the parser coordinated with the clause before
    ("..., Mykhailo Podolyak, an adviser to ..., said"): the clause's words are what the name said."""
    return name_up_to(verb, set_off=True)


def persons_between(doc: Doc, start: int, end: int) -> list[Span]:
    """The PERSON entities within doc[start:end], read off the tokens: Span.ents scans every entity
    of the document, which made a long transcript's attribution quadratic."""
    found, i = [], start
    while i < end:
        if doc[i].ent_iob_ == "B" and doc[i].ent_type_ == "PERSON":
            j = i + 1
            while j < len(doc) and doc[j].ent_iob_ == "I":
                j += 1
            if j <= end:
                found.append(Span(doc, i, j, label="PERSON"))
            i = j
        else:
            i += 1
    return found


# --- content -------------------------------------------------------------------------------------


def clause_tokens(root: Token, excluded: set[int] = frozenset(), drop_that: bool = False) -> list[Token]:
    """The complement clause, without its complementiser and without "as reported by X"."""
    excluded = set(excluded)
    for child in root.children:
        if child.dep_ == "advcl" and child.lemma_.lower() in SOURCE_ADJUNCT_VERBS:
            excluded.update(t.i for t in child.subtree)
            excluded.update(t.i for t in child.children if t.dep_ == "mark")
    tokens = [t for t in root.subtree if t.i not in excluded]
    while tokens and (
        (tokens[0].lower_ == "that" and (drop_that or (tokens[0].dep_ == "mark" and tokens[0].head.i == root.i)))
        or tokens[0].is_space
    ):
        tokens = tokens[1:]
    return _first_run(tokens)


def fronted_relative(root: Token, verb: Token) -> set[int]:
    """The relative pronoun of a said-clause that sits before its cue ("the sanctions, which Peskov
    said were illegal"): it stands for a noun outside the statement, which is what follows the cue
    ("were illegal"). Told apart by its tag (WDT, WP) from a demonstrative ("That, he said, ...")."""
    return {c.i for c in root.children if c.i < verb.i and c.tag_ in ("WDT", "WP")}


def _first_run(tokens: list[Token]) -> list[Token]:
    """The first contiguous run of tokens, without trailing punctuation other than closing quotes."""
    run = tokens[:1]
    for t in tokens[1:]:
        if t.i != run[-1].i + 1:
            break
        run.append(t)
    while len(run) > 1 and (run[-1].is_punct and run[-1].text not in CLOSING_QUOTES or run[-1].is_space):
        run.pop()
    return run


def misattached_complement(verb: Token, statement_nouns=frozenset()) -> Token | None:
    """A that-clause with its own subject hanging on the cue's object: the cue's complement. Not
    when the object is someone's statement ("mocked Medvedev's prediction that ..."): the clause is
    what the prediction said. Also a that-clause the parser hung on a relative clause of the cue's
    phrase ("told X in an interview that aired on Sunday that Zelensky was ...", "said in an interview
    to be aired Sunday that he likes ...")."""
    for tok in verb.subtree:
        on_relative = tok.dep_ in ("ccomp", "advcl") and (
            tok.head.dep_ in ("relcl", "acl")
            or (tok.head.dep_ == "xcomp" and any(k.dep_ == "auxpass" for k in tok.head.children))
        )
        if tok.i <= verb.i or not (tok.dep_ in ("relcl", "acl") or on_relative):
            continue
        if tok.head.lemma_.lower() in statement_nouns and any(c.dep_ == "poss" for c in tok.head.children):
            continue
        kids = list(tok.children)
        introduced = any(k.lower_ == "that" and k.i < tok.i for k in kids)
        own_subject = any(k.dep_ in SUBJECTS and k.lower_ not in RELATIVE_PRONOUNS for k in kids)
        if not (introduced and own_subject):
            continue
        node = tok.head.head if on_relative else tok.head
        while node.i != verb.i and node.dep_ in OBJECT_PATH:
            node = node.head
        if node.i == verb.i:
            return tok
    return None


def zero_that_complement(verb: Token) -> list[Token] | None:
    """ "He maintained the whole situation in Bucha ... was a staged insinuation": a complement with
    no "that" whose subject the parser took for the cue's object and whose verb for a second verb of
    the cue's, with no subject and no "and" of its own."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None:
        return None
    for conj in verb.children:
        if (
            conj.dep_ == "conj"
            and conj.i > obj.i
            and conj.tag_ in FINITE_TAGS
            and not any(k.dep_ in SUBJECTS or k.dep_ in ("cc", "preconj") for k in conj.children)
            and not any(t.dep_ == "cc" and t.head.i == verb.i for t in verb.doc[obj.right_edge.i + 1 : conj.i])
        ):
            return list(verb.doc[obj.left_edge.i : conj.right_edge.i + 1])
    return None


def pointing_back(verb: Token) -> Token | None:
    """ "He said this in an interview", "she said so", "wrote about this": the statement is the one
    before, and this sentence says who made it."""
    return next(
        (
            c
            for c in verb.children
            if (c.dep_ == "dobj" and c.lower_ == "this")
            or (c.dep_ == "advmod" and c.lower_ == "so" and c.i == verb.i + 1)
        ),
        None,
    ) or next(
        (
            c
            for p in verb.children
            if p.dep_ == "prep" and p.lower_ == "about"
            for c in p.children
            if c.dep_ == "pobj" and c.lower_ == "this"
        ),
        None,
    )  # "He wrote about this on Telegram"


def nominal_objects(verb: Token, preps: set[str]) -> list[Token]:
    """ "called for a ceasefire", "compared the strikes to terrorism": the object after the preposition,
    with any direct object before it."""
    prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ in preps), None)
    if prep is None:  # "accused the alliance of creating a threat": the verb's preposition parsed onto its object
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        prep = (
            next((c for c in obj.children if c.dep_ == "prep" and c.lower_ in preps), None) if obj is not None else None
        )
    if prep is None or not any(c.dep_ in ("pobj", "pcomp") for c in prep.children):
        return []
    if any(c.tag_ in ("WDT", "WP") for c in prep.children):
        return []  # "the javelins to which Trump is referring": the topic is outside the clause
    first = next((c for c in verb.children if c.dep_ == "dobj" and c.i < prep.i), prep)
    start = first.left_edge.i if first is not prep else prep.i + 1
    return _first_run(list(verb.doc[start : prep.right_edge.i + 1]))


def direct_objects(verb: Token) -> list[Token]:
    """ "denied the report that ...", "dismissed the warning as blackmail": the object and its 'as' phrase."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None or obj.pos_ == "PRON" and obj.lower_ not in ("it", "this", "that"):
        return []
    end = obj.right_edge.i
    for c in verb.children:
        if c.i > end and (c.dep_ == "oprd" or (c.dep_ == "prep" and c.lower_ in ("as", "for"))):
            end = max(end, c.right_edge.i)
    return _first_run(list(verb.doc[obj.left_edge.i : end + 1]))


def depicted_as(verb: Token) -> list[Token]:
    """ "cast the talks as a trap": the object with its 'as' phrase, only when both are there."""
    has_as = any(c.dep_ == "prep" and c.lower_ == "as" for c in verb.children)
    return direct_objects(verb) if has_as else []


def spoken_object(verb: Token, statement_nouns) -> list[Token]:
    """The object of a light verb when it is a statement ("issued a rare rebuke of Putin")."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None or obj.lemma_.lower() not in statement_nouns:
        return []
    return _first_run(list(verb.doc[obj.left_edge.i : obj.right_edge.i + 1]))


def restated(verb: Token, statement_nouns) -> bool:
    """ "made the remarks during a rally": a light verb whose object points back at statements
    reported before."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    return (
        obj is not None
        and obj.lemma_.lower() in statement_nouns
        and any(c.dep_ in ("det", "poss") and c.lower_ in ANAPHORIC for c in obj.children)
        and not any(c.dep_ in ("acl", "ccomp") and introduced_by_that(c) for c in obj.children)
    )  # "made the remark that ...": said here


def stated_belief(verb: Token) -> bool:
    """ "Zelensky believes that ...", "..., Zelensky is convinced": a belief in the present tense, in a
    clause of its own (not "asked if he believes", not "those who think")."""
    present = (
        verb.tag_ == "VBZ"
        if verb.lemma_.lower() != "convince"
        else (
            verb.tag_ == "VBN"
            and any(c.dep_ in ("auxpass", "aux") and c.tag_ == "VBZ" for c in verb.children)
            and not any(c.dep_ == "agent" for c in verb.children)
        )
    )
    if not present or verb.dep_ not in ("ROOT", "conj", "parataxis", "ccomp"):
        return False
    return not any(
        c.dep_ == "mark" and c.lower_ in ("if", "whether") for t in (verb, *verb.ancestors) for c in t.children
    )


def quoted_as_saying(verb: Token) -> Token | None:
    """The person in "quoted Peskov as saying" or "quoted him as saying": the object of a verb of
    quoting with "as" + a participle; in the passive ("he was quoted as saying"), its subject."""
    obj = next(
        (c for c in verb.children if c.dep_ == "dobj" and (c.ent_type_ == "PERSON" or c.lower_ in ("him", "her"))), None
    )
    if obj is None and any(c.dep_ == "auxpass" for c in verb.children):  # "..., he was quoted as saying"
        obj = max(
            (
                c
                for c in verb.children
                if c.dep_ == "nsubjpass" and c.i < verb.i and (c.ent_type_ == "PERSON" or c.lower_ in ("he", "she"))
            ),
            key=lambda c: c.i,
            default=None,
        )
    as_phrase = any(
        p.dep_ == "prep" and p.lower_ == "as" and any(c.dep_ == "pcomp" and c.tag_ == "VBG" for c in p.children)
        for p in verb.children
    )
    return obj if obj is not None and as_phrase else None


def introduced_by_that(clause: Token) -> bool:
    return any(k.dep_ == "mark" and k.lower_ == "that" for k in clause.children)


def as_clause_host(verb: Token) -> Token | None:
    """ "As Zelensky has acknowledged, survival hinges on ...": a cue in an 'as' clause with nothing
    said of its own reports the clause it is set before."""
    if verb.dep_ != "advcl" or not any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
        return None
    if any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in verb.children) or verb.head.i < verb.i:
        return None
    return verb.head  # its verb, or whatever the parser made of it ("survival hinges" as a noun)


def indirect_question(verb: Token) -> Token | None:
    """The "whether" or "if" clause of a verb of saying ("would not say if he believes ...")."""
    return next(
        (
            c
            for c in verb.children
            if c.dep_ in ("ccomp", "advcl")
            and any(k.dep_ == "mark" and k.lower_ in ("whether", "if") for k in c.children)
        ),
        None,
    )


def names_a_person(tokens: list[Token]) -> bool:
    """Whether an object names a person in its own words, before any preposition or clause that
    modifies it ("Ohio Senator JD Vance as ...", not "a paper that mentioned Yelena Baturina")."""
    for t in tokens:
        if t.dep_ == "prep" or t.pos_ in ("VERB", "AUX") or t.tag_ in ("WDT", "WP"):
            return False
        if t.ent_type_ == "PERSON":
            return True
    return False


def passive_subject(verb: Token) -> Token | None:
    """ "This was stated by President Zelensky": the passive subject, what was said, when the speaker
    is the agent."""
    subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    return subject if subject is not None and agent_of(verb) is not None else None


def agent_of(verb: Token) -> Token | None:
    """The object of a passive verb's "by" ("stated by the president")."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None


def named_as(verb: Token) -> list[Token]:
    """ "called the talks a farce", `called it "a disgrace"`: the object with its predicate, when there is one."""
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    predicate = next((c for c in verb.children if c.dep_ in ("oprd", "xcomp", "ccomp") and c.i > verb.i), None)
    if obj is None or predicate is None:
        return []
    return _first_run(list(verb.doc[obj.left_edge.i : max(obj.right_edge.i, predicate.right_edge.i) + 1]))


def fronted_subject(verb: Token, subject: Token, root: Token) -> Token | None:
    """The subject of a said-clause that stands before its cue, set off by a comma: "The
    deliveries, Zelensky told lawmakers, could end the war" (the parser hangs it on the cue)."""
    if any(c.dep_ in CLAUSE_SUBJECTS for c in root.children):
        return None
    return fronted_nominal(verb, min(verb.i, subject.left_edge.i))


def fronted_nominal(verb: Token, left: int) -> Token | None:
    """A noun phrase hung on the cue that ends with the comma (or dash) right before the reporting
    clause, which starts at token `left`. Not a dateline: "KYIV, May 2 - Putin said" has more in between."""
    for child in verb.children:
        end = child.right_edge.i
        if child.i < left and end + 2 == left and child.dep_ in FRONTED_DEPS and child.pos_ in NOMINAL:
            if verb.doc[end + 1].text in PARENTHESIS:
                return child
    return None


def bare_conjunct(verb: Token, subject: Token) -> Token | None:
    """ "Such deliveries, Kremlin spokesman Dmitry Peskov told reporters, would not change ...": the
    parser can also read the clause's second half as a conjunct of the cue. A conjunct after the cue
    with neither a subject nor a conjunction of its own, when the clause's subject stands before
    the cue, is the cue's complement."""
    conj = next((c for c in verb.children if c.dep_ == "conj" and c.i > verb.i and c.pos_ in ("VERB", "AUX")), None)
    if conj is None or any(c.dep_ == "cc" for c in (*verb.children, *conj.children) if c.i < conj.i):
        return None
    return conj if fronted_subject(verb, subject, conj) is not None else None


def interrupted_clause(verb: Token, subject: Token) -> list[Token]:
    """ "The missiles, Peskov said, would change nothing": the clause a cue set off by punctuation
    interrupts (or closes), which the parser makes the cue's head, with the cue as parataxis. Its
    words on both sides when its verb comes after the cue, with a subject hung on the cue ("Europe,
    Medvedev wrote, had chosen war"), without a clause with its own subject coordinated after the cue."""
    if verb.dep_ != "parataxis" and not (
        verb.dep_ == "conj"
        and verb.head.i < verb.i
        and subject.head.i != verb.head.i
        and subject.i < verb.i
        and verb.doc[subject.left_edge.i - 1].text in PARENTHESIS
    ):
        return []  # a cue coordinated with the clause before it is its reporting clause when its subject was set off
    head = verb.head
    while head.dep_ in ("aux", "auxpass"):  # "..., he said, was sleepwalking": hung on "was"
        head = head.head
    if head.pos_ not in ("VERB", "AUX"):
        return []
    left = min(verb.i, subject.left_edge.i)  # "said Peskov" puts the verb first
    if left == head.sent.start or not verb.doc[left - 1].is_punct or verb.doc[left - 1].text in SENTENCE_END:
        return []
    cue_clause = {t.i for t in verb.subtree}
    front = fronted_nominal(verb, left)
    fronted = {t.i for t in front.subtree} if front is not None else set()
    # a clause with its own subject coordinated after the cue may be the writer's: "..., he said, and Peskov agreed"
    stop = min(
        (
            c.left_edge.i
            for c in head.children
            if c.dep_ == "conj" and c.i > verb.i and any(k.dep_ in SUBJECTS for k in c.children)
        ),
        default=len(verb.doc),
    )
    if head.i < verb.i:  # the cue closes its clause: what follows it is the writer's ("..., he said, when asked ...")
        stop = min(stop, left)
    kept = [t for t in head.subtree if t.i < stop and (t.i not in cue_clause or t.i in fronted)]
    while kept and (kept[0].is_punct and kept[0].text not in OPENING_QUOTES or kept[0].is_space):
        kept.pop(0)
    while kept and (
        kept[-1].is_punct and kept[-1].text not in CLOSING_QUOTES or kept[-1].is_space or kept[-1].dep_ == "cc"
    ):
        kept.pop()
    return kept


def fronted_statement(verb: Token, subject: Token) -> list[Token]:
    """Headline style: "Moscow ‘ready for compromises’ to end the fighting, Russian president says":
    a verbless statement before the reporting clause, set off by a comma and hung on the cue. Only
    a phrase with a verb or a quotation in it, not a time ("On Tuesday, Putin said")."""
    front = fronted_nominal(verb, min(verb.i, subject.left_edge.i))
    if front is None or front.ent_type_ in ("DATE", "TIME"):
        return []
    tokens = list(front.subtree)
    if not any(t.pos_ in ("VERB", "AUX") or t.text in OPENING_QUOTES for t in tokens):
        return []
    return tokens


def split_quotation(cue: Token, content: tuple[int, int, str], quotes: Quotes, text: str) -> tuple[int, int, str]:
    """“We will respond,” Peskov said, “and it will be painful.”: a reporting clause that splits a
    quotation reports both halves. A direct statement that ends before its cue takes in the quotation
    right after the clause when that one ends the sentence (else it is another speaker's: “…,” Peskov
    said, “…,” Trump replied), and one that starts after its cue takes in the quotation right
    before the clause when that one opens the sentence. Both halves are in one paragraph, and the
    first breaks off at a comma; a quotation that ends its sentence is a statement of its own."""
    start, end, kind = content
    if kind != "direct":
        return content
    before, after = quotes.last_ending_by(cue.idx), quotes.first_starting_after(cue.idx)
    if before is None or after is None or not unfinished(text, before) or "\n" in text[before.end : after.start]:
        return content
    if end <= cue.idx and before.inner_start == start:
        if joined(cue, tokens_between(cue, after)) and ends_its_sentence(cue, after):
            return start, rstrip_punct(text, start, after.inner_end), "direct"
    elif start > cue.idx and after.inner_start == start:
        if joined(cue, tokens_between(cue, before)) and opens_its_sentence(cue, before):
            return before.inner_start, end, "direct"
    return content


def unfinished(text: str, quote: Quote) -> bool:
    """A quotation that breaks off at a comma (“We will respond,” or “We will respond”,): its
    sentence goes on after the reporting clause."""
    inside = text[quote.inner_start : quote.inner_end].rstrip()
    return inside.endswith(",") or text[quote.end : quote.end + 1] == ","


def joined(cue: Token, between: list[Token] | None) -> bool:
    """Whether the tokens between a cue and a quotation are only the reporting clause's own words
    and punctuation, with no other verb (None: a sentence ends between them)."""
    clause = {t.i for t in cue.subtree} | ({cue.head.i} if cue.dep_ == "acl" else set())  # "…,” Trump posted
    return between is not None and all(
        (t.i in clause or t.is_punct or t.is_space)
        and (t.pos_ not in ("VERB", "AUX") or t.dep_ in ("aux", "auxpass") and t.head.i == cue.i)  # "…”, he was quoted"
        for t in between
    )


def ends_its_sentence(cue: Token, quote: Quote) -> bool:
    """Nothing but punctuation after a quotation that follows the cue, up to the end of its sentence."""
    for tok in cue.doc[cue.i :]:
        if tok.idx < quote.end:
            continue
        if tok.is_sent_start or tok.text in SENTENCE_END or "\n" in tok.text:
            return True
        if not (tok.is_punct or tok.is_space):
            return False
    return True


def opens_its_sentence(cue: Token, quote: Quote) -> bool:
    """Nothing but punctuation before a quotation that precedes the cue, back to the start of its sentence."""
    for tok in reversed(cue.doc[: cue.i]):
        if tok.idx >= quote.start:
            if tok.idx == quote.start and tok.is_sent_start:
                return True
            continue
        if tok.text in SENTENCE_END or "\n" in tok.text:
            return True
        if not (tok.is_punct or tok.is_space):
            return False
    return True


VIEWPOINT_NOUNS = {"words", "opinion", "view", "estimation"}


def viewpoint_holder(tok: Token) -> Token | None:
    """ "In his words, ...", "in the view of X, ...": like "according to", a phrase that gives the
    sentence as someone's; the possessor or the "of" object is whose."""
    if tok.lower_ != "in" or tok.dep_ != "prep":
        return None
    noun = next((c for c in tok.children if c.dep_ == "pobj"), None)
    if noun is None or noun.lower_ not in VIEWPOINT_NOUNS:
        return None
    if (poss := next((c for c in noun.children if c.dep_ == "poss"), None)) is not None:
        return poss
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    return next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None


def according_content(according: Token) -> tuple[int, int] | None:
    """For "X happened, according to Y": the clause, without the "according to Y" phrase."""
    head = according.head
    while head.dep_ not in ("ROOT", "ccomp") and head.head is not head:
        head = head.head
    phrase = {t.i for t in according.subtree}
    tokens = [t for t in head.subtree if t.i not in phrase and not t.is_space]
    if all(t.is_punct or t.dep_ in ("advmod", "cc") for t in tokens if t.i < according.i):
        tokens = [t for t in tokens if t.i > according.right_edge.i]  # fronted ("However, according to him, ...")
    while tokens and tokens[0].is_punct:
        tokens.pop(0)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def adjacent_quote(cue: Token, quotes: Quotes) -> Quote | None:
    """A quotation that the reporting clause introduces or closes, with nothing else between."""
    for q in quotes.overlapping(*sentence_reach(cue)):  # the others have a sentence end between
        if q.start < cue.idx < q.end:
            continue
        between = tokens_between(cue, q)
        if joined(cue, between) and (not between or any(not t.is_space for t in between)):
            return q
    return None


def sentence_reach(cue: Token) -> tuple[int, int]:
    """The offsets of the sentence-ending tokens nearest before and after a cue (the text's ends
    without one): `tokens_between` finds no tokens past them."""
    doc = cue.doc
    before = next((t.idx for t in reversed(doc[: cue.i]) if t.text in SENTENCE_END), -1)
    after = next((t.idx for t in doc[cue.i + 1 :] if t.text in SENTENCE_END), doc[-1].idx + len(doc[-1]))
    return before, after


def tokens_between(cue: Token, quote: Quote) -> list[Token] | None:
    """The tokens between a cue and a quotation before or after it, walking out from the cue; None
    as soon as one ends a sentence (a quotation in another paragraph costs a few tokens, not all)."""
    doc = cue.doc
    after = quote.start >= cue.idx
    i, step = (cue.i + 1, 1) if after else (cue.i - 1, -1)
    found = []
    while 0 <= i < len(doc) and (doc[i].idx < quote.start if after else doc[i].idx >= quote.end):
        if doc[i].text in SENTENCE_END:
            return None
        found.append(doc[i])
        i += step
    return found


def rstrip_punct(text: str, start: int, end: int) -> int:
    """End of text[start:end] without trailing spaces and clause punctuation (, ; :)."""
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return end
