"""IO inside runs: the default ``fs`` layout, ``duckdb`` through an asset option,
``sql_asset`` over upstream values, ``multi_asset`` outputs, ``MaterializeResult`` and
the metadata recorded automatically (SPEC §1, §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets_core import (
    AssetOut,
    Definitions,
    InputContext,
    IOManager,
    MaterializeResult,
    Output,
    OutputContext,
    asset,
    multi_asset,
    sql_asset,
)
from assets_core.catalog.catalog import Catalog
from assets_core.execution.run import materialize
from assets_core.partitions.multi import MultiPartitions
from assets_core.partitions.static import StaticPartitions
from assets_core.partitions.time import DailyPartitions


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def orders_frame(n: int = 7) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": list(range(1, n + 1)),
            "day": ["2024-01-01" if i < 4 else "2024-01-02" for i in range(n)],
            "amount": [float(i) * 1.5 for i in range(n)],
        }
    )


def test_fs_default_storage_layout(sqlite_catalog: Catalog, assetline_home: Path) -> None:
    @asset(key="sales/raw/orders")
    def orders() -> pd.DataFrame:
        return orders_frame()

    @asset
    def settings() -> dict[str, int]:
        return {"limit": 3}

    @asset
    def arrow_table() -> pa.Table:
        return pa.table({"a": [1, 2]})

    result = materialize([orders, settings, arrow_table], catalog=sqlite_catalog)
    assert result.success
    storage = assetline_home / "storage"
    assert files_under(storage) == [
        "arrow_table/data.parquet",
        "sales/raw/orders/data.parquet",
        "settings/data.pickle",
    ]
    pd.testing.assert_frame_equal(
        pq.read_table(storage / "sales/raw/orders/data.parquet").to_pandas(), orders_frame()
    )
    mats = sqlite_catalog.latest_materializations(["sales/raw/orders", "settings"])
    assert mats["sales/raw/orders"].location == str(storage / "sales/raw/orders/data.parquet")
    assert mats["settings"].location == str(storage / "settings/data.pickle")
    assert result.output_for("settings") == {"limit": 3}
    assert isinstance(result.output_for("arrow_table"), pa.Table)


def test_fs_layout_of_partitions(sqlite_catalog: Catalog, assetline_home: Path) -> None:
    @asset(partitions=DailyPartitions(start="2024-01-01", end="2024-01-05"))
    def daily(context) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        return pd.DataFrame({"day": [context.partition_key]})

    @asset(
        partitions=MultiPartitions(
            {
                "date": DailyPartitions(start="2024-01-01", end="2024-01-03"),
                "region": StaticPartitions(["eu", "us"]),
            }
        )
    )
    def by_region(context) -> int:  # type: ignore[no-untyped-def]
        return 1

    assert materialize(
        [daily], partition_range=("2024-01-01", "2024-01-02"), catalog=sqlite_catalog
    ).success
    assert materialize([by_region], partition="2024-01-02|us", catalog=sqlite_catalog).success
    assert files_under(assetline_home / "storage") == [
        "by_region/2024-01-02/us/data.pickle",
        "daily/2024-01-01/data.parquet",
        "daily/2024-01-02/data.parquet",
    ]


def test_duckdb_io_manager_through_an_asset_option(
    sqlite_catalog: Catalog, assetline_home: Path
) -> None:
    import duckdb

    @asset(key="sales/clean/orders", io_manager="duckdb")
    def orders() -> pd.DataFrame:
        return orders_frame()

    @asset
    def order_count(orders: pd.DataFrame) -> int:
        return len(orders)

    result = materialize([orders, order_count], catalog=sqlite_catalog)
    assert result.success
    assert result.output_for("order_count") == 7
    assert not (assetline_home / "storage" / "sales").exists()
    con = duckdb.connect(str(assetline_home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT count(*), sum(amount) FROM sales_clean.orders").fetchone()
    finally:
        con.close()
    assert rows == (7, sum(i * 1.5 for i in range(7)))
    [mat] = [
        m
        for m in sqlite_catalog.materializations_for_run(result.run_id)
        if m.asset_key != "order_count"
    ]
    assert mat.location is not None and "warehouse.duckdb" in mat.location


def test_sql_asset_over_upstream_frames(sqlite_catalog: Catalog) -> None:
    @asset
    def daily_orders() -> pd.DataFrame:
        return orders_frame()

    @asset(io_manager="duckdb")
    def rates() -> pd.DataFrame:
        return pd.DataFrame({"day": ["2024-01-01", "2024-01-02"], "rate": [1.0, 2.0]})

    revenue = sql_asset(
        "revenue",
        "SELECT o.day, sum(o.amount * r.rate) AS revenue FROM daily_orders o "
        "JOIN rates r ON o.day = r.day GROUP BY o.day ORDER BY o.day",
    )

    @asset
    def total(revenue: Any) -> float:
        df = revenue if isinstance(revenue, pd.DataFrame) else revenue.to_pandas()
        return float(df.revenue.sum())

    defs = Definitions(assets=[daily_orders, rates, revenue, total])
    assert [str(p) for p in defs.graph.parents(defs.graph.resolve("revenue"))] == [
        "daily_orders",
        "rates",
    ]
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success, result.failed_steps()
    value = result.output_for("revenue")
    df = value if isinstance(value, pd.DataFrame) else value.to_pandas()
    assert list(df.day) == ["2024-01-01", "2024-01-02"]
    # day 1: ids 1-4 amounts 0+1.5+3+4.5 at rate 1; day 2: 6+7.5+9 at rate 2
    assert list(df.revenue) == [9.0, 45.0]
    assert result.output_for("total") == 54.0
    mats = sqlite_catalog.latest_materializations(["revenue", "daily_orders", "rates"])
    assert {m.asset_key for m in sqlite_catalog.provenance(mats["revenue"].id)} == {
        "daily_orders",
        "rates",
    }
    assert mats["revenue"].metadata["row_count"] == 2


def test_multi_asset_outputs_are_stored_separately(
    sqlite_catalog: Catalog, assetline_home: Path
) -> None:
    @multi_asset(
        outs={
            "customers": AssetOut(),
            "addresses": AssetOut(key="crm/addresses", io_manager="duckdb"),
        }
    )
    def split_crm() -> tuple[pd.DataFrame, Output]:
        customers = pd.DataFrame({"id": [1, 2]})
        addresses = pd.DataFrame({"id": [1], "city": ["Oslo"]})
        return customers, Output(addresses, metadata={"source": "crm"}, data_version="crm-7")

    @asset
    def joined(customers: pd.DataFrame, addresses: pd.DataFrame) -> int:
        return len(customers) + len(addresses)

    result = materialize([split_crm, joined], catalog=sqlite_catalog)
    assert result.success
    assert result.output_for("joined") == 3
    assert files_under(assetline_home / "storage") == [
        "customers/data.parquet",
        "joined/data.pickle",
    ]
    mats = sqlite_catalog.latest_materializations(["customers", "crm/addresses"])
    assert mats["crm/addresses"].metadata["source"] == "crm"
    assert mats["crm/addresses"].data_version == "crm-7"
    assert mats["customers"].metadata["row_count"] == 2
    assert mats["customers"].run_id == mats["crm/addresses"].run_id == result.run_id


def test_multi_asset_returning_a_dict(sqlite_catalog: Catalog) -> None:
    @multi_asset(outs={"left": AssetOut(), "right": AssetOut()})
    def pair() -> dict[str, int]:
        return {"right": 2, "left": 1}

    result = materialize([pair], catalog=sqlite_catalog)
    assert (result.output_for("left"), result.output_for("right")) == (1, 2)


def test_multi_asset_with_a_wrong_return_fails_the_step(sqlite_catalog: Catalog) -> None:
    @multi_asset(outs={"left": AssetOut(), "right": AssetOut()})
    def pair() -> int:
        return 1

    result = materialize([pair], catalog=sqlite_catalog)
    assert result.status == "FAILURE"
    steps = {s.asset_key: s for s in sqlite_catalog.steps(result.run_id)}
    assert set(steps) == {"left", "right"}
    for step in steps.values():
        assert step.status == "FAILED"
        assert step.error is not None and "must return a tuple of 2 values" in step.error


def test_materialize_result_metadata_and_data_version(sqlite_catalog: Catalog) -> None:
    @asset
    def scored(context) -> MaterializeResult:  # type: ignore[no-untyped-def]
        context.add_metadata({"from_context": 1, "overridden": "context"})
        return MaterializeResult(
            orders_frame(3),
            metadata={"model": "v2", "overridden": "result"},
            data_version="2024-06-01",
        )

    result = materialize([scored], catalog=sqlite_catalog)
    [mat] = sqlite_catalog.materializations_for_run(result.run_id)
    assert mat.data_version == "2024-06-01"
    assert mat.metadata["model"] == "v2"
    assert mat.metadata["from_context"] == 1
    assert mat.metadata["overridden"] == "result"
    assert mat.metadata["row_count"] == 3
    pd.testing.assert_frame_equal(result.output_for("scored"), orders_frame(3))
    [event] = [e for e in sqlite_catalog.events(result.run_id) if e.type == "MATERIALIZATION"]
    assert event.data == {"data_version": "2024-06-01", "row_count": 3}


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_automatic_table_metadata(sqlite_catalog: Catalog, kind: str) -> None:
    frame = orders_frame(7)

    @asset
    def orders() -> Any:
        return frame if kind == "pandas" else pa.Table.from_pandas(frame, preserve_index=False)

    result = materialize([orders], catalog=sqlite_catalog)
    [mat] = sqlite_catalog.materializations_for_run(result.run_id)
    meta = mat.metadata
    assert meta["row_count"] == 7
    assert [c["name"] for c in meta["schema"]] == ["id", "day", "amount"]
    types = {c["name"]: c["type"] for c in meta["schema"]}
    assert types["id"] == "int64"
    assert types["amount"] == ("float64" if kind == "pandas" else "double")
    assert meta["preview"]["columns"] == ["id", "day", "amount"]
    assert meta["preview"]["rows"] == [
        [1, "2024-01-01", 0.0],
        [2, "2024-01-01", 1.5],
        [3, "2024-01-01", 3.0],
        [4, "2024-01-01", 4.5],
        [5, "2024-01-02", 6.0],
    ]


def test_non_table_values_get_light_metadata(sqlite_catalog: Catalog) -> None:
    @asset
    def things() -> list[int]:
        return [1, 2, 3]

    result = materialize([things], catalog=sqlite_catalog)
    [mat] = sqlite_catalog.materializations_for_run(result.run_id)
    assert mat.metadata == {"type": "list", "length": 3}


class RecordingIOManager(IOManager):
    """Keeps values in a dict and records every context it was given."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str | None], Any] = {}
        self.stored: list[OutputContext] = []
        self.loaded: list[InputContext] = []

    def store(self, context: OutputContext, value: Any) -> None:
        self.stored.append(context)
        self.values[(str(context.asset_key), context.partition_key)] = value

    def load(self, context: InputContext) -> Any:
        self.loaded.append(context)
        return self.values[(str(context.asset_key), context.partition_key)]


