"""Article text from a file's bytes: decoding, HTML, the headline and where the body ends.

The stored text is what every offset downstream points into. It is the decoded file with only these
changes, each recorded in `notes`: a byte-order mark is dropped, CRLF and CR line ends become LF
(paragraphs are split on LF), and an HTML page is reduced to its text. Trailing page boilerplate
("* indicates required fields", a References line) is not deleted, only marked by `body_end`. A file
that cannot be made into usable text raises `Rejected`, with a one-line reason.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import logging
import re
from html.parser import HTMLParser
from typing import Iterable

import pandas as pd

from newsstance.config import IngestParams
from newsstance.schema import DOCUMENTS, REJECTED
from newsstance.text.dates import date_in_text, parse_date, parse_month
from newsstance.text.sources import Source

_FINAL_STOP = re.compile(r"[.!?;:]['\"”’)]*$")

# UTF-32 first: its little-endian mark starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Common English function words. Their share among the words of English news is 0.33-0.42 on our
# corpora, and below 0.12 in French, German, Spanish or Russian news.
_ENGLISH_WORDS = frozenset(
    "a about after also an and are as at be been but by can could do for from had has have he her his i "
    "if in into is it its more no not of on or our out said she so than that the their them there they "
    "this to up us was we were what which who will with would you".split()
)
_MIN_WORDS_FOR_LANGUAGE = 20  # fewer words say too little about the language: counted as English
_WORD = re.compile(r"[^\W\d_]+")

_HTML_PAGE = re.compile(r"<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_SKIPPED_ELEMENTS = {"script", "style", "noscript", "template", "head"}
_BLOCK_ELEMENTS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}

log = logging.getLogger("newsstance")


class Rejected(ValueError):
    """A file that cannot be made into usable text; the message is the reason, in one line."""


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes) of raw bytes; raise Rejected when they are not text.

    The rule is simple and deterministic rather than a statistical guess: a byte-order mark names its
    codec; otherwise valid UTF-8 is UTF-8, and anything else is read as cp1252, the usual encoding of
    legacy Windows text (curly quotes as 0x93/0x94), with the five bytes cp1252 leaves undefined read as
    latin-1, as browsers do. NUL is checked after the byte-order mark because UTF-16 is full of NUL bytes.
    """
    if not data:
        raise Rejected("empty file")
    notes = []
    bom, codec = next(((b, c) for b, c in _BOMS if data.startswith(b)), (b"", None))
    if bom:
        data = data[len(bom) :]
        notes.append("byte-order mark removed")
    if codec and codec != "utf-8":
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise Rejected(f"not valid {codec.upper()} despite its byte-order mark (byte {exc.start})") from None
    else:
        try:
            text, codec = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, codec = _cp1252(data), "cp1252"
            notes.append("not valid UTF-8: decoded as cp1252")
    if "\x00" in text:
        raise Rejected("binary file (contains NUL bytes)")
    if not text.strip():
        raise Rejected("empty file (whitespace only)")
    return text, codec, notes


def _cp1252(data: bytes) -> str:
    """cp1252, with the bytes it leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) read as latin-1."""
    text = data.decode("cp1252", errors="surrogateescape")
    return re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xDC00), text)


