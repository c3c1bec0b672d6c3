"""Latest outcomes per (asset, partition), the aggregates status is computed from, and
dynamic partitions, on SQLite and PostgreSQL (``catalog/partitions.py``)."""

from __future__ import annotations

import threading
import time

from assets_core import AssetsDefinition, Definitions, asset
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import WriteBatch
from assets_core.catalog.status import asset_statuses
from tests.catalog.factories import check, mat


def test_latest_outcome_per_partition(catalog: Catalog) -> None:
    [first] = catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-02", "r", time.time())]))
    [second] = catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    # A failure keeps the partition's last good materialization.
    catalog.write(WriteBatch(failures=[("p", "2024-01-01", "r2", time.time())]))

    rows = {r.partition: r for r in catalog.partition_rows(["p"], all_partitions=True)}
    assert (rows["2024-01-01"].status, rows["2024-01-01"].materialization_id) == (
        "FAILED",
        second,
    )
    assert rows["2024-01-01"].run_id == "r2" and rows["2024-01-01"].failed_at is not None
    assert (rows["2024-01-02"].status, rows["2024-01-02"].materialization_id) == ("FAILED", None)
    assert [m.id for m in catalog.materializations("p")] == [second, first]
    assert catalog.partition_statuses("p") == {"2024-01-01": "FAILED", "2024-01-02": "FAILED"}
    assert [r.partition for r in catalog.partition_rows(["p"], "2024-01-02")] == ["2024-01-02"]
    assert {(r.asset_key, r.partition) for r in catalog.all_partition_rows()} == {
        ("p", "2024-01-01"),
        ("p", "2024-01-02"),
    }


def test_latest_attempts_by_key_lists_and_by_one_scan_agree(catalog: Catalog) -> None:
    """The automation reads the latest outcomes with IN lists, or with one scan of the
    table when it wants most of it; both keep only the assets asked for."""
    keys = [f"k{i}" for i in range(950)]  # more than one IN list (900 per statement)
    catalog.write(WriteBatch(materializations=[mat(k, "r") for k in keys]))
    catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01"), mat("other", "r")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-02", "r", time.time())]))
    wanted = [*keys, "p"]
    listed = catalog.latest_attempts(wanted)
    scanned = catalog.latest_attempts(wanted, scan=True)
    assert sorted(listed) == sorted(scanned)
    assert {r[0] for r in scanned} == set(wanted)  # not "other"
    p_rows = {(r[1], bool(r[2]), bool(r[3])) for r in scanned if r[0] == "p"}
    assert p_rows == {("2024-01-01", False, True), ("2024-01-02", True, False)}


def test_partition_statuses(catalog: Catalog) -> None:
    catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-02", "r", time.time())]))
    assert catalog.partition_statuses("p") == {
        "2024-01-01": "MATERIALIZED",
        "2024-01-02": "FAILED",
    }


def test_partition_outcomes_classify_stale_code_versions(catalog: Catalog) -> None:
    catalog.write(WriteBatch(materializations=[mat("p", "r", "k1", timestamp=10.0)]))
    catalog.write(WriteBatch(materializations=[mat("p", "r", "k2", timestamp=20.0)]))
    catalog.write(WriteBatch(failures=[("p", "k3", "r", 30.0)]))
    # Every materialization of the factory has code version "1".
    assert sorted(catalog.partition_outcomes("p")) == [("k1", 1), ("k2", 1), ("k3", 0)]
    assert sorted(catalog.partition_outcomes("p", "1")) == [("k1", 1), ("k2", 1), ("k3", 0)]
    assert sorted(catalog.partition_outcomes("p", "2", with_times=True)) == [
        ("k1", 2, 10.0),
        ("k2", 2, 20.0),
        ("k3", 0, 30.0),
    ]


def test_the_change_marker_moves_with_every_outcome(catalog: Catalog) -> None:
    seen = [catalog.change_marker()]
    catalog.write(WriteBatch(materializations=[mat("a", "r")]))
    seen.append(catalog.change_marker())
    catalog.write(WriteBatch(failures=[("a", None, "r", time.time() + 1)]))
    seen.append(catalog.change_marker())
    catalog.write(WriteBatch(check_results=[check("a", "c", True, 1.0)]))
    seen.append(catalog.change_marker())
    assert len(set(seen)) == 4
    catalog.add_events([])
    assert catalog.change_marker() == seen[-1]


def test_asset_outcomes_counts_and_latest(catalog: Catalog) -> None:
    catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-01")]))
    [latest] = catalog.write(WriteBatch(materializations=[mat("p", "r", "2024-01-02")]))
    catalog.write(WriteBatch(failures=[("p", "2024-01-03", "r", time.time())]))
    catalog.write(WriteBatch(failures=[("broken", None, "r", time.time())]))

    outcomes = catalog.asset_outcomes(["p", "broken", "never"])
    done, failed, failed_root, mat_id, _at, code_version = outcomes["p"]
    assert (done, failed, failed_root, mat_id, code_version) == (2, 1, False, latest, "1")
    assert outcomes["broken"] == (0, 1, True, None, None, None)
    assert "never" not in outcomes


def _trivial_assets(n: int) -> Definitions:
    def make(name: str) -> AssetsDefinition:
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
                time.sleep(0.001)  # let the reader read while the assets appear
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


def test_the_change_marker_moves_when_dynamic_keys_change(catalog: Catalog) -> None:
    """A status cache keyed by the marker must see new or deleted dynamic partition
    keys (``partitionStats.total`` stayed stale for up to 15 s before)."""
    seen = [catalog.change_marker()]
    catalog.add_dynamic_partitions("customers", ["acme"])
    seen.append(catalog.change_marker())
    catalog.delete_dynamic_partitions("customers", ["acme"])
    seen.append(catalog.change_marker())
    assert len(set(seen)) == 3
