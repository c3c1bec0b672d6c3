"""The ``duckdb`` IO manager against a real DuckDB file."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from assets_core.errors import ExecutionError
from assets_core.io import DuckDBIOManager, InputContext, MissingValueError, OutputContext
from assets_core.keys import AssetKey

KEY = AssetKey.parse("sales/daily_orders")
DAY = {"partition_column": "day"}


def out(partition=None, keys=None, key=KEY, **meta):
    return OutputContext(key, partition_key=partition, partition_keys=keys, metadata=meta)


def inp(partition=None, keys=None, key=KEY, **meta):
    return InputContext(key, partition_key=partition, partition_keys=keys, metadata=meta)


def orders(day: str, amounts: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.to_datetime([day] * len(amounts)),
            "amount": amounts,
            "customer": pd.array([f"c{i}" for i in range(len(amounts))], dtype="str"),
        }
    )


def query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "warehouse.duckdb"


@pytest.fixture(params=[0, 5], ids=["per-operation", "kept-open"])
def db(db_path: Path, request: pytest.FixtureRequest) -> Iterator[DuckDBIOManager]:
    manager = DuckDBIOManager(db_path, lock_timeout_s=5, keep_alive_s=request.param)
    yield manager
    manager.close()


def test_dataframe_round_trip_keeps_pandas_strings(db):
    df = orders("2024-01-01", [1.0, 2.5])
    db.store(out(), df)
    loaded = db.load(inp())
    pd.testing.assert_frame_equal(loaded, df)
    assert loaded["customer"].dtype == "str"


def test_arrow_round_trip_returns_arrow(db):
    table = pa.table({"a": [1, 2], "s": ["x", None]})
    db.store(out(), table)
    loaded = db.load(inp())
    assert isinstance(loaded, pa.Table)
    assert loaded.to_pylist() == table.to_pylist()


def test_schema_naming_and_replace(db, db_path):
    db.store(out(key=AssetKey.parse("a/b/c")), pa.table({"x": [1]}))
    db.store(out(key=AssetKey.parse("top")), pa.table({"x": [1]}))
    db.store(out(key=AssetKey.parse("top")), pa.table({"x": [2, 3]}))
    tables = query(db_path, "SELECT schema_name, table_name FROM duckdb_tables()")
    assert ("a_b", "c") in tables and ("main", "top") in tables
    assert query(db_path, "SELECT x FROM main.top ORDER BY x") == [(2,), (3,)]
    assert db.location(out(key=AssetKey.parse("a/b/c"))).endswith("warehouse.duckdb#a_b.c")


def test_partition_replace_with_added_partition_column(db, db_path):
    db.store(out("2024-01-01"), orders("2024-01-01", [1, 2, 3]))
    db.store(out("2024-01-02"), orders("2024-01-02", [10]))
    db.store(out("2024-01-01"), orders("2024-01-01", [7]))
    rows = query(db_path, "SELECT _partition, amount FROM sales.daily_orders ORDER BY 1, 2")
    assert rows == [("2024-01-01", 7.0), ("2024-01-02", 10.0)]
    loaded = db.load(inp("2024-01-01"))
    assert "_partition" not in loaded.columns
    assert loaded["amount"].tolist() == [7.0]


def test_partition_column_metadata_is_honoured(db, db_path):
    db.store(out("2024-01-01", **DAY), orders("2024-01-01", [1, 2]))
    db.store(out("2024-01-02", **DAY), orders("2024-01-02", [5]))
    db.store(out("2024-01-01", **DAY), orders("2024-01-01", [9]))
    columns = [r[0] for r in query(db_path, "DESCRIBE sales.daily_orders")]
    assert columns == ["day", "amount", "customer"]
    both = db.load(inp(keys=("2024-01-01", "2024-01-02"), **DAY))
    assert sorted(both["amount"].tolist()) == [5.0, 9.0]
    assert db.load(inp("2024-01-02", **DAY))["amount"].tolist() == [5.0]


def test_rows_outside_the_partition_are_rejected_and_nothing_changes(db, db_path):
    db.store(out("2024-01-01", **DAY), orders("2024-01-01", [1]))
    mixed = pd.concat([orders("2024-01-01", [2]), orders("2024-01-03", [3])])
    with pytest.raises(ExecutionError, match=r"1 row\(s\).*not '2024-01-01'"):
        db.store(out("2024-01-01", **DAY), mixed)
    assert query(db_path, "SELECT amount FROM sales.daily_orders") == [(1.0,)]


def test_unknown_partition_column_is_a_clear_error(db):
    with pytest.raises(ExecutionError, match="'dt' is not a column"):
        db.store(out("2024-01-01", partition_column="dt"), orders("2024-01-01", [1]))


def test_hourly_partitions_on_a_timestamp_column(db):
    meta = {"partition_column": "at"}
    df = pd.DataFrame({"at": pd.to_datetime(["2024-03-01 13:05", "2024-03-01 13:55"]), "v": [1, 2]})
    db.store(out("2024-03-01-13:00", **meta), df)
    assert db.load(inp("2024-03-01-13:00", **meta))["v"].tolist() == [1, 2]


def test_multi_dimension_partition_columns(db):
    meta = {"partition_column": ["day", "region"]}
    eu = pd.DataFrame({"day": ["2024-01-01"], "region": ["eu"], "v": [1]})
    us = pd.DataFrame({"day": ["2024-01-01"], "region": ["us"], "v": [2]})
    db.store(out("2024-01-01|eu", **meta), eu)
    db.store(out("2024-01-01|us", **meta), us)
    db.store(out("2024-01-01|eu", **meta), eu.assign(v=3))
    assert db.load(inp("2024-01-01|eu", **meta))["v"].tolist() == [3]
    assert db.load(inp("2024-01-01|us", **meta))["v"].tolist() == [2]


def test_range_store_and_load(db):
    db.store(out(keys=("a", "b")), {"a": pa.table({"v": [1]}), "b": pa.table({"v": [2, 3]})})
    loaded = db.load(inp(keys=("a", "b")))
    assert isinstance(loaded, pa.Table)
    assert sorted(loaded.column("v").to_pylist()) == [1, 2, 3]
    assert db.load(inp("b")).column("v").to_pylist() == [2, 3]


def test_empty_partition_is_stored_not_missing(db):
    db.store(out("a"), orders("2024-01-01", []))
    assert len(db.load(inp("a"))) == 0
    assert db.exists(out("a"))


def test_missing_values_raise_clear_errors(db):
    with pytest.raises(MissingValueError, match=r"sales/daily_orders.*Materialize it first"):
        db.load(inp())
    db.store(out("2024-01-01"), orders("2024-01-01", [1]))
    with pytest.raises(MissingValueError, match="partition '2024-01-09'"):
        db.load(inp("2024-01-09"))
    with pytest.raises(MissingValueError, match="2024-01-02"):
        db.load(inp(keys=("2024-01-01", "2024-01-02")))


def test_loading_never_creates_the_database_file(db, db_path):
    with pytest.raises(MissingValueError):
        db.load(inp())
    assert not db_path.exists()
    assert not db.exists(out())


def test_non_table_values_point_to_fs(db):
    with pytest.raises(ExecutionError, match="io_manager='fs'"):
        db.store(out(), {"not": "a table"})


def test_new_columns_in_a_later_partition_are_added(db):
    db.store(out("a"), pd.DataFrame({"x": [1]}))
    db.store(out("b"), pd.DataFrame({"x": [2], "y": ["new"]}))
    both = db.load(inp(keys=("a", "b"))).sort_values("x")
    assert both["y"].isna().tolist() == [True, False]


def test_exists_and_delete(db):
    db.store(out("a"), orders("2024-01-01", [1]))
    db.store(out("b"), orders("2024-01-02", [2]))
    assert db.exists(out(keys=("a", "b")))
    db.delete(out("a"))
    assert not db.exists(out("a")) and db.exists(out("b"))
    assert db.load(inp("b"))["amount"].tolist() == [2.0]
    db.delete(out())
    assert not db.exists(out("b"))


def test_memory_database_for_tests():
    db = DuckDBIOManager(":memory:")
    db.store(out("x"), pa.table({"v": [1]}))
    db.close()  # keeps the in-memory tables
    assert db.load(inp("x")).column("v").to_pylist() == [1]


def _open_elsewhere(path: Path) -> subprocess.CompletedProcess[str]:
    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_by_default_no_connection_is_held(db_path):
    db = DuckDBIOManager(db_path)
    db.store(out(), pa.table({"v": [1]}))
    check = _open_elsewhere(db_path)
    assert check.returncode == 0, check.stderr
    clone = pickle.loads(pickle.dumps(db))
    assert clone.keep_alive_s == 0 and clone.load(inp()).column("v").to_pylist() == [1]


def test_kept_connection_is_released_after_the_idle_time(db_path):
    db = DuckDBIOManager(db_path, keep_alive_s=2)
    db.store(out(), pa.table({"v": [1]}))
    stored_at = time.monotonic()
    early = _open_elsewhere(db_path)
    if time.monotonic() - stored_at < 1.8:  # the subprocess started within the idle time
        assert "lock" in early.stderr.lower()
    time.sleep(max(0.0, stored_at + 2.5 - time.monotonic()))
    check = _open_elsewhere(db_path)
    assert check.returncode == 0, check.stderr


def test_another_process_waits_for_a_kept_connection(db_path, tmp_path):
    db = DuckDBIOManager(db_path, keep_alive_s=0.5)
    db.store(out(), pa.table({"v": [1]}))
    code = textwrap.dedent(
        f"""
        import pyarrow as pa
        from assets_core.io import DuckDBIOManager, OutputContext
        from assets_core.keys import AssetKey
        DuckDBIOManager({str(db_path)!r}, keep_alive_s=0, lock_timeout_s=20).store(
            OutputContext(AssetKey.parse({str(KEY)!r})), pa.table({{"v": [2]}})
        )
        """
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    assert db.load(inp()).column("v").to_pylist() == [2]


def test_close_releases_at_once(db_path):
    db = DuckDBIOManager(db_path, keep_alive_s=60)
    db.store(out(), pa.table({"v": [1]}))
    db.close()
    check = _open_elsewhere(db_path)
    assert check.returncode == 0, check.stderr


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    code = textwrap.dedent(
        f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("locked", flush=True)
        time.sleep({seconds})
        con.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_lock_held_by_another_process_times_out_with_a_clear_error(db_path):
    DuckDBIOManager(db_path, keep_alive_s=0).store(out(), pa.table({"v": [1]}))
    proc = _hold_lock(db_path, 30)
    try:
        db = DuckDBIOManager(db_path, lock_timeout_s=0.3)
        start = time.monotonic()
        with pytest.raises(ExecutionError, match=r"(?s)stayed locked for 0\.3s.*one process"):
            db.store(out(), pa.table({"v": [2]}))
        assert time.monotonic() - start >= 0.3
    finally:
        proc.kill()
        proc.wait()


def test_lock_released_soon_is_waited_for(db_path):
    DuckDBIOManager(db_path, keep_alive_s=0).store(out(), pa.table({"v": [1]}))
    proc = _hold_lock(db_path, 0.5)
    try:
        DuckDBIOManager(db_path, lock_timeout_s=20, keep_alive_s=0).store(
            out(), pa.table({"v": [2]})
        )
    finally:
        proc.wait()
    assert DuckDBIOManager(db_path, keep_alive_s=0).load(inp()).column("v").to_pylist() == [2]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_closes_kept_connections_first(db_path):
    db = DuckDBIOManager(db_path, keep_alive_s=60)
    db.store(out(), pa.table({"v": [1]}))
    pid = os.fork()
    if pid == 0:  # the child inherits no open database
        os._exit(0)
    os.waitpid(pid, 0)
    check = _open_elsewhere(db_path)
    assert check.returncode == 0, check.stderr
    assert db.load(inp()).column("v").to_pylist() == [1]
    db.close()


def test_empty_range_loads_no_rows(db):
    db.store(out("2024-01-01", **DAY), orders("2024-01-01", [1]))
    assert len(db.load(inp(keys=(), **DAY))) == 0
