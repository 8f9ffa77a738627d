"""Attribution measured on PolNeAR (real 2016 US election news, annotated by trained annotators).

    python -m benchmarks.polnear [--polnear ../shared/polnear] [--split dev] [--work DIR] [--errors FILE]

Runs ingest, sentences, entities and statements on the split's texts (copied into a scratch folder
outside the repository: PolNeAR's texts never enter it) and scores the statements against the
annotations, brat standoff, the first annotator's file of each article in sorted order.

A predicted statement matches a gold attribution when, in the same article, its content overlaps the
gold Content and its speaker's mention overlaps the gold Source (or the Source holds the speaker's
surname: a continuation's mention is its speaker's earlier name). Scored:
- all: every gold attribution (PolNeAR also marks organisations, "according to", beliefs);
- person + speech: the gold attributions whose Source names a person (a name, its last word in a
  PERSON entity, or a personal pronoun) and whose Cue holds a verb of saying (SPEECH_VERBS below, a list independent of the
  pipeline's params, so that a cue the pipeline lacks still counts as missed).
Precision is over every predicted statement (any speaker), a prediction being right when it matches
any gold attribution; the person + speech precision leaves out predictions that match only gold
outside the subset.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import spacy

from newsstance.config import load_params
from stages import entities, ingest, sentences, statements

# Verbs of saying and writing (lemmas), in the sense of Levin's "say" and "communication" classes and
# the reporting verbs of news style guides.
SPEECH_VERBS = frozenset(
    """
    say tell add ask answer reply respond retort write tweet post claim argue insist warn note explain
    state declare announce suggest continue conclude stress emphasize emphasise contend maintain assert
    admit acknowledge concede confirm deny predict promise pledge vow vow urge accuse call charge
    complain comment remark observe mention recall repeat reiterate point describe characterize
    criticize criticise praise thank laud boast tout joke joke assess voice question challenge
    dismiss reject counter hint signal indicate threaten caution allege demand propose recommend
    report testify tell announce proclaim quip muse speak talk brag rail lament decry blast slam
    attack mock ridicule hail applaud welcome express reveal disclose acknowledge concede echo
    underline underscore highlight explain elaborate clarify share quote cite add
""".split()
)
PRONOUNS = frozenset("he she him her his i me we they".split())


@dataclass
class Attribution:
    doc: str
    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)
    source_text: str = ""
    cue_text: str = ""
    person_speech: bool = False


def read_annotations(split: Path) -> dict[str, list[Attribution]]:
    """Attributions per article (file stem of its text), from the first annotator's .ann file."""
    files: dict[str, Path] = {}
    for ann in sorted((split / "attributions").glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]
        files.setdefault(article, ann)
    out: dict[str, list[Attribution]] = {}
    for article, ann in files.items():
        spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
        events: list[str] = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                tid, info, text = (line.split("\t") + ["", ""])[:3]
                label, _, ranges = info.partition(" ")
                parts = [tuple(int(x) for x in piece.split()) for piece in ranges.split(";")]
                spans[tid] = (label, parts, text)
            elif line.startswith("E"):
                events.append(line.split("\t")[1])
        rows = []
        for event in events:
            a = Attribution(article)
            for arg in event.split()[1:]:
                role, _, tid = arg.partition(":")
                role = role.rstrip("0123456789")
                if tid not in spans:
                    continue
                _, parts, text = spans[tid]
                if role == "Source":
                    a.source += parts
                    a.source_text = text
                elif role == "Cue":
                    a.cue += parts
                    a.cue_text = text
                elif role == "Content":
                    a.content += parts
            if a.content:
                rows.append(a)
        out[article] = rows
    return out


def overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def names_a_person(a: Attribution, people: list[tuple[int, int]]) -> bool:
    """A personal pronoun, or a name: the last word of the Source's first phrase (up to a comma:
    "Paul Lindsay, a spokesman for ...") lies in a PERSON entity ("Mr. Trump", "Sen. Elizabeth
    Warren"; not "a senior Cruz adviser" or "Clinton's campaign", whose head is not a name)."""
    words = a.source_text.lower().split()
    if len(words) == 1 and words[0] in PRONOUNS:
        return True
    if not a.source or not a.source_text.strip():
        return False
    first = a.source_text.split(",")[0].rstrip()
    if not first:
        return False
    end = a.source[0][0] + len(first)
    return overlaps([(end - 1, end)], people)


def mark_person_speech(gold: dict[str, list[Attribution]], people: dict[str, list[tuple[int, int]]], nlp) -> None:
    """Flag the attributions whose Source names a person and whose Cue holds a verb of saying."""
    for article, rows in gold.items():
        for a in rows:
            person = names_a_person(a, people.get(article, []))
            cue = nlp(a.cue_text) if a.cue_text else []
            speech = any(t.lemma_.lower() in SPEECH_VERBS for t in cue) or "according to" in a.cue_text.lower()
            a.person_speech = bool(person and speech)


