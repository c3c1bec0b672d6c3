"""Latest outcomes per (asset, partition), the aggregates status is computed from, and
dynamic partitions, on SQLite and PostgreSQL (``catalog/partitions.py``)."""

from __future__ import annotations

import threading
import time

from assets_core import Definitions, asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import NewMaterialization, WriteBatch
from assets_core.catalog.status import asset_statuses


def mat(asset_key: str, partition: str | None = None) -> NewMaterialization:
    return NewMaterialization(
        asset_key=asset_key,
        partition=partition,
        run_id="r",
        timestamp=time.time(),
        code_version=None,
        data_version=None,
        metadata={},
        location=None,
    )


def test_asset_outcomes_counts_and_latest(catalog: Catalog) -> None:
    catalog.write(WriteBatch(materializations=[mat("p", "2024-01-01")]))
    [latest] = catalog.write(WriteBatch(materializations=[mat("p", "2024-01-02")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-03", "r", time.time())]))
    catalog.write(WriteBatch(failures=[("broken", None, "r", time.time())]))

    outcomes = catalog.asset_outcomes(["p", "broken", "never"])
    done, failed, failed_root, mat_id, _at, code_version = outcomes["p"]
    assert (done, failed, failed_root, mat_id, code_version) == (2, 1, False, latest, None)
    assert outcomes["broken"] == (0, 1, True, None, None, None)
    assert "never" not in outcomes


def _trivial_assets(n: int) -> Definitions:
    def make(name: str) -> object:
        def fn() -> int:
            return 1

        fn.__name__ = name
        return asset(fn)

    return Definitions(assets=[make(f"a{i}") for i in range(n)])


def test_status_reads_while_assets_are_first_materialized(catalog_url: str) -> None:
    """Issue 14: an asset materialized for the first time while statuses are being read
    made ``asset_outcomes`` raise ``KeyError`` (the GraphQL ``assets`` query answered
    INTERNAL): its two queries saw two states of the catalog."""
    n = 400
    graph = _trivial_assets(n).graph
    reader, writer = Catalog.open(catalog_url), Catalog.open(catalog_url)
    finished = threading.Event()

    def materialize_one_by_one() -> None:
        try:
            for i in range(n):
                writer.write(WriteBatch(materializations=[mat(f"a{i}")]))
        finally:
            finished.set()

    thread = threading.Thread(target=materialize_one_by_one)
    reads = 0
    try:
        thread.start()
        while not finished.is_set():
            statuses = asset_statuses(graph, reader, with_records=False)
            fresh = {str(k) for k, s in statuses.items() if s.status == "FRESH"}
            assert {s.status for s in statuses.values()} <= {"MISSING", "FRESH"}
            # Materialized one by one, in order: a consistent read sees a prefix.
            assert fresh == {f"a{i}" for i in range(len(fresh))}
            reads += 1
    finally:
        thread.join()
        reader.close()
        writer.close()
    assert reads > 5
    final = Catalog.open(catalog_url)
    try:
        assert {s.status for s in asset_statuses(graph, final).values()} == {"FRESH"}
    finally:
        final.close()


def test_dynamic_partitions(catalog: Catalog) -> None:
    assert catalog.add_dynamic_partitions("customers", ["acme", "globex"]) == 2
    assert catalog.add_dynamic_partitions("customers", ["acme", "initech"]) == 1
    assert catalog.dynamic_partitions("customers") == ["acme", "globex", "initech"]
    assert catalog.delete_dynamic_partitions("customers", ["globex"]) == 1
    assert catalog.dynamic_partitions("customers") == ["acme", "initech"]
    assert catalog.dynamic_partitions("other") == []
