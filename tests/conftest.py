"""Shared fixtures: the real spaCy model and the real encoder, loaded once per test session."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from newsstance.attribution.attributor import Attributor, extract_statements
from newsstance.config import load_params
from newsstance.nlp.entities import add_entity_ruler, find_entities
from newsstance.nlp.models import load_ner, load_spacy
from newsstance.nlp.sentences import split_sentences
from newsstance.text.articles import find_body_end, find_title

ROOT = Path(__file__).resolve().parent.parent

# The fitted heads `newsstance run` keeps for the machine: the tests' own, shared by the session
# (runs in subprocesses inherit it), never the user's cache.
os.environ["NEWSSTANCE_CACHE_DIR"] = tempfile.mkdtemp(prefix="newsstance-test-cache-")


@pytest.fixture(scope="session")
def params():
    return load_params(ROOT / "params.yaml")


@pytest.fixture(scope="session")
def parser_nlp(params):
    return load_spacy(params.nlp.model)


@pytest.fixture(scope="session")
def ner_nlp(params):
    nlp = load_ner(params.nlp.model)
    add_entity_ruler(nlp, params.roster, params.entities.patterns)
    return nlp


# The invented test texts are set in October 2025, when the roster's dated titles ("the US president")
# name Trump; a test of undated documents passes date=None.
SETTING = dt.date(2025, 10, 15)


def documents_frame(texts: dict[str, str], date: dt.date | None = SETTING) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "doc_id": d,
                "file": f"{d}.txt",
                "date": date,
                "date_source": None if date is None else "metadata",
                "outlet": None,
                "url": None,
                "title": find_title(t, 20),
                "headline": find_title(t, 20),
                "text": t,
                "sha256": "-",
                "n_chars": len(t),
                "body_end": find_body_end(t, []),
                "encoding": "utf-8",
                "notes": "",
                "is_english": True,
                "duplicate_of": None,
                "extra": None,
            }
            for d, t in texts.items()
        ]
    )


@pytest.fixture(scope="session")
def analyse(params, parser_nlp, ner_nlp):
    """Run sentences -> entities -> statements on in-memory texts, as the pipeline does."""

    def run(texts: dict[str, str] | str, roster=None, date: dt.date | None = SETTING):
        if isinstance(texts, str):
            texts = {"doc": texts}
        _, docs = split_sentences(documents_frame(texts, date), parser_nlp, params.sentences.heading_max_words)
        entities, docs = find_entities(docs, ner_nlp)  # through DocBins, as between stages
        attributor = Attributor(parser_nlp, roster or params.roster, params.statements)
        return extract_statements(docs, attributor)

    return run


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_pipeline(raw: Path, out: Path, cwd: Path) -> Path:
    """`newsstance run`, through the console script `pip install` made, from another folder."""
    command = Path(sys.executable).parent / "newsstance"
    subprocess.run([str(command), "run", str(raw), "--out", str(out)], cwd=cwd, check=True)
    return out


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory):
    """The whole pipeline on the seed articles."""
    return run_pipeline(ROOT / "data" / "raw", tmp_path_factory.mktemp("run") / "out", tmp_path_factory.mktemp("cwd"))


HOSTILE_NAME = "<img src=x onerror=alert(3)>.txt"


@pytest.fixture(scope="session")
def hostile_out(tmp_path_factory):
    """The whole pipeline on an article and a file name that carry markup, and an empty file."""
    raw = tmp_path_factory.mktemp("hostile")
    (raw / HOSTILE_NAME).write_text(
        "Putin said “<script>alert(1)</script> and <img src=x onerror=alert(2)> are fine.”\n", encoding="utf-8"
    )
    (raw / "empty.txt").write_text("")
    (raw / "latin.txt").write_bytes(b"Talks in the caf\xe9 were \x93useful\x94, officials said.\n")  # cp1252
    return run_pipeline(raw, raw.parent / "hostile-out", raw.parent)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: runs the whole pipeline several times (minutes); deselect with -m 'not slow'"
    )