def run_pipeline(texts: Path, work: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The per-document stages up to statements on `texts`; (documents, statements_raw, entities)."""
    params = load_params(None)
    interim = work / "interim"
    interim.mkdir(parents=True, exist_ok=True)
    f = lambda name: interim / f"{name}.parquet"  # noqa: E731
    ingest.run(texts, f("documents"), f("rejected"), params)
    sentences.run(f("documents"), f("sentences"), f("parsed"), params, work / "cache" / "sentences")
    entities.run(f("parsed"), f("entities"), f("tagged"), params, work / "cache" / "entities")
    statements.run(f("tagged"), f("statements_raw"), params, work / "cache" / "statements")
    return pd.read_parquet(f("documents")), pd.read_parquet(f("statements_raw")), pd.read_parquet(f("entities"))


def score(gold: dict[str, list[Attribution]], predicted: pd.DataFrame) -> tuple[dict, list[dict]]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in predicted.to_dict("records"):
        by_doc[row["doc_id"]].append(row)

    def matches(p: dict, a: Attribution) -> bool:
        if not overlaps([(p["content_start"], p["content_end"])], a.content):
            return False
        surname = str(p["speaker_name"]).split()[-1].lower() if p["speaker_name"] else ""
        return overlaps([(p["mention_start"], p["mention_end"])], a.source) or (
            bool(surname) and surname in a.source_text.lower()
        )

    found = {"all": 0, "person_speech": 0}
    total = {"all": 0, "person_speech": 0}
    right = {"all": 0, "person_speech": 0}
    made = {"all": 0, "person_speech": 0}
    errors = []
    for article, rows in gold.items():
        preds = by_doc.get(article, [])
        for a in rows:
            hit = any(matches(p, a) for p in preds)
            total["all"] += 1
            found["all"] += hit
            if a.person_speech:
                total["person_speech"] += 1
                found["person_speech"] += hit
                if not hit:
                    errors.append(
                        {
                            "error": "missed",
                            "doc": article,
                            "source": a.source_text,
                            "cue": a.cue_text,
                            "content_start": a.content[0][0],
                            "content_end": a.content[-1][1],
                        }
                    )
        for p in preds:
            hits = [a for a in rows if matches(p, a)]
            made["all"] += 1
            right["all"] += bool(hits)
            if not hits or any(a.person_speech for a in hits):
                made["person_speech"] += 1
                right["person_speech"] += bool(hits)
            if not hits:
                errors.append(
                    {
                        "error": "spurious",
                        "doc": article,
                        "speaker": p["speaker_name"],
                        "mention": p["mention"],
                        "cue": p["cue"],
                        "content": p["content"][:200],
                    }
                )
    metrics = {}
    for subset in ("all", "person_speech"):
        precision = right[subset] / made[subset] if made[subset] else 0.0
        recall = found[subset] / total[subset] if total[subset] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics[subset] = {
            "gold": total[subset],
            "predicted": made[subset],
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
        }
    return metrics, errors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "polnear")
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="scratch folder (default: a temporary one); "
        "a second run into the same folder reuses its per-document caches",
    )
    parser.add_argument("--errors", type=Path, default=None, help="write missed and spurious attributions here (JSONL)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    args = parser.parse_args(argv)
    split = args.polnear / args.split
    if not split.is_dir():
        raise SystemExit(f"no PolNeAR split at {split}")
    work = args.work or Path(tempfile.mkdtemp(prefix="polnear_"))
    texts = work / "texts"
    if texts.exists():
        shutil.rmtree(texts)
    texts.mkdir(parents=True)
    for path in sorted((split / "text").glob("*.txt"))[: args.limit]:
        shutil.copyfile(path, texts / path.name)
    documents, predicted, ents = run_pipeline(texts, work)
    gold = read_annotations(split)
    gold = {doc: gold.get(doc, []) for doc in documents["doc_id"]}
    for row in documents.to_dict("records"):  # offsets index the file's text: the stored text must be it
        original = (split / "text" / row["file"]).read_text(encoding="utf-8")
        if row["text"] != original:
            raise SystemExit(f"{row['file']}: ingest changed the text; PolNeAR's offsets would not point into it")
    people: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in ents[ents["label"] == "PERSON"].to_dict("records"):
        people[row["doc_id"]].append((row["start"], row["end"]))
    mark_person_speech(gold, people, spacy.load(load_params(None).nlp.model, disable=["parser", "ner"]))
    metrics, errors = score(gold, predicted)
    print(json.dumps({"split": args.split, "articles": len(gold), **metrics}, indent=2))
    if args.errors:
        args.errors.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors), encoding="utf-8")


if __name__ == "__main__":
    main()
