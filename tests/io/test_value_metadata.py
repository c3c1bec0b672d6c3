"""Automatic value metadata: row count, schema and a JSON-safe preview."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from assets_core.execution.metadata import json_safe, value_metadata


def dumps(meta: dict) -> str:
    return json.dumps(meta, allow_nan=False)


def test_plain_frame():
    df = pd.DataFrame({"id": [1, 2], "name": pd.array(["a", "b"], dtype="str")})
    meta = value_metadata(df)
    assert meta == {
        "row_count": 2,
        "schema": [{"name": "id", "type": "int64"}, {"name": "name", "type": "str"}],
        "preview": {"columns": ["id", "name"], "rows": [[1, "a"], [2, "b"]]},
    }


def test_odd_pandas_types_become_json_safe():
    df = pd.DataFrame(
        {
            "nullable": pd.array([1, None], dtype="Int64"),
            "float": [np.nan, np.inf],
            "ts": pd.to_datetime(["2024-01-01 12:30", None]).tz_localize("UTC"),
            "dec": [Decimal("1.50"), Decimal("NaN")],
            "cat": pd.Categorical(["x", "y"]),
            "bytes": [b"\x00\xff", b"ok"],
            "nested": [[1, np.nan], {"k": np.int64(3)}],
            "delta": pd.to_timedelta([1, None], unit="s"),
            "period": pd.period_range("2024-01", periods=2, freq="M"),
            "bool": np.array([True, False]),
            7: ["int column name", None],
        }
    )
    meta = value_metadata(df)
    dumps(meta)  # raises if anything is not JSON-safe
    rows = meta["preview"]["rows"]
    assert rows[0][:6] == [1, None, "2024-01-01T12:30:00+00:00", "1.50", "x", "0x00ff"]
    assert rows[1][:6] == [None, None, None, None, "y", "ok"]
    assert rows[0][6] == [1, None] and rows[1][6] == {"k": 3}
    assert rows[0][8] == "2024-01" and rows[0][9] is True
    assert meta["preview"]["columns"][-1] == "7"
    types = {c["name"]: c["type"] for c in meta["schema"]}
    assert types["ts"] == "datetime64[us, UTC]" and types["cat"] == "category"


def test_preview_is_five_rows_and_row_count_is_exact_for_big_frames():
    n = 2_000_000
    df = pd.DataFrame({"v": np.arange(n), "s": pd.array(["x"] * n, dtype="str")})
    meta = value_metadata(df)
    assert meta["row_count"] == n
    assert meta["preview"]["rows"] == [[i, "x"] for i in range(5)]


def test_wide_frames_preview_the_first_fifty_columns_but_describe_all():
    df = pd.DataFrame({f"c{i}": [i] for i in range(80)})
    meta = value_metadata(df)
    assert len(meta["schema"]) == 80
    assert len(meta["preview"]["columns"]) == 50 and len(meta["preview"]["rows"][0]) == 50


def test_multiindex_columns_and_empty_frames():
    df = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]))
    assert value_metadata(df)["preview"]["columns"] == ["a.x", "a.y"]
    empty = value_metadata(pd.DataFrame({"a": pd.Series([], dtype="float64")}))
    assert empty["row_count"] == 0 and empty["preview"]["rows"] == []
    no_columns = value_metadata(pd.DataFrame(index=range(3)))
    assert no_columns["preview"] == {"columns": [], "rows": [[], [], []]}


def test_arrow_tables():
    table = pa.table(
        {
            "a": [1, 2],
            "ts": pa.array([dt.datetime(2024, 1, 1), None]),
            "dec": pa.array([Decimal("1.2"), None]),
            "st": pa.array([{"x": 1.0}, None]),
            "f": [float("nan"), 2.0],
        }
    )
    meta = value_metadata(table)
    dumps(meta)
    assert meta["row_count"] == 2
    assert meta["schema"][2] == {"name": "dec", "type": "decimal128(2, 1)"}
    assert meta["preview"]["rows"] == [
        [1, "2024-01-01T00:00:00", "1.2", {"x": 1.0}, None],
        [2, None, None, None, 2.0],
    ]


def test_other_values():
    assert value_metadata({"a": 1}) == {"type": "dict", "length": 1}
    assert value_metadata([1, 2, 3]) == {"type": "list", "length": 3}
    assert value_metadata(3.5) == {"type": "float"}
    assert value_metadata(None) == {}


def test_json_safe_edge_cases():
    assert json_safe("x" * 500).endswith("…") and len(json_safe("x" * 500)) == 201
    assert json_safe(np.datetime64("NaT")) is None
    assert json_safe(np.datetime64("2024-01-02T03:04:05", "ns")) == "2024-01-02T03:04:05"
    assert json_safe(pd.NaT) is None and json_safe(pd.NA) is None
    assert json_safe(np.float32(1.5)) == 1.5
    assert json_safe(complex(1, 2)) == "(1+2j)"
    assert json_safe(dt.date(2024, 1, 1)) == "2024-01-01"