def test_custom_io_manager_gets_keys_metadata_and_consumer(sqlite_catalog: Catalog) -> None:
    io = RecordingIOManager()

    @asset(key="lake/source", io_manager="recording", metadata={"owner_note": "x"})
    def source() -> int:
        return 41

    @asset
    def consumer(source: int) -> int:
        return source + 1

    defs = Definitions(assets=[source, consumer], io_managers={"recording": io})
    result = materialize(defs, catalog=sqlite_catalog)
    assert result.success
    assert result.output_for("consumer") == 42
    [stored] = io.stored
    assert stored.asset_key.path == ("lake", "source")
    assert stored.partition_key is None
    assert dict(stored.metadata) == {"owner_note": "x"}
    assert stored.run_id == result.run_id
    [loaded] = io.loaded
    assert str(loaded.asset_key) == "lake/source"
    assert str(loaded.consumer_key) == "consumer"


def test_io_manager_override_replaces_a_builtin(
    sqlite_catalog: Catalog, assetline_home: Path
) -> None:
    io = RecordingIOManager()

    @asset
    def value() -> int:
        return 5

    result = materialize([value], io_managers={"fs": io}, catalog=sqlite_catalog)
    assert result.success
    assert io.values == {("value", None): 5}
    assert not (assetline_home / "storage").exists()


def test_failed_store_leaves_no_file_and_fails_the_step(
    sqlite_catalog: Catalog, assetline_home: Path
) -> None:
    @asset
    def unpicklable() -> Any:
        return lambda: None  # pickle cannot store a lambda

    result = materialize([unpicklable], catalog=sqlite_catalog)
    assert result.status == "FAILURE"
    [step] = sqlite_catalog.steps(result.run_id)
    assert step.error is not None and "Storing unpicklable" in step.error
    assert files_under(assetline_home / "storage") == []
    assert sqlite_catalog.materializations_for_run(result.run_id) == []
