"""The ``fs`` IO manager: round trips, layout, partitions, atomicity, escapes."""

from __future__ import annotations

import os
import pickle
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets_core.errors import ExecutionError, InvalidKeyError, PartitionKeyError
from assets_core.io import (
    FilesystemIOManager,
    InputContext,
    MissingValueError,
    OutputContext,
    parquet_fs,
)
from assets_core.keys import AssetKey

KEY = AssetKey.parse("sales/orders")


@dataclass
class Point:
    x: int
    y: int


def out(partition: str | None = None, keys: tuple[str, ...] | None = None, **meta: object):
    return OutputContext(KEY, partition_key=partition, partition_keys=keys, metadata=meta)


def inp(partition: str | None = None, keys: tuple[str, ...] | None = None, **meta: object):
    return InputContext(KEY, partition_key=partition, partition_keys=keys, metadata=meta)


def frame(n: int = 3, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(start, start + n),
            "amount": [1.5 * i for i in range(n)],
            "name": pd.array([f"n{i}" for i in range(n)], dtype="str"),
            "at": pd.date_range("2024-01-01", periods=n, freq="h"),
        }
    )


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture
def fs(tmp_path: Path) -> FilesystemIOManager:
    return FilesystemIOManager(tmp_path / "storage")


def test_dataframe_round_trip_keeps_dtypes_including_pandas_strings(fs):
    df = frame()
    fs.store(out(), df)
    loaded = fs.load(inp())
    pd.testing.assert_frame_equal(loaded, df)
    assert loaded["name"].dtype == "str"
    assert (fs.base_dir / "sales" / "orders" / "data.parquet").is_file()


def test_non_range_index_is_preserved_and_range_index_is_not_a_column(fs, tmp_path):
    indexed = frame().set_index("name")
    fs.store(out("a"), indexed)
    pd.testing.assert_frame_equal(fs.load(inp("a")), indexed)
    sliced = frame(10).iloc[3:6]
    fs.store(out("b"), sliced)
    pd.testing.assert_frame_equal(fs.load(inp("b")), sliced)
    stored = pq.read_schema(fs.base_dir / "sales" / "orders" / "b" / "data.parquet")
    assert stored.names == ["id", "amount", "name", "at"]


def test_arrow_table_round_trip_returns_arrow_without_our_marker(fs):
    table = pa.table({"a": [1, 2, None], "s": ["x", "y", "z"]})
    fs.store(out(), table)
    loaded = fs.load(inp())
    assert isinstance(loaded, pa.Table)
    assert loaded.equals(table)
    assert loaded.schema.metadata is None


def test_arrow_table_made_from_pandas_still_loads_as_arrow(fs):
    table = pa.Table.from_pandas(frame())
    fs.store(out(), table)
    loaded = fs.load(inp())
    assert isinstance(loaded, pa.Table)
    assert loaded.column_names == table.column_names


def test_other_values_are_pickled(fs):
    value = {"points": [Point(1, 2)], "n": 3}
    fs.store(out(), value)
    assert fs.load(inp()) == value
    assert (fs.base_dir / "sales" / "orders" / "data.pickle").is_file()


def test_switching_format_removes_the_stale_file(fs):
    folder = fs.base_dir / "sales" / "orders"
    fs.store(out(), frame())
    fs.store(out(), [1, 2])
    assert sorted(p.name for p in folder.iterdir()) == ["data.pickle"]
    assert fs.load(inp()) == [1, 2]
    fs.store(out(), frame(2))
    assert sorted(p.name for p in folder.iterdir()) == ["data.parquet"]
    assert len(fs.load(inp())) == 2


def test_leftover_older_file_loses_to_the_newer_one(fs):
    folder = fs.base_dir / "sales" / "orders"
    fs.store(out(), frame(2))
    stale = folder / "data.pickle"
    stale.write_bytes(pickle.dumps("stale"))
    os.utime(stale, ns=(1, 1))
    assert len(fs.load(inp())) == 2


