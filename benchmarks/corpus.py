"""A deterministic corpus of invented wire copy, for benchmarks at any size.

The seed articles are three; a scale benchmark needs thousands that look like them to the pipeline:
a headline, 8-16 paragraphs, roster speakers under every name the press uses, direct quotes with the
cue before or after, reported speech, "according to", pronoun follow-ups, quotes that run on into
the next paragraph, speakers outside the roster, and narrative sentences that are not statements.

Article i is a pure function of (seed, i), so the first 1,000 articles of a 10,000-article corpus are
the 1,000-article corpus, and `article(i, seed + 1)` is a changed version of document i.

    python -m benchmarks.corpus OUT_DIR --docs N [--seed S]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

MIN_WORDS, MAX_WORDS = 250, 500
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 8, 16

# id -> first mentions (one picked per article, as one wire story spells a name one way), later
# mentions, and the side that sets the speaker's usual stance on Tomahawks.
ROSTER = {
    "trump": (
        ["Donald Trump", "US President Donald Trump"],
        ["Trump", "Mr Trump", "the US president", "the president"],
        "us",
    ),
    "putin": (
        ["Vladimir Putin", "Russian President Vladimir Putin"],
        ["Putin", "Mr Putin", "the Russian president"],
        "ru",
    ),
    "peskov": (
        ["Dmitry Peskov", "Dmitri Peskov", "Kremlin spokesman Dmitry Peskov", "Kremlin spokesman Dmitri Peskov"],
        ["Peskov", "the Kremlin spokesman"],
        "ru",
    ),
    "medvedev": (
        ["Dmitry Medvedev", "former Russian president Dmitry Medvedev"],
        ["Medvedev", "Russia's former president"],
        "ru",
    ),
    "zelensky": (
        ["Volodymyr Zelensky", "Volodymyr Zelenskyy", "Volodymyr Zelenskiy", "Ukrainian President Volodymyr Zelensky"],
        ["Zelensky", "Mr Zelensky", "the Ukrainian president"],
        "ua",
    ),
    "podolyak": (
        ["Mykhailo Podolyak", "presidential adviser Mykhailo Podolyak"],
        ["Podolyak", "the presidential adviser"],
        "ua",
    ),
}
# Later mentions follow the first mention's spelling ("Zelenskyy" after "Volodymyr Zelenskyy").
SPELLINGS = ("Zelenskyy", "Zelenskiy")

# Tomahawk stance weights (favor, against, undecided) by side.
STANCE_WEIGHTS = {"us": (3, 2, 5), "ru": (0, 8, 2), "ua": (8, 0, 2), "other": (3, 3, 4)}

F = {  # fillers, picked independently for every slot
    "day": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "month": "January February March April May June July August September October November December".split(),
    "city_ua": "Kyiv Kharkiv Odesa Dnipro Zaporizhzhia Lviv Kherson Sumy Poltava Mykolaiv Chernihiv".split(),
    "city": "Washington Moscow Brussels Berlin Paris London Istanbul Geneva Riyadh Budapest Warsaw Helsinki Ankara Doha Vienna".split(),
    "front": "Pokrovsk Kupiansk Kostiantynivka Huliaipole Siversk Lyman Vovchansk Myrnohrad Kurakhove Toretsk".split(),
    "river": ["Dnipro", "Dniester", "Desna", "Southern Bug", "Siverskyi Donets"],
    "ordinal": "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(),
    "tomahawks": [
        "Tomahawk missiles",
        "the Tomahawks",
        "long-range Tomahawk cruise missiles",
        "Tomahawk cruise missiles",
        "US Tomahawks",
        "a batch of Tomahawks",
    ],
    "bad_effect": [
        "mark a dangerous new stage of escalation",
        "destroy the fragile dialogue between Moscow and Washington",
        "drag the United States deeper into the conflict",
        "force Moscow to respond in kind",
        "bring the world closer to a clash between nuclear powers",
        "change nothing on the battlefield",
        "make a peace deal much harder to reach",
        "do lasting damage to relations between the two countries",
        "undermine every attempt at a settlement",
        "provoke a response nobody in Europe wants",
    ],
    "bad_adj": [
        "a grave mistake",
        "reckless",
        "an act of escalation",
        "deeply irresponsible",
        "a serious error",
        "a provocation",
        "a step towards catastrophe",
    ],
    "good_effect": [
        "help force Moscow to the negotiating table",
        "let Ukraine hit the airfields used to bomb its cities",
        "give Kyiv the means to protect its energy grid",
        "show the Kremlin that time is not on its side",
        "strengthen Ukraine's hand before any talks",
        "raise the cost of the war for Russia",
        "make Russian commanders think twice",
        "bring a just peace closer",
    ],
    "purpose": [
        "strike the bases from which Russia launches its drones",
        "protect its power stations through the winter",
        "push Russia toward serious negotiations",
        "hit fuel depots deep inside Russia",
        "reach the launch sites of the glide bombs",
        "defend cities like {city_ua}",
    ],
    "sanction_target": [
        "Russian oil companies",
        "Rosneft and Lukoil",
        "Russia's shadow fleet of tankers",
        "Russian banks",
        "exporters of Russian liquefied natural gas",
        "Russian metals producers",
        "third-country traders",
    ],
    "when": [
        "next month",
        "within weeks",
        "before the end of the year",
        "in the spring",
        "as early as next week",
        "after the holidays",
        "by the summer",
    ],
    "answer": ["proportionate", "painful", "immediate", "measured", "unexpected"],
    "talks_adj": [
        "useful",
        "difficult but necessary",
        "constructive",
        "a waste of time",
        "frank",
        "productive",
        "tense",
    ],
    "venue": [
        "at a briefing in {city}",
        "in a video address",
        "on a flight to {city}",
        "in an interview with state television",
        "at a news conference in {city}",
        "in a post on Telegram",
        "during a visit to {city_ua}",
        "after talks in {city}",
        "at a forum in {city}",
        "in his nightly address",
        "on the sidelines of a summit in {city}",
    ],
    "after_verb": [
        "said",
        "added",
        "warned",
        "stressed",
        "noted",
        "insisted",
        "argued",
        "declared",
        "told reporters",
        "told journalists",
        "said on {day}",
        "told state television",
        "said {venue}",
        "wrote on Telegram",
    ],
    "that_verb": [
        "said",
        "warned",
        "argued",
        "insisted",
        "noted",
        "claimed",
        "suggested",
        "stressed",
        "told reporters",
        "told journalists",
        "said on {day}",
        "made clear",
        "acknowledged",
        "said {venue}",
        "repeated",
    ],
    "colon_cue": [
        "told reporters",
        "said",
        "told journalists on {day}",
        "said {venue}",
        "wrote on Telegram",
        "told a news conference in {city}",
        "said in a statement",
    ],
    "first": "Anna Marek Olena Thomas Ingrid Pavel Sofia James Lucia Tomas Katarzyna Henrik Elena Daniel Miriam Viktor".split(),
    "last": "Kowalski Brandt Lindqvist Moreau Novak Hartmann Okafor Petrenko Svensson Dumont Kessler Marchetti Haas Varga".split(),
    "job": [
        "an analyst at",
        "a senior fellow at",
        "a professor of international relations at",
        "a former diplomat now at",
        "a military analyst at",
        "an economist at",
        "a researcher at",
    ],
    "institution": [
        "the Baltic Security Institute",
        "the Meridian Policy Group",
        "the Danube Strategy Forum",
        "the Northbridge Institute",
        "the University of {city}",
        "the Atlantic Research Council",
        "the Carpathian Policy Centre",
    ],
    "office": ["Foreign Minister", "Defence Minister", "Energy Minister", "Finance Minister", "Prime Minister"],
    "country_adj": "German French Polish Finnish Italian Dutch Swedish Czech Lithuanian Hungarian Turkish".split(),
    "sector": ["defence", "schools", "hospitals", "roads", "air defence", "housing", "pensions"],
    "outlet": ["local media", "the regional governor's office", "the state broadcaster", "a national newspaper"],
}

PROPOSITIONS = {  # usable both in quotes and after "that"; lower case, no final stop
    "tomahawk_against": [
        "{tomahawks} would {bad_effect}",
        "supplying {tomahawks} to Kyiv would {bad_effect}",
        "any decision to send {tomahawks} would be {bad_adj}",
        "Washington should think twice before handing {tomahawks} to Ukraine",
        "the delivery of {tomahawks} would not change the situation at the front",
        "nobody could tell whether a missile in flight carried a nuclear warhead",
    ],
    "tomahawk_favor": [
        "{tomahawks} would {good_effect}",
        "Ukraine needs {tomahawks} to {purpose}",
        "the United States should send {tomahawks} to Kyiv without delay",
        "long-range weapons are the only language Moscow understands",
        "the threat of {tomahawks} is already putting pressure on the Kremlin",
    ],
    "tomahawk_undecided": [
        "no decision has been made on {tomahawks} yet",
        "the question of {tomahawks} is still being discussed",
        "{tomahawks} remain one option among many",
        "the United States needs its own {tomahawks} too",
        "it is too early to say whether {tomahawks} will be sent",
        "Washington may send {tomahawks} if the war does not end soon",
    ],
    "sanctions": [
        "new sanctions on {sanction_target} will take effect {when}",
        "the sanctions have not changed Moscow's course",
        "the European Union is preparing a {ordinal} package of sanctions",
        "sanctions on {sanction_target} are hurting the Russian economy",
        "Western sanctions are illegal and will fail",
        "the measures against {sanction_target} have loopholes",
    ],
    "energy": [
        "Russian strikes have knocked out {pct} percent of Ukraine's power generation",
        "Europe must stop buying Russian gas by {year}",
        "oil revenue is still paying for the war",
        "repairs to the power grid in {city_ua} will take weeks",
        "there is enough gas in storage for the winter",
        "prices for heating will not rise this year",
    ],
    "talks": [
        "a summit in {city} could take place {when}",
        "the talks in {city} were {talks_adj}",
        "Moscow is ready for negotiations but not for ultimatums",
        "any peace deal must respect Ukraine's borders",
        "a ceasefire along the current front line is the first step",
        "there is no date yet for a new meeting",
        "the next round of talks will be held in {city}",
    ],
    "front": [
        "Russian troops have made small gains near {front}",
        "Ukrainian forces are holding their positions around {front}",
        "the situation near {front} remains difficult",
        "Russia lost about {n3} soldiers in the past day",
        "drones have changed the way the war is fought",
        "the defence of {front} has cost both sides dearly",
    ],
    "other": [
        "the new budget will raise spending on {sector}",
        "the harvest this year was better than expected",
        "inflation should slow in the coming months",
        "the museum in {city} will reopen in the spring",
        "schools will return to normal hours next week",
        "the national team deserves everyone's support",
    ],
}

FIRST_PERSON = {  # quotes only
    "tomahawk_against": [
        "We will respond to any escalation, and {tomahawks} would be exactly that",
        "Our answer will be swift and it will be {answer}",
        "This would be a new stage of escalation, including in relations between our countries",
        "We see these plans in {city} and we are drawing our own conclusions",
        "Nobody should think that {tomahawks} will go unanswered",
    ],
    "tomahawk_favor": [
        "We need long-range capabilities, and Tomahawks are among them",
        "Every missile that can reach Russian airfields saves lives in {city_ua}",
        "We are asking our partners for {tomahawks}, and we are not asking for the first time",
        "With {tomahawks} we could {purpose}",
    ],
    "tomahawk_undecided": [
        "If this war is not going to get settled, I might send them Tomahawks",
        "We have a lot of Tomahawks, but we need them too",
        "We'll see what happens {when}",
        "I haven't made a decision yet, but I'm looking at it",
        "Maybe we will, maybe we won't",
    ],
    "sanctions": [
        "We will keep up the pressure on {sanction_target} until the guns fall silent",
        "We have learned to live under sanctions since {month} 2022",
        "We are not afraid of a {ordinal} package",
    ],
    "energy": [
        "We will get through this winter, in {city_ua} and everywhere else",
        "Every strike on our grid in {city_ua} is a strike on civilians",
        "We have restored power to {n5} homes",
    ],
    "talks": [
        "We are ready to meet in {city}, but not on these terms",
        "I think we are closer to a deal than people think",
        "Nobody has invited us to {city}",
    ],
    "front": [
        "Our soldiers are holding on near {front}",
        "The enemy is attacking {front} day and night",
        "We lost {n2} positions and took back {n1}",
    ],
    "other": [
        "We have other priorities this {day}",
        "I will not comment on that",
        "The {sector} budget is not up for debate",
    ],
}

NARRATIVE = {  # background that is nobody's statement
    "tomahawk": [
        "The Tomahawk is a cruise missile with a range of about {n4} kilometres.",
        "The United States has never supplied Tomahawks to Ukraine; {country_adj} officials say the issue was raised in {month}.",
        "Each Tomahawk costs roughly ${price1} million, and the US Navy buys about {n3} a year.",
        "Ukraine already fires drones of its own design at targets up to {n4} kilometres away.",
    ],
    "sanctions": [
        "The first sanctions of the war were imposed in {month} 2022; {n2} packages have followed.",
        "Brent crude rose {pct1} percent to ${price} a barrel on {day}.",
        "Russia's budget deficit reached {pct1} percent of economic output in {month}.",
    ],
    "energy": [
        "Power was restored to {n5} homes in {city_ua} by {day} evening.",
        "Temperatures in {city_ua} are expected to fall below zero by {day}.",
    ],
    "talks": [
        "The two leaders last met in {month}, in {city}.",
        "The meeting in {city} on {day} lasted about {n1} hours.",
        "Delegations from {n1} countries are expected in {city} on {day}.",
    ],
    "front": [
        "Russia launched {n3} drones and {n2} missiles at Ukraine overnight.",
        "Russia controls about {pct} percent of Ukraine's territory.",
        "The bridge over the {river} was closed for repairs in {month}.",
    ],
    "other": [
        "The war, now in its {nth} year, began with Russia's full-scale invasion in February 2022.",
        "Rain is forecast for {city} on {day}, with highs of {n1} degrees.",
        "The {country_adj} parliament will vote on the {sector} bill in {month}.",
        "A train carrying {n3} passengers arrived in {city_ua} {n1} hours late.",
        "Trading in {city} was quiet ahead of the holiday.",
        "The {month} figures will be published on {day}.",
        "{city_ua} has been hit {n2} times since the start of {month}.",
    ],
}

HEADLINES = [
    "{Name} Warns Against Tomahawk Missiles for Ukraine",
    "{Name} Weighs Sending Tomahawks to Kyiv",
    "{Name} Says No Decision Yet on Tomahawks",
    "{Name} Presses Allies for Long-Range Missiles",
    "{Name} Rejects New Sanctions as Oil Prices Climb",
    "Talks in {city} Stall as {Name} Hardens Tone",
    "Fighting Flares Near {front} as {Name} Calls for Ceasefire",
    "{Name} Vows Winter Power Will Hold in {city_ua}",
    "Kremlin Signals Concern Over Tomahawk Plans",
    "Ukraine Reports Heavy Fighting Near {front}",
    "EU Readies {Ordinal} Sanctions Package",
    "What {Name} Said About the War on {day}",
]

TOPICS = {"tomahawk": 5, "sanctions": 2, "energy": 2, "talks": 2, "front": 2, "other": 1}
# Paragraph kinds and their weights: one statement shape each (or background).
KINDS = {
    "quote_after": 5,
    "quote_before": 3,
    "split_quote": 2,
    "reported": 5,
    "according": 2,
    "run_on": 2,
    "outsider": 3,
    "narrative": 4,
}


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Writer:
    """Writes one article; remembers who has been named, in which spelling, and who spoke last."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.first = {sp: rng.choice(first) for sp, (first, _, _) in ROSTER.items()}
        self.named: set[str] = set()
        self.outsiders: dict[str, tuple[str, str]] = {}  # full intro -> (surname, pronoun)
        self.last: tuple[str, str] | None = None  # (later reference, pronoun) of the latest speaker

    def fill(self, template: str) -> str:
        r = self.rng
        numbers = {
            "n1": r.randint(2, 9),
            "n2": r.randint(3, 60),
            "n3": r.randint(40, 900),
            "n4": r.randint(150, 2500),
            "n5": r.randint(1000, 90000),
            "pct": r.randint(5, 60),
            "pct1": f"{r.uniform(0.2, 4.5):.1f}",
            "price": f"{r.uniform(58, 92):.2f}",
            "price1": f"{r.uniform(1.2, 2.6):.1f}",
            "year": r.randint(2026, 2030),
            "nth": r.choice(["third", "fourth"]),
        }
        for _ in range(3):  # fillers may hold fillers ("at a briefing in {city}")
            template = template.format_map(_Lookup(r, numbers))
        return template

    def later(self, speaker: str) -> list[str]:
        """Later mentions, in the spelling of the article's first mention."""
        spelling = next((s for s in SPELLINGS if s in self.first[speaker]), None)
        return [n.replace("Zelensky", spelling) if spelling else n for n in ROSTER[speaker][1]]

    def mention(self, speaker: str) -> str:
        """A name for a roster speaker: the article's first mention, then surnames and roles."""
        if speaker not in self.named:
            self.named.add(speaker)
            name = self.first[speaker]
        else:
            name = self.rng.choice(self.later(speaker))
        self.last = (self.rng.choice(self.later(speaker)), "he")
        return name

    def outsider(self) -> str:
        """A speaker outside the roster: named experts and ministers, or an unnamed official."""
        r = self.rng
        if self.outsiders and r.random() < 0.4:
            surname, pronoun = r.choice(list(self.outsiders.values()))
            self.last = (surname, pronoun)
            return surname
        first, last = r.choice(F["first"]), r.choice(F["last"])
        pronoun = (
            "she" if first in {"Anna", "Olena", "Ingrid", "Sofia", "Lucia", "Katarzyna", "Elena", "Miriam"} else "he"
        )
        intro = r.choice(
            [
                f"{first} {last}, {{job}} {{institution}},",
                f"{{country_adj}} {{office}} {first} {last}",
                "a senior {country_adj} official",
                "one Western diplomat",
                "a {country_adj} government spokesman",
            ]
        )
        intro = self.fill(intro)
        if first in intro:
            self.outsiders[intro] = (last, pronoun)
            self.last = (last, pronoun)
        else:
            self.last = ("the official", pronoun)
        return intro

    def speaker(self, cast: list[str]) -> tuple[str, str]:
        """(how the speaker is named here, their side)."""
        if self.rng.random() < 0.15:
            return self.outsider(), "other"
        sp = self.rng.choice(cast)
        return self.mention(sp), ROSTER[sp][2]

    def proposition(self, topic: str, side: str, first_person: bool = False) -> str:
        if topic == "tomahawk":
            topic = "tomahawk_" + self.rng.choices(["favor", "against", "undecided"], STANCE_WEIGHTS[side])[0]
        if first_person and self.rng.random() < 0.5:
            return self.fill(self.rng.choice(FIRST_PERSON[topic]))
        return self.fill(self.rng.choice(PROPOSITIONS[topic]))

    def follow_up(self, topic: str, side: str) -> str:
        """A sentence that refers back to the latest speaker: a pronoun or a role."""
        who, pronoun = self.last
        subject = pronoun.capitalize() if self.rng.random() < 0.7 else cap(who)
        p = self.proposition(topic, side)
        return self.fill(
            self.rng.choice(
                [
                    f"{subject} added that {p}.",
                    f"{subject} also said {p}.",
                    f"{subject} went on to say that {p}.",
                    f'"{cap(p)}," {pronoun} added.',
                    f"{subject} {{that_verb}} that {p}.",
                ]
            )
        )

    def paragraph(self, kind: str, topic: str, cast: list[str]) -> list[str]:
        """One paragraph (two for a quote that runs on), as text."""
        r = self.rng
        if kind == "narrative":
            pool = NARRATIVE["tomahawk" if topic.startswith("tomahawk") else topic] + NARRATIVE["other"]
            return [" ".join(self.fill(t) for t in r.sample(pool, r.randint(1, 3)))]
        if kind == "outsider":
            name, side = self.outsider(), "other"
        else:
            name, side = self.speaker(cast)
        p, q = self.proposition(topic, side), cap(self.proposition(topic, side, first_person=True))
        if kind == "quote_after":
            text = self.fill(
                r.choice(
                    [f'"{q}," {name} {{after_verb}}.', f'"{q}," said {name}.', f'"{q}," {name} said, adding that {p}.']
                )
            )
        elif kind == "quote_before":
            text = self.fill(
                r.choice([f'{cap(name)} {{colon_cue}}: "{q}."', f'Speaking {{venue}}, {name} said: "{q}."'])
            )
        elif kind == "split_quote":
            q2 = cap(self.proposition(topic, side, first_person=True))
            text = f'"{q}," {name} {self.fill("{after_verb}")}. "{q2}."'
        elif kind == "reported" or kind == "outsider":
            text = self.fill(
                r.choice(
                    [
                        f"{cap(name)} {{that_verb}} that {p}.",
                        f"{cap(name)} said {p}.",
                        f"{cap(name)} said on {{day}} that {p}.",
                        f"Speaking {{venue}}, {name} said {p}.",
                        f"{cap(name)} {{that_verb}} on {{day}} that {p}.",
                    ]
                )
            )
        elif kind == "according":
            text = r.choice([f"According to {name}, {p}.", f"{cap(p)}, according to {name}."])
        else:  # run_on: the quote carries on into the next paragraph without a new cue
            q2, q3 = (cap(self.proposition(topic, side, first_person=True)) for _ in range(2))
            if r.random() < 0.5:
                return [self.fill(f'{cap(name)} {{colon_cue}}: "{q}. {q2}.'), f'"{q3}."']
            return [f'"{q}," {name} {self.fill("{after_verb}")}.', f'"{q2}. {q3}."']
        if r.random() < 0.5:
            text += " " + self.follow_up(topic, side)
        return [text]


