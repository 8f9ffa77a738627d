"""Property: whatever bytes the raw folder holds, ingest never raises and every file ends up in
exactly one of documents and rejected, in tables that fit their schema."""

import codecs
import tempfile
from pathlib import Path

from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsstance.config import load_params
from newsstance.schema import DOCUMENTS, REJECTED
from stages.ingest import ingest
from stages.io import to_arrow

PARAMS = load_params(ROOT / "params.yaml").ingest.model_copy(update={"max_bytes": 4000})

_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1"]
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
_SNIPPETS = st.sampled_from(
    [
        "<html><body><p>x</p></body></html>",
        "<!doctype html><script>",
        "\r\n",
        "\r",
        "\x00",
        "  \n",
        "Putin said “no”.",
        "\ufeff",
        "é",
        "\x93\x94",
    ]
)
_ENCODED_TEXT = st.builds(
    lambda parts, encoding: "".join(parts).encode(encoding, errors="replace"),
    st.lists(st.one_of(_TEXT, _SNIPPETS), max_size=6),
    st.sampled_from(_ENCODINGS),
)
_BOM_PREFIXED = st.builds(
    lambda bom, tail: bom + tail,
    st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]),
    st.binary(max_size=200),
)
_FILE = st.one_of(st.binary(max_size=5000), _ENCODED_TEXT, _BOM_PREFIXED)
_NAME = st.text(st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="/\\"), min_size=1, max_size=20)


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_NAME, _FILE, min_size=1, max_size=6))
def test_ingest_never_raises_and_accounts_for_every_file(files):
    with tempfile.TemporaryDirectory() as raw:
        names = set()
        for stem, data in files.items():
            path = Path(raw) / f"{stem}.txt"
            try:
                path.write_bytes(data)
            except OSError:  # a name the file system refuses (too long in bytes, ...)
                continue
            names.add(path.name)
        docs, rejected = ingest(Path(raw), PARAMS)
    to_arrow(docs, DOCUMENTS)
    to_arrow(rejected, REJECTED)
    assert set(docs["file"]).isdisjoint(rejected["file"])
    assert sorted(docs["file"].tolist() + rejected["file"].tolist()) == sorted(names)
    assert docs["file"].tolist() == sorted(docs["file"]) and rejected["file"].tolist() == sorted(rejected["file"])
    assert all(reason and "\n" not in reason for reason in rejected["reason"])
    assert (docs["n_chars"] == docs["text"].str.len()).all()
    assert ((0 <= docs["body_end"]) & (docs["body_end"] <= docs["n_chars"])).all()