def test_partition_layout_and_multi_dimension_nesting(fs):
    fs.store(out("2024-01-01"), frame(1))
    fs.store(out("2024-01-01|eu"), {"region": "eu"})
    fs.store(out("2024-03-01-13:00"), 7)
    root = fs.base_dir / "sales" / "orders"
    assert (root / "2024-01-01" / "data.parquet").is_file()
    assert (root / "2024-01-01" / "eu" / "data.pickle").is_file()
    assert (root / "2024-03-01-13:00" / "data.pickle").is_file()
    assert fs.load(inp("2024-01-01|eu")) == {"region": "eu"}
    assert fs.load(inp("2024-03-01-13:00")) == 7


def test_range_load_concatenates_frames_with_a_fresh_index(fs):
    fs.store(out("2024-01-01"), frame(2, start=0))
    fs.store(out("2024-01-02"), frame(3, start=10))
    loaded = fs.load(inp(keys=("2024-01-01", "2024-01-02")))
    assert loaded["id"].tolist() == [0, 1, 10, 11, 12]
    assert loaded.index.equals(pd.RangeIndex(5))
    assert loaded["name"].dtype == "str"


def test_range_load_of_arrow_tables_and_of_other_values(fs):
    fs.store(out("a"), pa.table({"v": [1]}))
    fs.store(out("b"), pa.table({"v": [2, 3]}))
    tables = fs.load(inp(keys=("a", "b")))
    assert isinstance(tables, pa.Table)
    assert tables.column("v").to_pylist() == [1, 2, 3]
    fs.store(out("c"), {"x": 1})
    fs.store(out("d"), [2])
    assert fs.load(inp(keys=("c", "d"))) == {"c": {"x": 1}, "d": [2]}


def test_range_of_one_key_equal_to_partition_key_is_a_single_load(fs):
    fs.store(out("a"), {"x": 1})
    assert fs.load(inp("a", keys=("a",))) == {"x": 1}
    assert fs.load(inp(keys=("a",))) == {"a": {"x": 1}}


def test_missing_value_error_names_asset_and_partition(fs):
    with pytest.raises(MissingValueError) as err:
        fs.load(inp("2024-01-05"))
    message = str(err.value)
    assert "sales/orders" in message and "2024-01-05" in message
    assert "Materialize it first" in message
    assert isinstance(err.value, ExecutionError)
    fs.store(out("2024-01-01"), frame(1))
    with pytest.raises(MissingValueError, match=r"1 partition\(s\).*2024-01-02"):
        fs.load(inp(keys=("2024-01-01", "2024-01-02")))


def test_failed_parquet_write_leaves_previous_value_and_no_temp(fs, monkeypatch):
    fs.store(out(), frame(2))

    def broken_write(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken_write)
    with pytest.raises(OSError, match="disk full"):
        fs.store(out(), frame(5))
    assert len(fs.load(inp())) == 2
    assert temp_files(fs.base_dir) == []


def test_failed_conversion_leaves_previous_value(fs):
    fs.store(out(), frame(2))
    bad = pd.DataFrame({"mixed": [1, "two", 3.0]})
    with pytest.raises(pa.ArrowException):
        fs.store(out(), bad)
    assert len(fs.load(inp())) == 2
    assert temp_files(fs.base_dir) == []


class Unpicklable:
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def test_pickle_failing_midway_leaves_previous_value_and_no_temp(fs):
    fs.store(out(), "old")
    with pytest.raises(TypeError, match="cannot pickle"):
        fs.store(out(), [b"x" * 100_000, Unpicklable()])
    assert fs.load(inp()) == "old"
    assert temp_files(fs.base_dir) == []


def test_failing_rename_leaves_previous_value_and_no_temp(fs, monkeypatch):
    fs.store(out(), "old")

    def refuse(src, dst):
        raise OSError("rename refused")

    monkeypatch.setattr(parquet_fs, "_swap_in", refuse)
    with pytest.raises(OSError, match="rename refused"):
        fs.store(out(), "new")
    assert fs.load(inp()) == "old"
    assert temp_files(fs.base_dir) == []


needs_exchange = pytest.mark.skipif(
    not parquet_fs._lookup_exchange(), reason="renameat2(RENAME_EXCHANGE) unavailable"
)


