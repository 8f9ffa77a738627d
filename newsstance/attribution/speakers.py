"""Who a reporting clause's subject is: a roster speaker, another named person, or an unnamed one.

A subject names its speaker in one of these ways, tried in order:

* a person's name, with the honorifics written before it ("President Vladimir Putin", "Mr Putin");
* an apposition that names the person behind a title ("Putin's spokesperson, Dmitry Peskov");
* the author of a message ("Medvedev's post warned ...");
* a pronoun: the latest salient person it can refer to (gender from the roster's `pronoun`);
* a roster role inside the noun phrase ("the Kremlin spokesman", "an aide to the Ukrainian
  president"): only the titles held on the document's date (the resolver is built from the roster
  as of that day, `Attributor.on`), and never after "former" ("the former US president");
* a definite description, "the <noun>", whose noun heads a role of a salient speaker ("the
  president" is whichever president the text was last about; "the former president" only one whose
  roles say "former");
* a noun for a person ("a government spokesman"): an unnamed speaker, never reported, but salient.

Organisations, countries and unnamed sources are not speakers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Callable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span, Token

from newsstance.config import Speaker, StatementsParams

# Personal pronouns that can name a speaker, by the subject form they agree with: a possessor
# ("his warning that ...") and the object of "according to" ("according to him") speak too.
PRONOUNS = {
    "he": "he",
    "him": "he",
    "his": "he",
    "she": "she",
    "her": "she",
    "they": "they",
    "them": "they",
    "their": "they",
}
SUBJECTS = ("nsubj", "nsubjpass")
# Prefixes written as words before a title ("ex-president"): what they mean in a role.
PREFIXES = {"ex": "former"}
# Entity labels that are never a speaker when they head the subject.
NOT_PEOPLE = {"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "DATE", "TIME"}
DASHES = {"-", "–", "—"}
# Words that make a title another office: "US Vice President JD Vance" does not hold "the US president".
OTHER_OFFICE = frozenset({"vice", "deputy", "prime"})
# The prepositions that tie a role to whom it serves: "adviser to", "spokesman for", "head of".
RELATIONS = ("to", "for", "of")
FUNCTION_WORDS = frozenset({"to", "for", "of", "the"})
TIE_REACH = 1500  # characters: how far from "an ally of Putin" the article names the ally


@dataclass(frozen=True)
class Who:
    """A speaker as named at one place of the text. speaker is None for an unnamed person."""

    speaker: str | None
    name: str
    in_roster: bool
    mention: str
    mention_type: str
    mention_start: int
    mention_end: int
    pronoun: str | None = None  # the pronoun that can refer back to this person; None: any
    noun: str | None = None  # head noun of an unnamed or described person ("spokesman"), or of a name's title
    title: frozenset[str] = frozenset()  # the words of the title the text gives a name here ("us", "president")


def slug(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "unknown"


class Salience:
    """The people a pronoun or a definite description can point back to, by position in the text."""

    def __init__(
        self,
        named: Callable[[], list[tuple[int, Who]]] | None = None,
        titled: Callable[[], list[tuple[int, Who]]] | None = None,
    ) -> None:
        self.positions: list[int] = []
        self.people: list[Who] = []
        self._named, self._named_source = None, named
        # every name the text gives a title, subject or not ("US President Joe Biden"); built on first need
        self._titled, self._titled_source = None, titled

    def named(self) -> "Salience":
        """Every named person, in any position: where no subject fits, a pronoun or description goes
        to the latest name it agrees with (a parser that took the subject for an object loses it).
        Built on first need: most documents never ask."""
        if self._named is None:
            self._named = Salience.of(self._named_source() if self._named_source else [])
        return self._named

    @property
    def titled(self) -> "Salience":
        if self._titled is None:
            self._titled = Salience.of(self._titled_source() if self._titled_source else [])
        return self._titled

    @staticmethod
    def of(people: list[tuple[int, Who]]) -> "Salience":
        salience = Salience()
        for pos, who in people:
            salience.note(pos, who)
        return salience

    def note(self, pos: int, who: Who) -> None:
        i = bisect.bisect_right(self.positions, pos)
        self.positions.insert(i, pos)
        self.people.insert(i, who)

    def latest(self, pos: int, accept: Callable[[Who], bool]) -> Who | None:
        """The latest person before pos that `accept` admits, or None."""
        for i in range(bisect.bisect_left(self.positions, pos) - 1, -1, -1):
            if accept(self.people[i]):
                return self.people[i]
        return None

    def holder(self, pos: int, noun: str, words: frozenset[str]) -> Who | None:
        """The latest person before pos the text gave a title of `noun` with all of `words`
        ("US President Joe Biden" holds "the US president")."""
        return self.titled.latest(
            pos, lambda who: who.noun == noun and words <= who.title and who.title & OTHER_OFFICE <= words
        )


def as_titled(who: Who, mention: Span) -> Who:
    """The person `who`, as a title or description names them at `mention`."""
    return replace(
        who, mention=mention.text, mention_type="title", mention_start=mention.start_char, mention_end=mention.end_char
    )


def privative(words: Span) -> bool:
    """Whether the words say the title is no longer held ("former", "ex-"): a privative modifier."""
    return any(PREFIXES.get(t.norm_, t.norm_) == "former" for t in words)


def every_spelling(roles: list[str], roster: dict[str, Speaker]) -> list[str]:
    """The roles with a roster name in them ("Zelensky's adviser", "adviser to Zelensky") written with
    each one-word alias of that person too ("Zelenskyy's adviser"): outlets transliterate differently."""
    out = list(roles)
    for role in roles:
        for other in roster.values():
            surnames = [a for a in other.aliases if " " not in a]
            for name in surnames:
                if re.search(rf"\b{re.escape(name)}\b", role):
                    out += [re.sub(rf"\b{re.escape(name)}\b", alias, role) for alias in surnames if alias != name]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Role:
    speaker: str
    head: str  # lemma of the role's head noun, lower case
    words: frozenset[str]


class SpeakerResolver:
    """Resolves subjects to speakers. Built once per roster."""

    def __init__(self, nlp: Language, roster: dict[str, Speaker], params: StatementsParams):
        self.roster = roster
        self.role_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.roles: list[Role] = []
        for speaker_id, speaker in roster.items():
            docs = list(nlp.pipe(every_spelling(speaker.roles, roster)))
            self.role_matcher.add(speaker_id, docs)
            for doc in docs:
                root = next(iter(doc.sents)).root
                self.roles.append(Role(speaker_id, root.lemma_.lower(), frozenset(t.norm_ for t in doc if t.is_alpha)))
        self.role_words = frozenset(w for role in self.roles for w in role.words)
        self.role_words_by_head: dict[tuple[str, str], set[str]] = {}  # (speaker, head noun): every word of those roles
        for role in self.roles:
            self.role_words_by_head.setdefault((role.speaker, role.head), set()).update(role.words)
        self.speaker_words = {
            sid: frozenset(w for r in self.roles if r.speaker == sid for w in r.words) for sid in roster
        }
        self.generic_nouns = {n.lower() for n in params.generic_person_nouns}
        self.title_equivalents = {k.lower(): v.lower() for k, v in params.title_equivalents.items()}
        self.message_nouns = {n.lower() for n in params.message_nouns}
        self.person_nouns = {n.lower() for n in params.person_nouns}
        self.tie_nouns = {n.lower() for n in params.tie_nouns}
        self.surnames = {sid: frozenset(a.lower() for a in s.aliases if " " not in a) for sid, s in roster.items()}

    # --- named people ---------------------------------------------------------------------------

    def person(self, ent: Span, mention: Span | None = None, mention_type: str | None = None) -> Who:
        mention = mention or ent
        words = [t for t in mention if t.tag_ != "POS"]
        at = (words[0].idx, words[-1].idx + len(words[-1]))
        text = mention.doc[words[0].i : words[-1].i + 1].text  # not doc.text[...]: that joins every token
        n_name_tokens = sum(1 for t in ent if not t.is_punct and t.tag_ != "POS")
        kind = mention_type or ("name" if n_name_tokens > 1 else "surname")
        noun, title = title_of(ent)
        if ent.ent_id_ in self.roster:
            speaker = self.roster[ent.ent_id_]
            return Who(
                ent.ent_id_, speaker.name, True, text, kind, *at, pronoun=speaker.pronoun, noun=noun, title=title
            )
        name = " ".join(t.text for t in ent if t.tag_ != "POS")
        return Who(slug(name), name, False, text, kind, *at, noun=noun, title=title)

    def by_title(self, speaker_id: str, mention: Span, noun: str) -> Who:
        """The roster speaker a title or description names ("the Kremlin spokesman")."""
        speaker = self.roster[speaker_id]
        return Who(
            speaker_id,
            speaker.name,
            True,
            mention.text,
            "title",
            mention.start_char,
            mention.end_char,
            pronoun=speaker.pronoun,
            noun=noun,
        )

    def role(self, np: Span, salience: Salience) -> Who | None:
        """A roster role inside the noun phrase ("the Kremlin spokesman"), longest match first; but a
        title the article itself gives someone else is theirs ("the US president" after "US President
        Joe Biden" is Biden, in a 2022 story)."""
        # Only a role that holds the phrase's head names the subject: in "the adviser to the head of the
        # office of Ukrainian President Zelensky" the role "Ukrainian president" is someone else.
        matches = sorted(
            (m for m in self.role_matcher(np, as_spans=True) if m.start <= np.root.i < m.end),
            key=lambda s: (len(s), -s.start),
            reverse=True,
        )
        if not matches:
            return None
        role = matches[0]
        if privative(np.doc[np.start : role.start]) and "former" not in {title_word(t) for t in role}:
            return None  # "the former US president" is not the one in office: a description, if anyone
        before = np.doc[role.start - 1] if role.start > np.start else None
        mention = np.doc[role.start - 1 : role.end] if before is not None and before.lower_ == "the" else role
        words = frozenset(title_word(t) for t in role if not t.is_punct)
        holder = salience.holder(np.start_char, np.root.lemma_.lower(), words)
        if holder is not None and holder.speaker != role.label_:
            return as_titled(holder, mention)
        return self.by_title(role.label_, mention, np.root.lemma_.lower())

    def names_alone(self, speaker_id: str, noun: str, discriminative: set[str]) -> bool:
        """Whether the description says one of the speaker's roles in full ("the Kremlin's spokesman"),
        not a part that others share ("the former president")."""
        return any(
            r.speaker == speaker_id and r.head == noun and r.words == discriminative | {noun} for r in self.roles
        )

    def description(self, np: Span, salience: Salience) -> Who | None:
        """'the <modifiers> <noun>' or "X's <noun>": the roster speaker it describes.

        Modifiers that occur in some role are discriminative ("former", "Kremlin"); others ("chief",
        "long-serving") say nothing about who it is. When the discriminative modifiers fit the roles
        of one roster speaker only, that is the speaker ("the Kremlin's spokesman"); otherwise it is
        the latest salient person the description fits ("the president"), a name the article gave
        that title ("the chancellor" after "German Chancellor Olaf Scholz"), or for a noun that fits
        anyone in public life (`generic_person_nouns`: "the Ukrainian official", "the politician"),
        the latest named person its modifiers fit.
        """
        head = np.root
        before = [t for t in np if t.i < head.i]
        if not any(t.lower_ == "the" or t.dep_ == "poss" for t in before) or head.tag_ in ("NNS", "NNPS"):
            return None  # "the leaders said": more than one person, never one speaker
        said_otherwise = self.title_equivalents.get(" ".join(t.lower_ for t in np if t.i >= head.i))
        if said_otherwise is None and any(c.dep_ == "prep" and c.lower_ in ("of", "from") for c in head.children):
            return None  # "the president of Belarus" says whose president: a role must match it whole
        noun = said_otherwise or head.lemma_.lower()
        # "the ex-president": the parser can hang "the" and "ex" on each other rather than on the noun
        modifiers = {
            PREFIXES.get(t.norm_, t.norm_)
            for t in before
            if t.is_alpha and t.lower_ != "the" and t.dep_ in ("amod", "compound", "poss", "nmod")
        }
        discriminative = modifiers & self.role_words
        if any(
            t.pos_ == "PROPN" and t.norm_ not in self.role_words
            for t in before
            if t.dep_ in ("compound", "nmod", "poss")
        ):
            return None  # "the Wagner Group leader": a name no role has says it is someone else's title
        if any(t.ent_type_ == "NORP" and t.norm_ not in self.role_words for t in before if t.dep_ == "amod"):
            return None  # "the Chinese leader": a nationality no role held that day has is someone else
        # Modifiers may come from different roles of one speaker: "the Republican former president".
        fitting = {
            sid for (sid, head), words in self.role_words_by_head.items() if head == noun and discriminative <= words
        }
        generic = noun in self.generic_nouns and head.tag_ == "NN"  # "the officials" are a group, not one named person
        mention = np if said_otherwise else np.doc[np.start : head.i + 1]
        holder = salience.holder(np.start_char, noun, frozenset(discriminative)) if discriminative else None
        if (
            holder is not None and holder.speaker is not None
        ):  # "Former President Donald Trump ... the former president"
            return as_titled(holder, mention)
        if (
            discriminative
            and len(fitting) == 1
            and (
                self.names_alone(next(iter(fitting)), noun, discriminative) or mentioned_before(np, next(iter(fitting)))
            )
        ):
            return self.by_title(next(iter(fitting)), mention, noun)

        def fits(who: Who) -> bool:
            if who.speaker is None:  # an unnamed "senior official": "the official" is them
                return who.noun == noun and not discriminative
            if not who.in_roster:  # "German Chancellor Olaf Scholz ... the chancellor"
                return (
                    (who.noun == noun or generic)
                    and discriminative <= who.title
                    and who.title & OTHER_OFFICE <= modifiers
                )
            return (
                who.speaker in fitting
                or (generic and discriminative <= who.title | self.speaker_words[who.speaker])
                # the title the article gave them ("President Donald Trump ... the president"), whatever
                # the roster says they held on the document's date
                or (who.noun == noun and discriminative <= who.title and who.title & OTHER_OFFICE <= modifiers)
            )

        if generic and salience.latest(np.start_char, lambda who: who.speaker is None and who.noun == noun):
            return None  # "a senior official ... the official said": the unnamed one, whoever came since
        found = salience.latest(np.start_char, fits) or salience.named().latest(np.start_char, fits)
        if found is None or found.speaker is None:
            return None  # an unnamed person ("a senior official ... the official said") is not reported
        return as_titled(found, mention)

    # --- the subject of a reporting clause -----------------------------------------------------

    def resolve(
        self, subject: Token, ent_of: dict[int, Span], salience: Salience, said: tuple[int, int] = (-1, -1)
    ) -> Who | None:
        """Who the subject token names; None when it is not a person (an organisation, a source...).
        `said`: the offsets of what the subject's clause reports, where a pronoun's antecedent is not."""
        ent = ent_of.get(subject.i)
        for child in subject.children:  # a dateline ("Mint Hill, North Carolina - Donald Trump has accused"): a place
            appos = ent_of.get(child.i) if child.dep_ == "appos" else None
            if (
                appos is not None
                and appos.label_ == "PERSON"
                and any(t.text in DASHES for t in subject.doc[subject.i + 1 : child.i])
            ):
                return self.person(appos)
        if ent is not None and ent.label_ == "PERSON":
            return self.person(ent, honorific_span(ent))
        for child in subject.children:
            appos = ent_of.get(child.i) if child.dep_ == "appos" else None
            if appos is not None and appos.label_ == "PERSON":
                return self.person(appos)
        if (named := self.closing_apposition(subject, ent_of)) is not None:
            return self.person(named)
        if subject.lemma_.lower() in self.message_nouns:
            possessor = next((c for c in subject.children if c.dep_ == "poss"), None) or next(
                (
                    c
                    for p in subject.children
                    if p.dep_ == "prep" and p.lower_ == "of"
                    for c in p.children
                    if c.dep_ == "pobj"
                ),
                None,
            )  # "the Telegram channel of Mykhailo Podolyak"
            author = ent_of.get(possessor.i) if possessor is not None else None
            if author is not None and author.label_ == "PERSON":
                return self.person(author, mention_type="possessive")
            if possessor is not None and possessor.lower_ in PRONOUNS:  # "His statement further reads"
                return self.antecedent(possessor, PRONOUNS[possessor.lower_], salience)
            return None
        pronoun = PRONOUNS.get(subject.lower_)
        if pronoun is not None:
            return self.antecedent(subject, pronoun, salience, said)
        the = next((c for c in subject.children if c.lower_ == "the"), None)
        if ent is not None and ent.label_ == "NORP" and subject.tag_ == "NNP" and the is not None:
            # "The Republican said": a party's member, the latest speaker whose roles say that party
            found = salience.latest(
                subject.idx, lambda who: who.in_roster and subject.norm_ in self.speaker_words[who.speaker]
            )
            mention = subject.doc[the.i : subject.i + 1]
            return as_titled(found, mention) if found else None
        if ent is not None and ent.label_ in NOT_PEOPLE:
            if ent.label_ == "ORG" and self.animate(subject):
                return self.person(ent)  # a name the recogniser took for an organisation
            if ent.label_ == "ORG" and subject.lemma_.lower() in self.person_nouns:
                return self.role(
                    noun_phrase(subject), salience
                )  # "The Advisor to the Head of the Office ..." in capitals
            return None
        if subject.pos_ not in ("NOUN", "PROPN"):
            return None
        np = noun_phrase(subject)
        who = (
            self.role(np, salience)
            or self.description(np, salience)
            or self.relational(np, salience)
            or self.tied(np, salience)
        )
        if who is not None:
            return who
        if subject.pos_ == "PROPN":
            return self.unrecognised_name(subject)
        if subject.lemma_.lower() in self.person_nouns:
            plural = subject.tag_ in ("NNS", "NNPS")
            return Who(
                None,
                np.text,
                False,
                np.text,
                "title",
                np.start_char,
                np.end_char,
                pronoun="they" if plural else None,
                noun=subject.lemma_.lower(),
            )
        return None

    def relational(self, np: Span, salience: Salience) -> Who | None:
        """A role written with its relation turned round: "the spokesman for Russian President Vladimir
        Putin" is "Putin's spokesman", "the adviser to Ukraine's president" is "adviser to Zelensky",
        "a spokesman for the Kremlin" is "Kremlin spokesman". The object of to/for/of is resolved
        first (a name, a role, a description); the role whose head is the phrase's noun and whose other
        words are that person's (or the object's own words) names the speaker, when only one does."""
        head = np.root
        noun = head.lemma_.lower()
        if noun not in self.person_nouns:
            return None
        prep = next((c for c in head.children if c.dep_ == "prep" and c.lower_ in RELATIONS), None)
        anchor = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if anchor is None:
            return None
        modifiers = {t.norm_ for t in np if t.i < head.i and t.is_alpha and t.dep_ in ("amod", "compound")}
        anchor_np = noun_phrase(anchor)
        related = (
            anchor.ent_id_
            if anchor.ent_id_ in self.roster
            else next(
                (
                    sid
                    for sid, names in self.surnames.items()
                    if anchor.ent_type_ == "PERSON" and anchor.lower_ in names
                ),
                None,
            )
        )
        if related is None:
            found = self.role(anchor_np, salience) or self.description(anchor_np, salience)
            related = found.speaker if found is not None and found.in_roster else None
        if related is not None:
            wanted = modifiers | self.surnames[related]
            fits = {
                r.speaker
                for r in self.roles
                if r.head == noun
                and r.speaker != related
                and (r.words - FUNCTION_WORDS) - {noun} <= wanted
                and (r.words - FUNCTION_WORDS) & self.surnames[related]
            }
        else:
            wanted = modifiers | {t.norm_ for t in anchor_np if t.is_alpha and t.norm_ not in FUNCTION_WORDS}
            fits = {r.speaker for r in self.roles if r.head == noun and (r.words - FUNCTION_WORDS) - {noun} == wanted}
        if len(fits) != 1:
            return None
        return self.by_title(next(iter(fits)), np, noun)

    def closing_apposition(self, subject: Token, ent_of: dict[int, Span]) -> Span | None:
        """ "An adviser to the presidential office in Kyiv, Mykhailo Podolyak, said": a name set off by
        commas at the end of a person noun's phrase names that person, though the parser hung it on
        the last noun of the phrase's prepositions."""
        if subject.lemma_.lower() not in self.person_nouns or subject.ent_type_:
            return None
        doc = subject.doc
        for t in subject.subtree:
            ent = ent_of.get(t.i)
            if (
                t.dep_ == "appos"
                and t.head.i != subject.i
                and t.head.dep_ == "pobj"
                and ent is not None
                and ent.label_ == "PERSON"
                and ent.start > 0
                and doc[ent.start - 1].text == ","
                and t.right_edge.i + 1 == subject.right_edge.i
                and doc[subject.right_edge.i].text == ","
            ):
                return ent
        return None

    def tied(self, np: Span, salience: Salience) -> Who | None:
        """ "An ally of Russia's president Vladimir Putin has warned ...", "a top Putin aide said": someone
        described by a tie to another person (`tie_nouns`). News names them close by, before or after:
        the nearest named roster speaker other than the one they are tied to, else the nearest name (a
        byline is a name too, so a roster speaker goes first)."""
        head = np.root
        if head.lemma_.lower() not in self.tie_nouns or not any(t.lower_ in ("a", "an") for t in np if t.i < head.i):
            return None
        tied_to = {t.ent_id_ or t.text for t in np if t.ent_type_ == "PERSON"}
        named = salience.named()
        nearest = [
            (abs(pos - np.start_char), pos, who)
            for pos, who in zip(named.positions, named.people)
            if not np.start_char <= pos < np.end_char
            and who.speaker not in tied_to
            and abs(pos - np.start_char) <= TIE_REACH
        ]
        if not tied_to or not nearest:
            return None
        who = min(nearest, key=lambda n: (not n[2].in_roster, n[0], n[1]))[2]  # a speaker the article quotes first
        return as_titled(who, np)

    def animate(self, noun: Token) -> bool:
        """A noun phrase that can only be a person: "X, who led the delegation", "X, an analyst"."""
        for t in noun.subtree:
            if t.dep_ == "appos" and t.head.i == noun.i and t.lemma_.lower() in self.person_nouns:
                return True
            if t.lower_ in ("who", "whom") and t.head.dep_ == "relcl":
                return True
        return False

    def antecedent(
        self, pronoun_token: Token, pronoun: str, salience: Salience, said: tuple[int, int] = (-1, -1)
    ) -> Who | None:
        """The person a pronoun refers to. Never one named in what its own clause reports ("Putin is
        killing too many people," he said: the he is not Putin; binding theory's Principle C)."""
        # An object pronoun is never its own clause's subject ("the journalist quoted him": not herself).
        clause_subject = (
            next((c for c in pronoun_token.head.children if c.dep_ in SUBJECTS), None)
            if pronoun_token.dep_ == "dobj"
            else None
        )
        bound = (
            (clause_subject.left_edge.idx, clause_subject.right_edge.idx + len(clause_subject.right_edge))
            if clause_subject is not None
            else (-1, -1)
        )

        def agrees(who: Who) -> bool:
            if bound[0] <= who.mention_start < bound[1] or said[0] <= who.mention_start < said[1]:
                return False
            if pronoun == "they":
                return who.pronoun == "they"
            return who.pronoun in (None, pronoun)

        who = salience.latest(pronoun_token.idx, agrees) or salience.named().latest(pronoun_token.idx, agrees)
        if who is None:
            return None
        at = (pronoun_token.idx, pronoun_token.idx + len(pronoun_token))
        return replace(who, mention=pronoun_token.text, mention_type="pronoun", mention_start=at[0], mention_end=at[1])

    def unrecognised_name(self, subject: Token) -> Who:
        """A proper-noun subject the entity recogniser missed ("Oleksandr Tkachuk, an analyst, said"):
        a person outside the roster, so that their words are never pinned on a roster speaker."""
        words = [t for t in subject.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [subject]
        start, end = words[0].idx, subject.idx + len(subject)
        name = subject.doc[words[0].i : subject.i + 1].text
        return Who(slug(name), name, False, name, "name" if len(words) > 1 else "surname", start, end)


def mentioned_before(np: Span, speaker_id: str) -> bool:
    """Whether the text named the roster speaker before this description: "the former president" in
    a story that never names Medvedev is not Medvedev (a role said in full needs no earlier name)."""
    return any(ent.ent_id_ == speaker_id and ent.start < np.start for ent in np.doc.ents)


HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "mr.", "mrs.", "ms.", "dr."}


def title_of(ent: Span) -> tuple[str | None, frozenset[str]]:
    """The title the text gives a name at this place, as (head noun lemma, words): written before it
    ("US President Joe Biden") or in apposition ("Joe Biden, the US president")."""
    root = ent.root
    before = [
        t
        for t in ent.doc[root.left_edge.i : ent.start]
        if not t.is_punct and t.lower_ not in HONORIFICS and t.dep_ in ("compound", "amod", "nmod")
    ]
    if before:
        return before[-1].lemma_.lower(), frozenset(title_word(t) for t in before)
    appos = next((c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"), None)
    if appos is None and root.dep_ == "appos" and root.head.pos_ == "NOUN":
        appos = root.head
    if appos is not None:
        words = [
            t
            for t in appos.subtree
            if not t.is_punct and t.i <= appos.i and t.dep_ in ("compound", "amod", "nmod", "poss")
        ]
        return appos.lemma_.lower(), frozenset(title_word(t) for t in [*words, appos])
    return None, frozenset()


def title_word(token: Token) -> str:
    """A title's word as compared: "U.S." and "US" are one."""
    return token.norm_.replace(".", "")


def noun_phrase(head: Token) -> Span:
    """The noun phrase of a subject with its post-modifiers ("the deputy head of Russia's Security
    Council"), without appositions, relative clauses or anything after a comma."""
    end = head.i + 1
    for right in head.rights:
        if right.dep_ in ("prep", "compound", "amod") and not any(
            t.is_punct and t.text == "," for t in head.doc[end : right.i]
        ):
            end = right.right_edge.i + 1
        else:
            break
    return head.doc[head.left_edge.i : end]


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
