"""The ``memory`` IO manager, the contexts, custom IO managers and the registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from assets_core import (
    DuckDBIOManager,
    FilesystemIOManager,
    InputContext,
    IOManager,
    MemoryIOManager,
    OutputContext,
)
from assets_core.errors import DefinitionError
from assets_core.io import MissingValueError, builtin_io_managers, resolve_io_managers
from assets_core.keys import AssetKey

KEY = AssetKey.parse("raw/events")


def test_memory_round_trip_and_partitions():
    io = MemoryIOManager()
    io.store(OutputContext(KEY), {"a": 1})
    assert io.load(InputContext(KEY)) == {"a": 1}
    io.store(OutputContext(KEY, partition_key="p1"), pd.DataFrame({"v": [1]}))
    io.store(OutputContext(KEY, partition_key="p2"), pd.DataFrame({"v": [2, 3]}))
    both = io.load(InputContext(KEY, partition_keys=("p1", "p2")))
    assert both["v"].tolist() == [1, 2, 3] and both.index.equals(pd.RangeIndex(3))
    assert io.location(OutputContext(KEY, partition_key="p1")) == "memory://raw/events/p1"


def test_memory_range_of_arrow_and_of_objects():
    io = MemoryIOManager()
    io.store(OutputContext(KEY, partition_keys=("a", "b")), {"a": pa.table({"v": [1]}), "b": None})
    assert io.load(InputContext(KEY, partition_keys=("a", "b"))) == {
        "a": pa.table({"v": [1]}),
        "b": None,
    }
    io.store(OutputContext(KEY, partition_key="b"), pa.table({"v": [2]}))
    assert io.load(InputContext(KEY, partition_keys=("a", "b"))).column("v").to_pylist() == [1, 2]


def test_memory_missing_and_delete():
    io = MemoryIOManager()
    with pytest.raises(MissingValueError, match=r"raw/events.*Materialize it first"):
        io.load(InputContext(KEY))
    io.store(OutputContext(KEY, partition_key="a"), 1)
    with pytest.raises(MissingValueError, match=r"1 partition.*: b"):
        io.load(InputContext(KEY, partition_keys=("a", "b")))
    assert io.exists(OutputContext(KEY, partition_key="a"))
    io.delete(OutputContext(KEY, partition_key="a"))
    assert not io.exists(OutputContext(KEY, partition_key="a"))


def test_context_range_semantics():
    assert not OutputContext(KEY).has_partitions
    single = InputContext(KEY, partition_key="a", partition_keys=("a",))
    assert single.has_partitions and not single.is_range
    assert InputContext(KEY, partition_keys=("a",)).is_range
    ranged = InputContext(KEY, partition_keys=("a", "b", "c"), consumer_key=AssetKey.parse("x"))
    assert ranged.describe() == "asset 'raw/events' partitions 'a'..'c' (3 keys)"
    with pytest.raises(AttributeError):
        ranged.partition_key = "z"  # type: ignore[misc]


class JsonIOManager(IOManager):
    """The docstring's example, with a root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def store(self, context: OutputContext, value: Any) -> None:
        (self.root / f"{context.asset_key.name}.json").write_text(json.dumps(value))

    def load(self, context: InputContext) -> Any:
        path = self.root / f"{context.asset_key.name}.json"
        if not path.exists():
            raise MissingValueError(f"no {path}")
        return json.loads(path.read_text())


def test_custom_io_manager_defaults(tmp_path):
    io = JsonIOManager(tmp_path)
    assert not io.exists(OutputContext(KEY))
    io.store(OutputContext(KEY), [1, 2])
    assert io.exists(OutputContext(KEY)) and io.location(OutputContext(KEY)) is None
    with pytest.raises(NotImplementedError, match="JsonIOManager does not support deleting"):
        io.delete(OutputContext(KEY))
    io.close()  # nothing held: still usable afterwards
    assert io.load(InputContext(KEY)) == [1, 2]


def test_builtins_are_lazy_and_at_the_right_places(tmp_path):
    home = tmp_path / "home"
    managers = builtin_io_managers(home)
    assert set(managers) == {"fs", "duckdb", "memory"}
    assert isinstance(managers["fs"], FilesystemIOManager)
    assert managers["fs"].base_dir == home / "storage"
    assert isinstance(managers["duckdb"], DuckDBIOManager)
    assert managers["duckdb"].path == home / "warehouse.duckdb"
    assert isinstance(managers["memory"], MemoryIOManager)
    assert not home.exists()


def test_user_io_manager_replaces_a_builtin_and_adds_new_ones(tmp_path):
    mine = MemoryIOManager()
    custom = JsonIOManager(tmp_path)
    managers = resolve_io_managers(tmp_path, {"fs": mine, "json": custom})
    assert managers["fs"] is mine and managers["json"] is custom
    assert isinstance(managers["duckdb"], DuckDBIOManager)


def test_user_io_manager_must_be_an_instance(tmp_path):
    with pytest.raises(DefinitionError, match=r"'warehouse'.*not an IOManager.*Subclass"):
        resolve_io_managers(tmp_path, {"warehouse": object()})
    with pytest.raises(DefinitionError, match=r"class itself: pass an instance, MemoryIOManager"):
        resolve_io_managers(tmp_path, {"fs": MemoryIOManager})  # type: ignore[dict-item]
    with pytest.raises(DefinitionError, match="non-empty strings"):
        resolve_io_managers(tmp_path, {"": MemoryIOManager()})


def test_importing_the_io_package_stays_light():
    code = (
        "import sys, assets_core.io.base, assets_core.io, assets_core.execution.metadata, "
        "assets_core.execution.sql\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'duckdb', 'sqlglot', 'numpy') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