@needs_exchange
def test_rewrites_recycle_the_replaced_file_as_a_hidden_spare(fs):
    folder = fs.base_dir / "sales" / "orders"
    inodes = []
    for value in range(1, 6):
        fs.store(out(), value)
        assert fs.load(inp()) == value
        inodes.append((folder / "data.pickle").stat().st_ino)
    # Two files take turns: no new file (inode) per write once the spare exists.
    assert inodes[1:] == [inodes[1], inodes[0], inodes[1], inodes[0]]
    assert sorted(p.name for p in folder.iterdir()) == [parquet_fs.SPARE, "data.pickle"]
    assert temp_files(fs.base_dir) == []


@needs_exchange
def test_a_spare_holding_a_longer_value_is_cut_to_the_new_one(fs):
    folder = fs.base_dir / "sales" / "orders"
    fs.store(out(), "a" * 60_000)
    fs.store(out(), "b")
    fs.store(out(), "c")  # written over the 60 kB file
    assert fs.load(inp()) == "c"
    assert (folder / "data.pickle").stat().st_size < 100


@needs_exchange
def test_parquet_files_are_new_files_every_time(fs):
    folder = fs.base_dir / "sales" / "orders"
    fs.store(out(), frame(3))
    with open(folder / "data.parquet", "rb") as reader:  # pyarrow reads by path, unlocked
        fs.store(out(), frame(2))
        fs.store(out(), frame(1))
        assert not (folder / parquet_fs.SPARE).exists()
        assert pq.read_table(reader).num_rows == 3  # its file was unlinked, not reused
    assert len(fs.load(inp())) == 1


@needs_exchange
def test_a_reader_of_a_replaced_pickle_keeps_reading_it_whole(fs):
    """A reader that opened the value before two later writes holds its shared lock:
    the writer that would reuse that file as the spare creates a new one instead."""
    import fcntl

    folder = fs.base_dir / "sales" / "orders"
    fs.store(out(), "old " * 100)
    with open(folder / "data.pickle", "rb") as slow_reader:
        fcntl.flock(slow_reader.fileno(), fcntl.LOCK_SH)  # as _read does
        fs.store(out(), "newer")  # the reader's file becomes the spare
        assert (folder / parquet_fs.SPARE).stat().st_ino == os.fstat(slow_reader.fileno()).st_ino
        fs.store(out(), "newest")  # may not overwrite it: a new file instead
        assert pickle.load(slow_reader) == "old " * 100
    assert fs.load(inp()) == "newest"
    assert temp_files(fs.base_dir) == []
    fs.store(out(), "after")  # spares are reused again once nobody reads them
    assert fs.load(inp()) == "after"


@needs_exchange
def test_large_replaced_files_are_not_kept(fs):
    folder = fs.base_dir / "sales" / "orders"
    big = b"x" * (parquet_fs.SPARE_MAX_BYTES + 1)
    fs.store(out(), big)
    fs.store(out(), big)
    assert not (folder / parquet_fs.SPARE).exists()
    assert fs.load(inp()) == big


@needs_exchange
def test_failed_write_into_the_spare_leaves_previous_value_and_no_temp(fs):
    fs.store(out(), "older")
    fs.store(out(), "old")
    assert (fs.base_dir / "sales" / "orders" / parquet_fs.SPARE).exists()
    with pytest.raises(TypeError, match="cannot pickle"):
        fs.store(out(), [b"x" * 100_000, Unpicklable()])
    assert fs.load(inp()) == "old"
    assert temp_files(fs.base_dir) == []
    fs.store(out(), "new")
    assert fs.load(inp()) == "new"


@needs_exchange
def test_delete_removes_the_spare_too(fs):
    fs.store(out(), 1)
    fs.store(out(), 2)
    fs.delete(out())
    assert list((fs.base_dir / "sales" / "orders").iterdir()) == []


def test_durable_mode_uses_os_replace_and_fails_cleanly(tmp_path, monkeypatch):
    fs = FilesystemIOManager(tmp_path, durable=True)
    fs.store(out(), frame(2))
    assert len(fs.load(inp())) == 2
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError("no")))
    with pytest.raises(OSError, match="no"):
        fs.store(out(), frame(4))
    assert len(fs.load(inp())) == 2
    assert temp_files(tmp_path) == []


def test_plain_rename_fallback_when_exchange_is_unavailable(fs, monkeypatch):
    monkeypatch.setattr(parquet_fs, "_exchange", False)
    fs.store(out(), 1)
    fs.store(out(), 2)
    assert fs.load(inp()) == 2
    assert temp_files(fs.base_dir) == []


