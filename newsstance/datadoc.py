"""docs/DATA.md, the data dictionary, generated from the schema module so the two cannot drift.

`python -m newsstance.datadoc > docs/DATA.md` regenerates it; a test fails when they differ.
"""

from __future__ import annotations

import pyarrow as pa

from newsstance.schema import ALL_TABLES, BINARY, BOOL, DATE, FLOAT, INT, STRING, Column


def _type_name(col: Column) -> str:
    if col.categories is not None:
        return "category (ordered: " + ", ".join(col.categories) + ")"
    if pa.types.is_dictionary(col.type):
        return "category"
    if pa.types.is_list(col.type):
        return "list of string"
    return {STRING: "string", INT: "int64", FLOAT: "float64", BOOL: "bool", BINARY: "binary", DATE: "date"}[col.type]


FILES = {  # where each table is written; the analyst-facing ones first
    "statements": "data/processed/statements.parquet",
    "stances": "data/processed/stances.parquet",
    "speakers": "data/processed/speakers.parquet",
    "periods": "data/processed/periods.parquet",
    "quotes": "data/processed/quotes.parquet",
    "rejected": "data/processed/rejected.parquet (and data/interim/<corpus>/rejected.parquet, ingest's)",
    "rejected_documents": "data/interim/<corpus>/rejected_<stage>.parquet (sentences, entities, statements, classify)",
    "documents": "data/interim/<corpus>/documents.parquet",
    "sentences": "data/interim/<corpus>/sentences.parquet",
    "parsed": "data/interim/<corpus>/parsed.parquet",
    "entities": "data/interim/<corpus>/entities.parquet",
    "tagged": "data/interim/<corpus>/tagged.parquet",
    "statements_raw": "data/interim/<corpus>/statements_raw.parquet",
    "sentiment_scores": "data/interim/<corpus>/sentiment_scores.parquet",
    "stance_scores": "data/interim/<corpus>/stance_scores.parquet",
}

_PREAMBLE = """\
# Data dictionary

Generated from `newsstance/schema.py` by `python -m newsstance.datadoc > docs/DATA.md`; a test fails when
the two differ. Every table is written through that schema and validated on write.

Types as pandas reads them: `string` is pandas' `str` dtype (pandas 2: an object column holding
only `str`; None where the column is nullable), `category` a categorical (Arrow dictionary; polars: Categorical, duckdb:
VARCHAR). Closed sets (labels, kinds, mention types) are ordered categoricals that list every value,
used or not. `date` is an object column of `datetime.date` (None where unknown; `pd.to_datetime`
makes it datetime64), `list of string` an object column of arrays of `str`. Offsets are character
positions in `documents.text`.

Every table of documents, sentences, entities, statements and stances carries the document's `date`,
`outlet` and `url`; `quotes` and `periods` aggregate over them.

## Reading the tables

```python
import pandas as pd

statements = pd.read_parquet("data/processed/statements.parquet")
stances = pd.read_parquet("data/processed/stances.parquet")
table = statements.merge(stances[["statement_id", "target", "stance"]], on="statement_id")
print(table[table.speaker == "peskov"][["doc_id", "kind", "content", "sentiment", "stance"]])
```

## Metadata in every file

Key-value metadata of the Parquet schema (`pyarrow.parquet.read_schema(path).metadata`):

| key | value |
| --- | --- |
| `newsstance.pipeline_version` | version of the pipeline that wrote the file |
| `newsstance.stage` | the stage that wrote it |
| `newsstance.params_sections` | JSON list: the params.yaml sections that stage reads |
| `newsstance.params_digest` | sha256 of those sections' values |
| `newsstance.lineage` | JSON object: stage -> params digest, for this stage and every stage upstream; equal lineage means equal settings |
| `newsstance.models` | JSON object: role (spacy, encoder, sentiment_head, ...) -> model id with its version or sha256 |
"""


def data_dictionary() -> str:
    """docs/DATA.md: every table, column, type and meaning."""
    tables = {t.name: t for t in ALL_TABLES}
    assert set(FILES) == set(tables), "every table needs its file in FILES"
    parts = [_PREAMBLE]
    for table in (tables[name] for name in FILES):
        parts.append(f"\n## `{table.name}`\n\n{table.doc} File: `{FILES[table.name]}`.\n\n")
        parts.append("| column | type | null | meaning |\n| --- | --- | --- | --- |\n")
        for col in table.columns:
            meaning = col.doc.replace("|", "\\|")
            parts.append(f"| `{col.name}` | {_type_name(col)} | {'yes' if col.nullable else 'no'} | {meaning} |\n")
    return "".join(parts)


if __name__ == "__main__":
    print(data_dictionary(), end="")
