"""Parsed documents as bytes: one DocBin per document, or per piece of a long one.

The text is parsed once (sentences stage) and handed on, one DocBin per document in a Parquet
column, so the later stages add entities and read the parse without running the parser again.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import msgpack
import numpy
import srsly
from spacy.attrs import ORTH
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

PIECES = b"newsstance pieces\n"  # opens the bytes of a document kept in pieces


def doc_to_bytes(doc: Doc | Iterable[Doc]) -> bytes:
    """One document as a DocBin (with its user data: the doc_id); or, for the consecutive pieces of
    a long one (newsstance.nlp.pieces), which the sentences and entities stages never join, one DocBin per
    piece in a list: serialised a piece at a time, the pieces never need memory together."""
    if isinstance(doc, Doc):
        return DocBin(docs=[doc], store_user_data=True).to_bytes()
    return PIECES + msgpack.packb([DocBin(docs=[piece], store_user_data=True).to_bytes() for piece in doc])


def piece_count(data: bytes) -> int:
    return len(msgpack.unpackb(data[len(PIECES) :])) if data.startswith(PIECES) else 1


def doc_pieces(data: bytes, vocab: Vocab) -> Iterator[Doc]:
    """The pieces of a document `doc_to_bytes` wrote (one, unless it was long), one at a time."""
    for piece in msgpack.unpackb(data[len(PIECES) :]) if data.startswith(PIECES) else [data]:
        yield next(DocBin(store_user_data=True).from_bytes(piece).get_docs(vocab))


def doc_from_bytes(data: bytes, vocab: Vocab) -> Doc:
    """The document `doc_to_bytes` wrote, its pieces joined into one Doc over the whole text: built
    at once from the pieces' token arrays (heads are stored relative, so they join as they are),
    never holding the pieces' Docs beside it."""
    if not data.startswith(PIECES):
        return next(DocBin(store_user_data=True).from_bytes(data).get_docs(vocab))
    bins = [DocBin(store_user_data=True).from_bytes(piece) for piece in msgpack.unpackb(data[len(PIECES) :])]
    for pieces in bins:
        for string in pieces.strings:
            vocab[string]
    attrs = bins[0].attrs
    tokens = numpy.vstack([t for pieces in bins for t in pieces.tokens])
    spaces = numpy.concatenate([s for pieces in bins for s in pieces.spaces]).ravel().tolist()
    user_data = {}  # each piece's (the last carries the document's structure)
    for pieces in bins:
        user_data.update(srsly.msgpack_loads(pieces.user_data[0], use_list=False))
    del bins
    orth = attrs.index(ORTH)
    doc = Doc(vocab, words=[vocab.strings[o] for o in tokens[:, orth]], spaces=spaces).from_array(attrs, tokens)
    doc.user_data.update(user_data)
    return doc