@pytest.mark.parametrize(
    "bad", ["..", "../../etc", "a/b", "/abs", "a\x00b", "", ".", "2024|..", "a||b", "x\\y"]
)
def test_partition_keys_cannot_escape_the_root(fs, tmp_path, bad):
    with pytest.raises(PartitionKeyError, match="cannot be stored"):
        fs.store(out(bad), 1)
    with pytest.raises(PartitionKeyError):
        fs.load(inp(bad))
    assert list(tmp_path.rglob("*")) == []


def test_asset_keys_cannot_escape_the_root(fs):
    with pytest.raises(InvalidKeyError):
        fs.folder("../outside")


def test_exists_location_and_delete(fs):
    assert not fs.exists(out("a"))
    fs.store(out("a"), frame(1))
    assert fs.exists(out("a"))
    assert fs.location(out("a")) == str(fs.base_dir / "sales" / "orders" / "a" / "data.parquet")
    other = FilesystemIOManager(fs.base_dir)  # no memory of the write
    assert other.location(out("a")) == fs.location(out("a"))
    assert not fs.exists(out(keys=("a", "b")))
    fs.delete(out("a"))
    assert not fs.exists(out("a"))
    with pytest.raises(MissingValueError):
        fs.load(inp("a"))


def test_range_store_from_dict_and_from_partition_column(fs):
    fs.store(out(keys=("a", "b")), {"a": 1, "b": 2})
    assert fs.load(inp("a")) == 1 and fs.load(inp("b")) == 2
    df = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"])})
    df["v"] = [1, 2, 3]
    fs.store(out(keys=("2024-01-01", "2024-01-02"), partition_column="day"), df)
    assert fs.load(inp("2024-01-01"))["v"].tolist() == [1, 3]
    assert fs.load(inp("2024-01-02"))["v"].tolist() == [2]


def test_range_store_rejects_values_it_cannot_split(fs):
    with pytest.raises(ExecutionError, match="partition_column"):
        fs.store(out(keys=("a", "b")), frame())
    with pytest.raises(ExecutionError, match="missing"):
        fs.store(out(keys=("a", "b")), {"a": 1})
    df = pd.DataFrame({"day": ["2024-01-01", "2024-02-01"]})
    with pytest.raises(ExecutionError, match="1 row"):
        fs.store(out(keys=("2024-01-01",), partition_column="day"), df)


def test_concurrent_writers_leave_one_whole_value(fs):
    values = [frame(n) for n in range(1, 9)]
    threads = [threading.Thread(target=fs.store, args=(out(), v)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fs.load(inp())) in range(1, 9)
    assert temp_files(fs.base_dir) == []


def test_manager_pickles_for_worker_processes(fs):
    fs.store(out(), 5)
    clone = pickle.loads(pickle.dumps(fs))
    assert clone.load(inp()) == 5


def test_range_store_splits_by_one_column_per_dimension(fs):
    df = pd.DataFrame({"day": ["2024-01-01", "2024-01-01"], "region": ["eu", "us"], "v": [1, 2]})
    keys = ("2024-01-01|eu", "2024-01-01|us")
    fs.store(out(keys=keys, partition_column=["day", "region"]), df)
    assert fs.load(inp("2024-01-01|us"))["v"].tolist() == [2]
    assert (fs.base_dir / "sales" / "orders" / "2024-01-01" / "eu" / "data.parquet").is_file()


@needs_exchange
def test_a_value_replaced_between_open_and_lock_is_read_again(fs, monkeypatch):
    """A writer can take the reader's file between the reader's open and its lock,
    and fail halfway through rewriting it: the reader sees its file is no longer the
    value and reads the current one."""
    import fcntl

    fs.store(out(), "first")
    fs.store(out(), "second")  # "first"'s file is the spare
    real = fcntl.flock
    sneaked: list[bool] = []

    def flock(fd, operation):
        if operation == fcntl.LOCK_SH and not sneaked:
            sneaked.append(True)
            fs.store(out(), "third")  # the reader's file ("second") becomes the spare
            with pytest.raises(TypeError):  # reuses it, writes half, fails
                fs.store(out(), [b"x" * 1000, Unpicklable()])
        return real(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    assert fs.load(inp()) == "third"
    assert sneaked