class _TextExtractor(HTMLParser):
    """The visible text of an HTML page: one line per block element, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":
            self.skipping.clear()  # <body> ends an unclosed <head>, as in a browser
        elif tag in _SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        if tag in _BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            del self.skipping[self.skipping.index(tag) :]  # with whatever was left open inside it
        if tag in _BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))  # in HTML a line break in text is a space


def html_text(page: str) -> str:
    """The text of an HTML page, one paragraph per line as in our scraped articles ("" when none)."""
    parser = _TextExtractor()
    parser.feed(page)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def is_html(text: str) -> bool:
    """An HTML page saved as .txt: it opens with a tag and has an <html>, <head> or <body> element.

    A plain article that quotes markup ("<script> tags ...") is not one; it keeps its text as written.
    """
    return text.lstrip().startswith("<") and _HTML_PAGE.search(text) is not None


def to_text(data: bytes | str) -> tuple[str, str, list[str]]:
    """(stored text, encoding, notes) of a file's bytes, or of a corpus row's text (read as UTF-8);
    raise Rejected with the reason."""
    if isinstance(data, str):
        text, encoding, notes = data, "utf-8", []
        if "\x00" in text:
            raise Rejected("binary text (contains NUL characters)")
        if not text.strip():
            raise Rejected("empty text")
    else:
        text, encoding, notes = decode(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("line ends normalised to LF")
    if is_html(text):
        text = html_text(text)
        if not text:
            raise Rejected("HTML page with no text (once tags, scripts and styles are removed)")
        notes.append("HTML page: text extracted from the markup")
    return text, encoding, notes


def english_share(text: str) -> float | None:
    """Share of common English function words among the words; None when too short to tell."""
    words = _WORD.findall(text.lower())
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return None
    return sum(w in _ENGLISH_WORDS for w in words) / len(words)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        spans.append((pos, pos + len(stripped)))
        pos += len(line)
    return spans


def find_title(text: str, max_words: int) -> str | None:
    """The first non-blank line, when it reads as a headline: short and without a final stop."""
    for start, end in _lines(text):
        line = text[start:end].strip()
        if not line:
            continue
        if len(line.split()) <= max_words and not _FINAL_STOP.search(line):
            return line
        return None
    return None


def find_body_end(text: str, boilerplate: list[re.Pattern]) -> int:
    """Offset where the run of trailing boilerplate lines starts (len(text) when there is none)."""
    body_end = len(text)
    for start, end in reversed(_lines(text)):
        line = text[start:end].strip()
        if not line:
            continue
        if any(p.search(line) for p in boilerplate):
            body_end = start
            continue
        break
    return body_end


def articles(sources: Iterable[Source], params: IngestParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, rejected) from the sources (newsstance.text.sources), in their order. A file whose
    text an earlier one had is kept, marked `duplicate_of`; a repeated doc_id gets a suffix (~2, ...)."""
    patterns = [re.compile(p, re.IGNORECASE) for p in params.boilerplate]
    docs, rejected, first_with_text, taken = [], [], {}, set()
    for source in sources:
        where = source.file if source.row is None else f"{source.file} row {source.row} ({source.doc_id})"
        try:
            if source.problem is not None:
                raise Rejected(source.problem)
            data = source.read()
            text, encoding, notes = to_text(data)
        except Rejected as exc:
            log.warning("rejected %s: %s", where, exc)
            reason = str(exc) if source.row is None else f"row {source.row} ({source.doc_id}): {exc}"
            rejected.append({"file": source.file, "stage": "ingest", "reason": reason})
            continue
        doc_id = unique_id(source.doc_id, taken)
        if doc_id != source.doc_id:
            notes.append(f"id {source.doc_id!r} taken by an earlier input: renamed {doc_id!r}")
            log.warning("%s: id %r taken by an earlier input, renamed %r", where, source.doc_id, doc_id)
        text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        duplicate_of = first_with_text.setdefault(text_hash, doc_id)
        share = english_share(text)
        headline = find_title(text, params.headline_max_words)
        date, date_source, date_note = document_date(source.metadata.get("date"), text, params)
        if date_note:
            notes.append(date_note)
            log.warning("%s: %s", where, date_note)
        docs.append(
            {
                "doc_id": doc_id,
                "file": source.file,
                "date": date,
                "date_source": date_source,
                "outlet": _text_or_none(source.metadata.get("outlet")),
                "url": _text_or_none(source.metadata.get("url")),
                "title": _text_or_none(source.metadata.get("title")) or headline,
                "headline": headline,
                "text": text,
                "sha256": hashlib.sha256(data if isinstance(data, bytes) else data.encode("utf-8")).hexdigest(),
                "n_chars": len(text),
                "body_end": find_body_end(text, patterns),
                "encoding": encoding,
                "notes": "; ".join(notes),
                "is_english": share is None or share >= params.min_english_share,
                "duplicate_of": duplicate_of if duplicate_of != doc_id else None,
                "extra": source.metadata.get("extra"),
            }
        )
    return pd.DataFrame(docs, columns=DOCUMENTS.names), pd.DataFrame(rejected, columns=REJECTED.names)


def unique_id(doc_id: str, taken: set[str]) -> str:
    """doc_id, or doc_id~2, ~3, ... when an earlier input has it; recorded in `taken`."""
    candidate, n = doc_id, 1
    while candidate in taken:
        n += 1
        candidate = f"{doc_id}~{n}"
    taken.add(candidate)
    return candidate


def document_date(value, text: str, params: IngestParams) -> tuple[dt.date | None, str | None, str | None]:
    """(date, where it came from, a note on what went wrong): the metadata's date (a month alone
    gives its first day); without one, or when it is not a date, the date line or dateline at the top
    of the text."""
    note = None
    if value is not None:
        try:
            if isinstance(value, dt.datetime):
                return value.date(), "metadata", None
            if isinstance(value, dt.date):
                return value, "metadata", None
            return parse_date(str(value), params.dayfirst), "metadata", None
        except ValueError as exc:
            note = f"metadata date not used: {exc}"
        try:
            month = parse_month(str(value))
            return month, "metadata", f"metadata date {value!r} gives the month only: dated to its first day"
        except ValueError:
            pass
    found = date_in_text(text, params.date_chars)
    if found is not None:
        return found, "text", note and f"{note}; date read from the text"
    return None, None, note


def _text_or_none(value) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()