class _Lookup(dict):
    """format_map source: each {slot} is a fresh random pick; unknown slots are left for the next pass."""

    def __init__(self, rng: random.Random, numbers: dict):
        super().__init__()
        self.rng, self.numbers = rng, numbers

    def __missing__(self, key: str):
        if key in self.numbers:
            return self.numbers[key]
        if key.lower() in F:
            value = self.rng.choice(F[key.lower()])
            return cap(value) if key[0].isupper() else value
        return "{" + key + "}"


def _draft(rng: random.Random) -> str:
    writer = Writer(rng)
    topic = rng.choices(list(TOPICS), list(TOPICS.values()))[0]
    cast = rng.sample(list(ROSTER), rng.randint(2, 4))
    headline = writer.fill(rng.choice(HEADLINES).replace("{Name}", writer.first[cast[0]].split()[-1]))
    paragraphs = writer.paragraph("reported", topic, cast)
    if rng.random() < 0.5:  # a wire dateline
        paragraphs[0] = (
            writer.fill(f"{rng.choice(F['city'] + F['city_ua']).upper()}, {{month}} {rng.randint(1, 28)} - ")
            + paragraphs[0]
        )
    target = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
    while len(paragraphs) < target:
        kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
        if kind == "run_on" and len(paragraphs) + 2 > target:
            kind = "quote_after"
        this_topic = topic if rng.random() < 0.6 else rng.choice(list(TOPICS))
        paragraphs += writer.paragraph(kind, this_topic, cast)
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n"


def article(i: int, seed: int = 0) -> tuple[str, str]:
    """(file name, text) of article i: depends on (seed, i) only."""
    rng = random.Random(f"{seed}:{i}")
    for _ in range(200):  # redraw (from the same stream) until the length is in range
        text = _draft(rng)
        if MIN_WORDS <= len(text.split()) <= MAX_WORDS:
            break
    return f"bench_{i:06d}.txt", text


def generate(n_docs: int, seed: int = 0) -> list[tuple[str, str]]:
    return [article(i, seed) for i in range(n_docs)]


def write_corpus(folder: Path, n_docs: int, seed: int = 0) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(n_docs, seed):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out_dir, args.docs, args.seed)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"{len(paths)} articles, {words} words, in {args.out_dir}")


if __name__ == "__main__":
    main()
