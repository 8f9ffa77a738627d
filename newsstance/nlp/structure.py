"""An article's structure on its Doc: its metadata, paragraph starts and sentence spans, found once.

The sentences stage finds them while it parses (headings, body end, sentence trimming) and sets
them on the Doc, whose DocBin carries them on through the entities and statements stages: the
statements stage reads them off the Doc it attributes, never a side table joined by row order.
"""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Doc

# Per sentence: (start, end, paragraph, is_heading, is_body); offsets into the Doc's text.
SENTENCE_FIELDS = ("start", "end", "paragraph", "is_heading", "is_body")

for _name in ("paragraph_starts", "sentence_spans"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


# What a Doc carries of its document's row (documents.parquet): the key, and the metadata every
# statement row repeats. The date is an ISO string (DocBin user data is msgpack) or None.
METADATA = ("doc_id", "date", "outlet", "url")


def set_metadata(doc: Doc, record: dict) -> None:
    """Put the document's id, date, outlet and url on the Doc (a date as ISO text)."""
    for key in METADATA:
        value = record.get(key)
        doc.user_data[key] = value.isoformat() if isinstance(value, dt.date) else value


def metadata_of(doc: Doc) -> dict:
    """The Doc's id, date (a datetime.date or None), outlet and url."""
    meta = {key: doc.user_data.get(key) for key in METADATA}
    meta["date"] = dt.date.fromisoformat(meta["date"]) if meta["date"] else None
    return meta


def set_structure(doc: Doc, paragraph_starts: list[int], sentence_rows: list[dict]) -> None:
    """Put the paragraphs and the sentences (rows of the sentences table) on the Doc."""
    doc._.paragraph_starts = list(paragraph_starts)
    doc._.sentence_spans = [[row[f] for f in SENTENCE_FIELDS] for row in sentence_rows]


def paragraph_starts_of(doc: Doc) -> list[int]:
    if doc._.paragraph_starts is None:
        raise ValueError(f"document {doc.user_data.get('doc_id')!r} was not parsed by the sentences stage")
    return list(doc._.paragraph_starts)  # a tuple once read back from a DocBin


def sentences_of(doc: Doc) -> list[dict]:
    """The Doc's sentences as dicts of SENTENCE_FIELDS, in text order."""
    if doc._.sentence_spans is None:
        raise ValueError(f"document {doc.user_data.get('doc_id')!r} was not parsed by the sentences stage")
    return [dict(zip(SENTENCE_FIELDS, values)) for values in doc._.sentence_spans]
