"""The built-in checks on good and bad data, as pandas DataFrames and Arrow tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from assets_core.checks import (
    CheckContext,
    CheckEvaluation,
    accepted_values,
    freshness,
    not_null,
    row_count,
    run_check,
    sql,
    unique,
)
from assets_core.checks.check import AssetCheckDefinition
from assets_core.definitions.asset import asset
from assets_core.errors import DefinitionError
from assets_core.keys import AssetKey

KEY = "sales/orders"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

Convert = Callable[[pd.DataFrame], Any]


@pytest.fixture(params=["pandas", "arrow"])
def as_value(request: pytest.FixtureRequest) -> Convert:
    """Each test using it runs on a DataFrame and on the equivalent Arrow table."""
    if request.param == "pandas":
        return lambda df: df
    return lambda df: pa.Table.from_pandas(df, preserve_index=False)


def run(check: AssetCheckDefinition, value: Any, **context: Any) -> CheckEvaluation:
    return run_check(check, value, CheckContext(AssetKey.parse(KEY), now=NOW, **context))


def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [1, 2, 3, 4],
            "customer_id": [10, 11, 10, 10],
            "status": ["paid", "paid", "refunded", "paid"],
            "amount": [5.0, 7.5, 1.0, 2.0],
        }
    )


# -- not_null --------------------------------------------------------------------------


def test_not_null_passes_on_complete_columns(as_value: Convert) -> None:
    ev = run(not_null(KEY, ["order_id", "amount"]), as_value(orders()))
    assert ev.status == "PASSED"
    assert ev.metadata == {"null_counts": {"order_id": 0, "amount": 0}}
    assert ev.description == "No null values in order_id, amount (4 rows)."


def test_not_null_counts_nulls_and_shows_sample_rows(as_value: Convert) -> None:
    df = orders()
    df["amount"] = [5.0, np.nan, 1.0, np.nan]
    df["status"] = ["paid", None, "refunded", "paid"]
    ev = run(not_null(KEY, ["status", "amount"]), as_value(df))

    assert ev.status == "FAILED"
    assert ev.description == "Null values in status (1), amount (2): 2 of 4 rows have a null."
    assert ev.metadata["null_counts"] == {"status": 1, "amount": 2}
    assert ev.metadata["rows_with_nulls"] == 2
    assert ev.metadata["sample_rows"] == [
        {"_row": 1, "status": None, "amount": None, "order_id": 2, "customer_id": 11},
        {"_row": 3, "status": "paid", "amount": None, "order_id": 4, "customer_id": 10},
    ]


def test_not_null_on_pandas_counts_nat_and_pd_na() -> None:
    df = pd.DataFrame(
        {"when": pd.to_datetime(["2024-01-01", None]), "n": pd.array([1, None], dtype="Int64")}
    )
    assert run(not_null(KEY, "when"), df).metadata["null_counts"] == {"when": 1}
    assert run(not_null(KEY, "n"), df).metadata["null_counts"] == {"n": 1}


def test_not_null_samples_at_most_five_rows_and_twenty_columns() -> None:
    df = pd.DataFrame({f"c{i}": [None] * 8 for i in range(30)})
    ev = run(not_null(KEY, "c29"), df)
    rows = ev.metadata["sample_rows"]
    assert [r["_row"] for r in rows] == [0, 1, 2, 3, 4]
    assert list(rows[0]) == ["_row", "c29", *[f"c{i}" for i in range(19)]]


def test_default_names_and_descriptions() -> None:
    assert not_null(KEY, "customer_id").name == "not_null_customer_id"
    assert not_null(KEY, ["a", "b"]).name == "not_null_a_b"
    assert not_null(KEY, "a", name="ids_present").name == "ids_present"
    assert unique(KEY, ["a", "b"]).name == "unique_a_b"
    assert accepted_values(KEY, "status", ["x"]).name == "accepted_values_status"
    assert row_count(KEY).name == "row_count"
    assert freshness(KEY, "1h").name == "freshness"
    assert sql(KEY, "SELECT 0").name == sql(KEY, "SELECT 0").name != sql(KEY, "SELECT 1").name
    assert sql(KEY, "SELECT 0").name.startswith("sql_")
    assert not_null(KEY, "customer_id").description == "customer_id never null"
    assert row_count(KEY, 1, 10).description == "between 1 and 10 rows"


def test_options_and_asset_objects() -> None:
    @asset(key_prefix="sales")
    def orders() -> None: ...

    check = not_null(orders, "id", severity="warn", blocking=True)
    assert (check.asset_key, check.severity, check.blocking) == (
        AssetKey(("sales", "orders")),
        "warn",
        True,
    )
    with pytest.raises(DefinitionError) as exc:
        not_null(KEY, "id", severity="fatal")  # type: ignore[arg-type]
    assert exc.tb is not None  # the user's line that called the built-in
    assert str(exc.value) == (
        f"{__file__}:{exc.tb.tb_lineno}: Check not_null_id on sales/orders: "
        "severity='fatal'; use 'error' or 'warn'."
    )


def test_missing_column_fails_with_the_available_columns(as_value: Convert) -> None:
    ev = run(not_null(KEY, ["order_id", "custmer_id"]), as_value(orders()))
    assert ev.status == "FAILED"
    assert ev.description == (
        "Column 'custmer_id' not found in sales/orders; available columns: order_id, "
        "customer_id, status, amount. Did you mean 'customer_id'?"
    )
    assert ev.metadata == {
        "missing_columns": ["custmer_id"],
        "available_columns": ["order_id", "customer_id", "status", "amount"],
    }


def test_missing_column_that_is_the_index_says_so() -> None:
    ev = run(unique(KEY, "order_id"), orders().set_index("order_id"))
    assert ev.description == (
        "Column 'order_id' not found in sales/orders; available columns: customer_id, "
        "status, amount. 'order_id' is the index: reset_index() to make it a column."
    )


def test_values_that_are_not_tables_error_with_their_type() -> None:
    check = not_null(KEY, "a")
    ev = run(check, [{"a": 1}])
    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'not_null_a' on sales/orders ({check.location}): not_null needs a pandas "
        "DataFrame or a pyarrow Table; the asset's value is a builtins.list. Use sql() or "
        "@asset_check for other values."
    )


def test_builtins_point_at_the_users_line() -> None:
    check = unique(KEY, "order_id")
    assert check.location is not None
    assert check.location.file == __file__
    with open(__file__) as f:
        assert 'check = unique(KEY, "order_id")' in f.readlines()[check.location.line - 1]


COLUMNS_HINT = "give a column name or a list of column names"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: not_null(KEY, []), f"not_null: {COLUMNS_HINT}, got []."),
        (lambda: unique(KEY, [1]), f"unique: {COLUMNS_HINT}, got [1]."),
        (
            lambda: accepted_values(KEY, "s", "paid"),
            "accepted_values('s'): values must be a list, e.g. ['paid', 'refunded']; got 'paid'.",
        ),
        (
            lambda: accepted_values(KEY, "s", [None]),
            "accepted_values('s'): give at least one accepted value.",
        ),
        (lambda: row_count(KEY, min=5, max=2), "row_count: min=5 is greater than max=2."),
        (lambda: row_count(KEY, min=-1), "row_count: bounds must be non-negative ints, got -1."),
        (
            lambda: freshness(KEY, "soon"),
            "Invalid duration 'soon': write it like '26h', '1h30m', '90s' or '7d' "
            "(units ms, s, m, h, d, w).",
        ),
        (lambda: freshness(KEY, 0), "freshness: max_lag must be positive, got 0."),
        (lambda: sql(KEY, " "), "sql: query must be a non-empty SQL string, got ' '."),
    ],
)
def test_definition_errors(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(DefinitionError) as exc:
        make()
    # located at the user's line that called the built-in: here, the lambda's
    assert str(exc.value) == f"{__file__}:{make.__code__.co_firstlineno}: {message}"


# -- unique ----------------------------------------------------------------------------


def test_unique_passes_on_unique_keys(as_value: Convert) -> None:
    ev = run(unique(KEY, "order_id"), as_value(orders()))
    assert ev.status == "PASSED"
    assert ev.description == "order_id is unique (4 rows)."
    assert ev.metadata == {"duplicate_keys": 0, "duplicate_rows": 0}


def test_unique_reports_duplicates_most_repeated_first_ignoring_nulls(as_value: Convert) -> None:
    df = pd.DataFrame({"id": [1, 2, 2, 3, 3, 3, 4, None, None]})
    ev = run(unique(KEY, "id"), as_value(df))
    assert ev.status == "FAILED"
    assert ev.description == "2 duplicated values of id in 5 rows, e.g. 3.0 (3 rows), 2.0 (2 rows)."
    assert ev.metadata == {
        "duplicate_keys": 2,
        "duplicate_rows": 5,
        "sample_duplicates": [{"key": {"id": 3.0}, "count": 3}, {"key": {"id": 2.0}, "count": 2}],
    }


def test_unique_checks_the_combination_of_columns(as_value: Convert) -> None:
    df = orders()
    assert run(unique(KEY, ["customer_id", "order_id"]), as_value(df)).passed
    ev = run(unique(KEY, ["customer_id", "status"]), as_value(df))
    assert ev.status == "FAILED"
    assert ev.description == (
        "1 duplicated combination of (customer_id, status) in 2 rows, e.g. (10, 'paid') (2 rows)."
    )
    assert ev.metadata["sample_duplicates"] == [
        {"key": {"customer_id": 10, "status": "paid"}, "count": 2}
    ]


@pytest.mark.parametrize(
    ("ids", "duplicates"),
    [
        ([1, 2, 3, 7], 0),
        ([9, 5, 2, -1], 0),
        ([1, 2, 2, 3], 1),
        ([3, 2, 2, 1], 1),
        ([1, 3, 2, 1], 1),
        ([5], 0),
    ],
)
def test_unique_on_integer_keys_sorted_or_not(
    as_value: Convert, ids: list[int], duplicates: int
) -> None:
    ev = run(unique(KEY, "id"), as_value(pd.DataFrame({"id": ids})))
    assert ev.passed is (duplicates == 0)
    assert ev.metadata["duplicate_keys"] == duplicates


def test_unique_caps_samples_at_five() -> None:
    df = pd.DataFrame({"k": [f"k{i % 8}" for i in range(16)]})
    ev = run(unique(KEY, "k"), df)
    assert ev.metadata["duplicate_keys"] == 8
    assert [s["key"]["k"] for s in ev.metadata["sample_duplicates"]] == [
        "k0", "k1", "k2", "k3", "k4",
    ]  # fmt: skip


def test_unique_quotes_odd_column_names(as_value: Convert) -> None:
    df = pd.DataFrame({'order "id"': [1, 1], "select": [1, 2]})
    assert run(unique(KEY, ['order "id"', "select"]), as_value(df)).passed
    assert not run(unique(KEY, 'order "id"'), as_value(df)).passed


# -- row_count -------------------------------------------------------------------------


def test_row_count_bounds(as_value: Convert) -> None:
    value = as_value(orders())
    assert run(row_count(KEY, min=4, max=4), value).passed
    ev = run(row_count(KEY, min=5), value)
    assert (ev.status, ev.description) == (
        "FAILED",
        "sales/orders has 4 rows; expected at least 5.",
    )
    assert ev.metadata == {"row_count": 4, "min": 5, "max": None}
    ev = run(row_count(KEY, max=3), value)
    assert ev.description == "sales/orders has 4 rows; expected at most 3."
    ev = run(row_count(KEY, 1, 3), value)
    assert ev.description == "sales/orders has 4 rows; expected between 1 and 3."


def test_row_count_without_bounds_requires_a_row(as_value: Convert) -> None:
    assert run(row_count(KEY), as_value(orders())).passed
    ev = run(row_count(KEY), as_value(orders().iloc[0:0]))
    assert ev.description == "sales/orders has 0 rows; expected at least 1."
    assert run(row_count(KEY, max=0), as_value(orders().iloc[0:0])).passed


def test_row_count_works_on_anything_sized() -> None:
    assert run(row_count(KEY, max=2), [1, 2]).passed
    assert run(row_count(KEY, max=2), pa.record_batch({"a": [1, 2, 3]})).metadata == {
        "row_count": 3,
        "min": None,
        "max": 2,
    }


# -- accepted_values -------------------------------------------------------------------


def test_accepted_values_passes_and_ignores_nulls(as_value: Convert) -> None:
    df = orders()
    df.loc[1, "status"] = None
    ev = run(accepted_values(KEY, "status", ["paid", "refunded"]), as_value(df))
    assert (ev.status, ev.description) == ("PASSED", "Every value of status is accepted.")


def test_accepted_values_lists_unexpected_values_with_counts(as_value: Convert) -> None:
    df = pd.DataFrame({"status": ["paid"] * 3 + ["lost"] * 2 + ["stolen", None]})
    ev = run(accepted_values(KEY, "status", {"paid", "refunded"}), as_value(df))
    assert ev.status == "FAILED"
    assert ev.description == "status has 2 unexpected values in 3 rows: 'lost' (2), 'stolen' (1)."
    assert ev.metadata["unexpected_values"] == [
        {"value": "lost", "count": 2},
        {"value": "stolen", "count": 1},
    ]
    assert (ev.metadata["unexpected_rows"], ev.metadata["unexpected_distinct"]) == (3, 2)
    assert sorted(ev.metadata["accepted_values"]) == ["paid", "refunded"]


def test_accepted_values_caps_the_list() -> None:
    df = pd.DataFrame({"n": np.arange(30) % 25})
    ev = run(accepted_values(KEY, "n", [0]), df)
    assert ev.metadata["unexpected_distinct"] == 24
    assert len(ev.metadata["unexpected_values"]) == 20
    assert ev.description == (
        "n has 24 unexpected values in 28 rows: 1 (2), 2 (2), 3 (2), 4 (2), 5 (1) and 19 more."
    )


def test_accepted_values_on_categoricals_and_dates() -> None:
    df = pd.DataFrame(
        {
            "cat": pd.Categorical(["a", "b", "z"]),
            "day": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 2)],
        }
    )
    assert run(accepted_values(KEY, "cat", ["a", "b"]), df).metadata["unexpected_values"] == [
        {"value": "z", "count": 1}
    ]
    table = pa.table({"day": pa.array(df["day"].tolist(), pa.date32())})
    ev = run(accepted_values(KEY, "day", [date(2024, 1, 1)]), table)
    assert ev.metadata["unexpected_values"] == [{"value": "2024-01-02", "count": 2}]


def test_accepted_values_of_the_wrong_type_error_clearly(as_value: Convert) -> None:
    check = accepted_values(KEY, "status", [1, 2])
    ev = run(check, as_value(orders()))
    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'accepted_values_status' on sales/orders ({check.location}): cannot compare "
        "column 'status' with the accepted values: Binder Error: Cannot compare values of "
        "type VARCHAR and INTEGER in IN/ANY/ALL clause - an explicit cast is required. Give "
        "accepted values of the column's type."
    )


# -- freshness -------------------------------------------------------------------------


def test_freshness_passes_within_the_lag() -> None:
    check = freshness(KEY, "26h")
    assert not check.needs_value
    ev = run(check, None, last_materialized_at=NOW - timedelta(hours=25, minutes=30))
    assert ev.status == "PASSED"
    assert ev.metadata == {
        "lag_s": 91800.0,
        "max_lag_s": 93600.0,
        "last_materialized_at": "2024-05-31T10:30:00+00:00",
        "now": "2024-06-01T12:00:00+00:00",
    }
    assert ev.description == (
        "sales/orders was last materialized 1d 1h 30m ago (at 2024-05-31T10:30:00+00:00), "
        "within the allowed 1d 2h."
    )


def test_freshness_fails_when_stale_or_never_materialized() -> None:
    check = freshness(KEY, timedelta(minutes=90))
    ev = run(check, None, last_materialized_at=NOW - timedelta(hours=2))
    assert ev.status == "FAILED"
    assert ev.description == (
        "sales/orders was last materialized 2h ago (at 2024-06-01T10:00:00+00:00), more than "
        "the allowed 1h 30m."
    )
    ev = run(check, None)
    assert ev.status == "FAILED"
    assert ev.description == (
        "sales/orders has never been materialized; it must be materialized at least every 1h 30m."
    )
    assert ev.metadata == {"lag_s": None, "max_lag_s": 5400.0, "last_materialized_at": None}


def test_freshness_compares_across_timezones() -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2024, 6, 1, 13, 0, tzinfo=ZoneInfo("Europe/Paris"))  # 11:00 UTC
    assert run(freshness(KEY, "61m"), None, last_materialized_at=paris).passed
    assert not run(freshness(KEY, "59m"), None, last_materialized_at=paris).passed


# -- sql -------------------------------------------------------------------------------


def test_sql_passes_when_the_value_equals_expect(as_value: Convert) -> None:
    check = sql(KEY, "SELECT count(*) FROM orders WHERE amount < 0")
    ev = run(check, as_value(orders()))
    assert (ev.status, ev.description) == ("PASSED", "The query returned 0, as expected.")
    assert ev.metadata == {
        "result": 0,
        "expect": 0,
        "query": "SELECT count(*) FROM orders WHERE amount < 0",
    }
    assert run(sql(KEY, "SELECT max(order_id) FROM orders", expect=4), as_value(orders())).passed


def test_sql_fails_on_a_different_value(as_value: Convert) -> None:
    ev = run(sql(KEY, "SELECT count(*) FROM orders WHERE amount > 2"), as_value(orders()))
    assert (ev.status, ev.description) == ("FAILED", "The query returned 2; expected 0.")
    ev = run(sql(KEY, "SELECT sum(amount) FROM orders WHERE amount > 100"), as_value(orders()))
    assert ev.description == (
        "The query returned None; expected 0. Use coalesce() if an empty result means 0."
    )


@pytest.mark.parametrize(
    ("query", "returned"),
    [
        ("SELECT order_id FROM orders", "more than one row"),
        ("SELECT order_id FROM orders WHERE false", "no rows"),
        ("SELECT 1, 2", "2 columns"),
    ],
)
def test_sql_must_return_exactly_one_value(query: str, returned: str) -> None:
    check = sql(KEY, query, name="shape")
    ev = run(check, orders())
    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'shape' on sales/orders ({check.location}): the query must return exactly "
        f"one value (one row, one column); it returned {returned}. Query: {query}"
    )


def test_sql_query_errors_name_the_table() -> None:
    check = sql(KEY, "SELECT count(*) FROM order", name="typo")
    ev = run(check, orders())
    assert ev.status == "ERRORED"
    assert ev.error is not None
    assert ev.error.startswith(
        f"Check 'typo' on sales/orders ({check.location}): the query failed: Parser Error: "
    )
    assert ev.error.endswith(
        ". The asset's value is the table 'orders'. Query: SELECT count(*) FROM order"
    )
    assert ev.traceback is not None


def test_sql_on_a_value_duckdb_cannot_read() -> None:
    check = sql(KEY, "SELECT 1", expect=1, name="odd")
    ev = run(check, object())
    assert ev.status == "ERRORED"
    assert ev.error is not None
    assert ev.error.startswith(
        f"Check 'odd' on sales/orders ({check.location}): DuckDB cannot read the asset's value "
        "(object) as the table 'orders': "
    )
