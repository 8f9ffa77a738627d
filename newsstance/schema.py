"""Every table the pipeline writes: column names, Arrow types and what each column means.

Stages build pandas frames and hand them to `stages.io.write_table` with one of these schemas; the
write casts and validates, so a missing column or a wrong dtype fails at the stage that caused it.
Tests import the same objects, so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

STRING = pa.string()
CATEGORY = pa.dictionary(pa.int32(), pa.string())  # an open set (speakers, targets): sorted values
LABEL = pa.dictionary(pa.int32(), pa.string(), ordered=True)  # a closed set, in its declared order
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
BINARY = pa.binary()
DATE = pa.date32()

SENTIMENT_LABELS = ("negative", "neutral", "positive")
STANCE_LABELS = ("against", "neutral", "favor")
KINDS = ("direct", "indirect", "mixed")
MENTION_TYPES = ("name", "surname", "title", "pronoun", "possessive", "continuation")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    doc: str
    nullable: bool = False
    categories: tuple[str, ...] | None = None  # the closed set of a LABEL column, in order


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def arrow(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type, nullable=c.nullable, metadata={"doc": c.doc}) for c in self.columns],
            metadata={"table": self.name},
        )


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


def _label(name: str, categories: tuple[str, ...], doc: str) -> tuple:
    return (name, LABEL, doc, False, categories)


DATE_SOURCES = ("metadata", "text")
# The document's metadata, repeated on every row that belongs to one document.
_METADATA = _cols(
    (
        "date",
        DATE,
        "Publication date: from the metadata (metadata.csv or the corpus file's date column), else read off a "
        "date line or dateline at the top of the text (documents.date_source says which); null when unknown.",
        True,
    ),
    ("outlet", STRING, "The outlet that published the document, from the metadata; null when not given.", True),
    ("url", STRING, "The document's address, from the metadata; null when not given.", True),
)


DOCUMENTS = Table(
    "documents",
    "One row per accepted input file, sorted by file name.",
    _cols(
        (
            "doc_id",
            STRING,
            "The key of the document everywhere downstream: a text file's stem, or a corpus row's id column "
            "(its file's stem and row number when it has none); a repeated id gets ~2, ~3, ... (see notes).",
        ),
        ("file", STRING, "The input file: a text file, or the corpus file (.jsonl, .csv, .parquet) holding the row."),
    )
    + _METADATA[:1]
    + _cols(
        (
            "date_source",
            LABEL,
            "metadata | text: where the date came from (text: inferred from a date line or dateline); null "
            "without a date.",
            True,
            DATE_SOURCES,
        ),
    )
    + _METADATA[1:]
    + _cols(
        ("title", STRING, "The metadata's title, else the headline.", True),
        ("headline", STRING, "The text's first line when it reads as a headline (never attributed).", True),
        (
            "text",
            STRING,
            "The stored text, into which every offset points: the decoded file, with a "
            "byte-order mark removed, line ends as LF and an HTML page reduced to its text (see notes).",
        ),
        ("sha256", STRING, "SHA-256 of the raw file bytes (of a corpus row: of its text, as UTF-8)."),
        ("n_chars", INT, "Length of text in characters."),
        ("body_end", INT, "Offset where trailing page boilerplate starts (= n_chars when none)."),
        (
            "encoding",
            STRING,
            "Codec the bytes were decoded with: utf-8, utf-16-le, utf-16-be, utf-32-le, "
            "utf-32-be, or cp1252 (bytes not valid UTF-8; its undefined bytes read as latin-1).",
        ),
        (
            "notes",
            STRING,
            'What was changed or guessed to get the text, "; "-separated, empty when '
            'nothing; any of: "byte-order mark removed", "not valid UTF-8: decoded as cp1252", '
            '"line ends normalised to LF", "HTML page: text extracted from the markup".',
        ),
        (
            "is_english",
            BOOL,
            "False when under ingest.min_english_share of the words are common English "
            "function words; texts under 20 words count as English.",
        ),
        (
            "duplicate_of",
            STRING,
            "doc_id of the first file (by name) with the same text, when this one repeats it; null otherwise.",
            True,
        ),
        (
            "extra",
            STRING,
            "The metadata's other columns, as a JSON object with sorted keys; null when there are none.",
            True,
        ),
    ),
)

REJECTED = Table(
    "rejected",
    "One row per input that was not processed (a file, a corpus row, a metadata row), with the reason; sorted by "
    "file name.",
    _cols(
        ("file", STRING, "The input file: a text file, a corpus file (the reason names the row), or metadata.csv."),
        (
            "stage",
            STRING,
            "The stage that rejected it: ingest (empty, binary, too large, undecodable, "
            "HTML without text, unreadable), or sentences, entities, statements or classify (an error "
            "while processing the document).",
        ),
        ("reason", STRING, "Why it was rejected, in one line."),
    ),
)

REJECTED_DOCUMENTS = Table(
    "rejected_documents",
    "Interim, one per per-document stage: the documents that stage failed on, in document order. "
    "They go no further; the table stage lists them in rejected.parquet by file name.",
    _cols(
        ("doc_id", STRING, "The document."),
        ("stage", STRING, "The stage that failed on it."),
        ("reason", STRING, "The error: its type and message, in one line."),
    ),
)

SENTENCES = Table(
    "sentences",
    "One row per sentence of every document, in reading order.",
    _cols(("doc_id", STRING, "Document key."))
    + _METADATA
    + _cols(
        ("sent_index", INT, "Position of the sentence in its document, from 0."),
        ("paragraph", INT, "Paragraph index in the document, from 0."),
        ("start", INT, "Offset of the first character in the document text."),
        ("end", INT, "Offset one past the last character."),
        ("text", STRING, "The sentence, text[start:end]."),
        ("is_heading", BOOL, "A headline or section heading: never attributed."),
        ("is_body", BOOL, "False for trailing page boilerplate: never attributed."),
    ),
)

ENTITIES = Table(
    "entities",
    "Named entities, with people linked to the roster.",
    _cols(("doc_id", STRING, "Document key."))
    + _METADATA
    + _cols(
        ("start", INT, "Offset of the entity in the document text."),
        ("end", INT, "Offset one past the entity."),
        ("text", STRING, "The entity as written."),
        ("label", CATEGORY, "spaCy entity label (PERSON, ORG, GPE, ...)."),
        ("speaker", CATEGORY, "Roster id when the entity names a roster speaker.", True),
    ),
)

PARSED = Table(
    "parsed",
    "The parse of every document (tokens, tags, dependencies, sentences) as a one-doc spaCy DocBin, "
    "so later stages read it without parsing again.",
    _cols(
        ("doc_id", STRING, "Document key."),
        (
            "doc",
            BINARY,
            "spaCy DocBin bytes of the document (load with DocBin().from_bytes); a document over "
            "nlp.piece_chars is kept in pieces: newsstance.nlp.docbin.doc_from_bytes loads either.",
        ),
    ),
)

TAGGED = Table(
    "tagged",
    "The parsed documents with their named entities (roster speakers linked), as one-doc DocBins.",
    PARSED.columns,
)

_STATEMENT_CORE = (
    _cols(
        (
            "statement_id",
            STRING,
            "Stable id: doc_id:content_start:content_end (a joint statement's second and later speakers add :speaker).",
        ),
        ("doc_id", STRING, "Document key."),
    )
    + _METADATA
    + _cols(
        ("speaker", CATEGORY, "Roster id, or a slug of the name for speakers outside the roster."),
        ("speaker_name", STRING, "Display name of the speaker."),
        ("in_roster", BOOL, "True when the speaker is in the roster of params.yaml."),
        ("mention", STRING, 'How the speaker is named at this place ("Mr Putin", "he", ...).'),
        ("mention_start", INT, "Offset of the mention in the document text."),
        ("mention_end", INT, "Offset one past the mention."),
        _label("mention_type", MENTION_TYPES, "name | surname | title | pronoun | possessive | continuation."),
        _label("kind", KINDS, "direct | indirect | mixed."),
        ("cue", STRING, 'Reporting expression as written ("warned", "according to"), empty for continuations.'),
        ("cue_start", INT, "Offset of the cue in the document text."),
        ("cue_end", INT, "Offset one past the cue."),
        ("content", STRING, "What was said: the quote or the reported clause."),
        ("content_start", INT, "Offset of content in the document text."),
        ("content_end", INT, "Offset one past content."),
        ("sentence", STRING, "The sentence span that holds the statement (one or more sentences)."),
        ("start", INT, "Offset of the sentence span in the document text."),
        ("end", INT, "Offset one past the sentence span."),
    )
)

STATEMENTS_RAW = Table("statements_raw", "Attributed statements before classification.", _STATEMENT_CORE)

SENTIMENT_SCORES = Table(
    "sentiment_scores",
    "Sentiment of every statement.",
    _cols(
        ("statement_id", STRING, "Statement key."),
        _label("sentiment", SENTIMENT_LABELS, "negative | neutral | positive (argmax)."),
        ("sentiment_score", FLOAT, "P(positive) - P(negative), in [-1, 1]."),
        ("p_negative", FLOAT, "Probability of negative."),
        ("p_neutral", FLOAT, "Probability of neutral."),
        ("p_positive", FLOAT, "Probability of positive."),
        ("sentiment_low_margin", BOOL, "Top two probabilities closer than classify.low_margin."),
    ),
)

_STANCE_COLUMNS = _cols(
    ("target", CATEGORY, "Stance target id from params.yaml."),
    ("target_text", STRING, "The proposition the stance is about."),
    _label("stance", STANCE_LABELS, "against | neutral | favor (argmax)."),
    ("stance_score", FLOAT, "P(favor) - P(against), in [-1, 1]."),
    ("p_against", FLOAT, "Probability of against."),
    ("p_neutral", FLOAT, "Probability of neutral or unrelated."),
    ("p_favor", FLOAT, "Probability of favor."),
    ("stance_low_margin", BOOL, "Top two probabilities closer than classify.low_margin."),
)

STANCE_SCORES = Table(
    "stance_scores",
    "Stance of every statement toward every target.",
    (Column("statement_id", STRING, "Statement key."),) + _STANCE_COLUMNS,
)

_QUOTE_ID = Column(
    "quote_id",
    STRING,
    "The quote this statement repeats: statements of one speaker with near-identical content (wire copy "
    "reprinted by several outlets) share it. It is the statement_id of the quote's first occurrence (by date, "
    "then doc_id); per-speaker figures count each quote once (quotes.parquet lists them).",
)

STATEMENTS = Table(
    "statements",
    "One row per attributed statement, with its sentiment.",
    _STATEMENT_CORE[:1] + (_QUOTE_ID,) + _STATEMENT_CORE[1:] + SENTIMENT_SCORES.columns[1:],
)

STANCES = Table(
    "stances",
    "One row per statement and stance target.",
    _cols(("statement_id", STRING, "Statement key."))
    + (_QUOTE_ID,)
    + _cols(("doc_id", STRING, "Document key."))
    + _METADATA
    + _cols(("speaker", CATEGORY, "Speaker id (as in statements)."))
    + _STANCE_COLUMNS,
)


def _share_columns(prefix: str, labels: tuple[str, ...], what: str) -> tuple:
    return tuple(
        column
        for label in labels
        for column in (
            (
                f"{prefix}{label}",
                FLOAT,
                f"Share of the speaker's statements whose {what} is {label}, corrected (see correction).",
                True,
            ),
            (f"{prefix}{label}_low", FLOAT, "Lower bound of its interval.", True),
            (f"{prefix}{label}_high", FLOAT, "Upper bound of its interval.", True),
        )
    )


_FIGURES_HEAD = _cols(
    ("speaker", CATEGORY, "Roster id."),
    ("speaker_name", STRING, "Display name."),
    ("target", CATEGORY, "Stance target id."),
)

SPEAKERS = Table(
    "speakers",
    "One row per roster speaker and stance target: how much they said and how. Shares and means count each "
    "distinct quote once (a quote reprinted by several outlets weighs as one; its probabilities are the mean of "
    "its occurrences') and are corrected for the classifier's error and prior shift, with intervals at "
    "table.confidence (the correction column says how).",
    _FIGURES_HEAD
    + _cols(
        ("n_statements", INT, "Statements attributed to the speaker (every occurrence of a reprinted quote)."),
        ("n_quotes", INT, "Distinct quotes among them (quote_id): what the shares and means count."),
        ("n_documents", INT, "Documents with at least one of those statements."),
        (
            "mean_sentiment",
            FLOAT,
            "Corrected share positive - share negative, in [-1, 1] (NaN without statements).",
            True,
        ),
        ("mean_sentiment_low", FLOAT, "Lower bound of its interval.", True),
        ("mean_sentiment_high", FLOAT, "Upper bound of its interval.", True),
        *_share_columns("sentiment_", SENTIMENT_LABELS, "sentiment"),
        *_share_columns("share_", ("favor", "neutral", "against"), "stance toward the target"),
        ("net_stance", FLOAT, "Corrected share favor - share against, in [-1, 1].", True),
        ("net_stance_low", FLOAT, "Lower bound of its interval.", True),
        ("net_stance_high", FLOAT, "Upper bound of its interval.", True),
        ("uncertain", BOOL, "Fewer distinct quotes than report.min_statements: read with care."),
        ("correction", STRING, "How the shares, means and intervals were corrected, in one line."),
    ),
)

PERIODS = Table(
    "periods",
    "speakers.parquet per week or month (table.period): one row per roster speaker, stance target and period "
    "with dated statements, with the same figures; statements without a date are left out.",
    SPEAKERS.columns[:3]
    + _cols(
        ("period", STRING, 'The period: "2025-10" (a month) or "2025-W42" (an ISO week).'),
        ("period_start", DATE, "Its first day."),
    )
    + SPEAKERS.columns[3:],
)

QUOTES = Table(
    "quotes",
    "One row per distinct quote (quote_id): who said it, how often and where it was carried, and its sentiment "
    "(the mean of its occurrences' probabilities). Sorted by speaker, then first date.",
    (_QUOTE_ID,)
    + _cols(
        ("speaker", CATEGORY, "Speaker id (as in statements)."),
        ("speaker_name", STRING, "Display name."),
        ("in_roster", BOOL, "True when the speaker is in the roster."),
        ("content", STRING, "The quote as its first occurrence gives it."),
        ("occurrences", INT, "Statements that repeat it, the first included."),
        ("n_documents", INT, "Documents that carry it."),
        ("n_outlets", INT, "Distinct outlets that carried it (documents without an outlet are not counted)."),
        ("outlets", pa.list_(STRING), "Those outlets, sorted."),
        ("first_date", DATE, "Earliest date of a document that carries it (null when none is dated).", True),
        ("last_date", DATE, "Latest such date.", True),
        _label("sentiment", SENTIMENT_LABELS, "negative | neutral | positive (argmax of the mean probabilities)."),
        ("sentiment_score", FLOAT, "P(positive) - P(negative), of the mean probabilities."),
        ("p_negative", FLOAT, "Mean probability of negative over its occurrences."),
        ("p_neutral", FLOAT, "Mean probability of neutral."),
        ("p_positive", FLOAT, "Mean probability of positive."),
    ),
)

ALL_TABLES = (
    DOCUMENTS,
    REJECTED,
    REJECTED_DOCUMENTS,
    SENTENCES,
    PARSED,
    ENTITIES,
    TAGGED,
    STATEMENTS_RAW,
    SENTIMENT_SCORES,
    STANCE_SCORES,
    STATEMENTS,
    STANCES,
    SPEAKERS,
    PERIODS,
    QUOTES,
)
