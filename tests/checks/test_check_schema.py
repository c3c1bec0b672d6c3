"""schema(): logical dtypes matched across pandas 2 and 3 dtypes and Arrow types, and
exact dtype names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from assets_core.checks import CheckContext, CheckEvaluation, run_check, schema
from assets_core.keys import AssetKey

NOW = datetime(2024, 6, 1, tzinfo=UTC)
D1, D2 = date(2024, 1, 1), date(2024, 1, 2)
T1 = datetime(2024, 1, 1, 12, 30)


def check(value: Any, dtype: str) -> CheckEvaluation:
    """Check column ``c`` of ``value`` against ``dtype``."""
    frame = value if isinstance(value, pa.Table) else pd.DataFrame({"c": value})
    return run_check(schema("t", {"c": dtype}), frame, CheckContext(AssetKey(("t",)), now=NOW))


def series(values: list[Any], dtype: Any) -> pd.Series:
    return pd.Series(values, dtype=dtype)


def arrow(values: list[Any], dtype: pa.DataType) -> pa.Table:
    return pa.table({"c": pa.array(values, dtype)})


PANDAS = {
    "int": [
        series([1, 2], "int64"),
        series([1, 2], "int32"),
        series([1, 2], "uint8"),
        series([1, None], "Int64"),
        series([1, None], pd.ArrowDtype(pa.int32())),
    ],
    "float": [
        series([1.5, None], "float64"),
        series([1.5], "float32"),
        series([1.5, None], "Float64"),
        series([1.5, None], pd.ArrowDtype(pa.float64())),
    ],
    "str": [
        series(["a", None], object),  # pandas 2's default
        series(["a", None], "str"),  # pandas 3's default
        series(["a", None], pd.StringDtype("python")),
        series(["a", None], pd.StringDtype("pyarrow")),
        series(["a", None], pd.ArrowDtype(pa.string())),
        series(["a", None], pd.ArrowDtype(pa.large_string())),
        series(["a", "b"], "category"),
    ],
    "bool": [
        series([True, False], bool),
        series([True, None], "boolean"),
        series([True, None], pd.ArrowDtype(pa.bool_())),
    ],
    "datetime": [
        series([T1], "datetime64[ns]"),
        series([T1], "datetime64[us]"),
        series([T1], "datetime64[ns, UTC]"),
        series([T1], pd.ArrowDtype(pa.timestamp("us", tz="UTC"))),
    ],
    "date": [
        series([D1, None], object),
        series([D1, None], pd.ArrowDtype(pa.date32())),
    ],
}

ARROW = {
    "int": [arrow([1], pa.int8()), arrow([1], pa.uint64()), arrow([1, None], pa.int64())],
    "float": [arrow([1.5], pa.float32()), arrow([1.5], pa.float64())],
    "str": [
        arrow(["a"], pa.string()),
        arrow(["a"], pa.large_string()),
        arrow(["a"], pa.string_view()),
        pa.table({"c": pa.array(["a", "b", "a"]).dictionary_encode()}),
    ],
    "bool": [arrow([True], pa.bool_())],
    "datetime": [arrow([T1], pa.timestamp("us")), arrow([T1], pa.timestamp("ns", tz="UTC"))],
    "date": [arrow([D1], pa.date32()), arrow([D1], pa.date64())],
}

CASES = [
    (logical, value, other)
    for table in (PANDAS, ARROW)
    for logical, values in table.items()
    for value in values
    for other in table
]


@pytest.mark.parametrize(
    ("logical", "value", "expected"),
    CASES,
    ids=[f"{'arrow' if isinstance(v, pa.Table) else v.dtype}-is-{lg}-vs-{o}" for lg, v, o in CASES],
)
def test_logical_dtypes_match_exactly_their_own_kind(
    logical: str, value: Any, expected: str
) -> None:
    ev = check(value, expected)
    assert ev.passed is (logical == expected), ev.description


def test_object_columns_match_by_content() -> None:
    mixed = series([1, "a"], object)
    ints = series([1, 2], object)
    empty = series([None, None], object)
    assert not check(mixed, "str").passed
    assert not check(mixed, "int").passed
    assert check(ints, "int").passed
    assert check(empty, "str").passed and check(empty, "date").passed
    ev = check(mixed, "str")
    assert ev.metadata["mismatches"] == [
        {
            "column": "c",
            "expected": "str",
            "actual": "object",
            "problem": "is object (no logical type), expected str",
        }
    ]


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (series([1], "int32"), "int32"),
        (series([1], "Int64"), "Int64"),
        (series([T1], "datetime64[ns, UTC]"), "datetime64[ns, UTC]"),
        (series(["a"], pd.StringDtype("pyarrow")), "string[pyarrow]"),
        (series(["a"], pd.StringDtype("python")), "string[python]"),
        (series(["a"], "str"), "str"),
        (series(["a"], "category"), "category"),
        (series([1], pd.ArrowDtype(pa.int32())), "int32[pyarrow]"),
        (arrow([1.5], pa.float64()), "double"),
        (arrow([1.5], pa.float64()), "float64"),
        (arrow(["a"], pa.large_string()), "large_string"),
        (arrow([T1], pa.timestamp("us", tz="UTC")), "timestamp[us, tz=UTC]"),
        (arrow([D1], pa.date32()), "date32[day]"),
    ],
)
def test_exact_dtype_names_match(value: Any, name: str) -> None:
    assert check(value, name).passed


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (series([1], "int32"), "int64"),
        (series([1], "int64"), "Int64"),
        (series([T1], "datetime64[ns]"), "datetime64[ns, UTC]"),
        (series(["a"], "str"), "string[python]"),
        (arrow(["a"], pa.string()), "large_string"),
        (arrow([T1], pa.timestamp("ns")), "timestamp[us]"),
    ],
)
def test_exact_dtype_names_do_not_match_other_dtypes(value: Any, name: str) -> None:
    ev = check(value, name)
    actual = value.schema.field("c").type if isinstance(value, pa.Table) else value.dtype
    assert not ev.passed
    assert ev.metadata["mismatches"][0]["problem"] == f"is {actual}, expected {name}"


def test_mismatches_are_listed_with_missing_columns() -> None:
    frame = pd.DataFrame({"id": [1.0], "name": ["x"], "when": [D2]})
    ev = run_check(
        schema("shop/users", {"id": "int", "name": "str", "email": "str", "when": "date"}),
        frame,
        CheckContext(AssetKey(("shop", "users")), now=NOW),
    )
    assert ev.status == "FAILED"
    assert ev.description == (
        "Schema mismatch in 2 of 4 columns: id: is float64 (float), expected int; "
        "email: missing (available: id, name, when)."
    )
    assert ev.metadata == {
        "mismatches": [
            {
                "column": "id",
                "expected": "int",
                "actual": "float64",
                "problem": "is float64 (float), expected int",
            },
            {
                "column": "email",
                "expected": "str",
                "actual": None,
                "problem": "missing (available: id, name, when)",
            },
        ]
    }


def test_a_name_that_is_no_dtype_says_what_to_use() -> None:
    ev = check(series([1], "int64"), "integer")
    assert ev.description == (
        "Schema mismatch in 1 of 1 columns: c: is int64, expected 'integer', which is "
        "not a dtype name: use int, float, str, bool, datetime, date or an exact pandas/Arrow "
        "dtype name."
    )


def test_schema_passes_with_extra_columns() -> None:
    frame = pd.DataFrame({"id": np.arange(3), "extra": ["a", "b", "c"]})
    ev = run_check(schema("t", {"id": "int"}), frame, CheckContext(AssetKey(("t",)), now=NOW))
    assert (ev.status, ev.description) == ("PASSED", "Schema matched: id.")
