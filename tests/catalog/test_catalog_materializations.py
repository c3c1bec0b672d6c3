"""Materializations, provenance, latest versions and columns on SQLite and PostgreSQL
(``catalog/materializations.py``)."""

from __future__ import annotations

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import WriteBatch
from tests.catalog.factories import mat


def write(catalog: Catalog, *mats: object) -> list[int]:
    return catalog.write(WriteBatch(materializations=list(mats)))  # type: ignore[arg-type]


def test_history_newest_first_by_page_and_partition(catalog: Catalog) -> None:
    ids = [write(catalog, mat("p", partition=f"2024-01-0{i % 2 + 1}"))[0] for i in range(5)]
    assert [m.id for m in catalog.materializations("p")] == ids[::-1]
    assert [m.id for m in catalog.materializations("p", limit=2)] == ids[:2:-1]
    assert [m.id for m in catalog.materializations("p", before=ids[2])] == ids[1::-1]
    assert [m.id for m in catalog.materializations("p", partition="2024-01-02")] == ids[1::2][::-1]
    assert catalog.materializations("nothing") == []


def test_materializations_for_run_and_by_id(catalog: Catalog) -> None:
    a, _ = write(catalog, mat("a", "r1"), mat("b", "r1"))
    [c] = write(catalog, mat("c", "r2"))
    assert [m.asset_key for m in catalog.materializations_for_run("r1")] == ["a", "b"]
    found = catalog.materializations_by_id([c, a, a, 10_000])
    assert {i: m.asset_key for i, m in found.items()} == {a: "a", c: "c"}
    assert found[a].location == "/tmp/a" and found[a].partition is None


def test_latest_of_each_asset_prefers_the_unpartitioned_row(catalog: Catalog) -> None:
    write(catalog, mat("p", partition="2024-01-01", timestamp=100.0))
    [newest] = write(catalog, mat("p", partition="2024-01-02", timestamp=200.0))
    write(catalog, mat("p", partition="2024-01-03", timestamp=150.0))
    [plain] = write(catalog, mat("u", timestamp=50.0))
    latest = catalog.latest_materializations(["p", "u", "missing"])
    assert {k: m.id for k, m in latest.items()} == {"p": newest, "u": plain}
    one = catalog.latest_materializations(["p"], "2024-01-01")
    assert one["p"].partition == "2024-01-01"


def test_latest_versions_per_partition(catalog: Catalog) -> None:
    write(catalog, mat("p", partition="2024-01-01"))
    [second] = write(catalog, mat("p", partition="2024-01-01"))
    [other] = write(catalog, mat("q"))
    assert catalog.latest_versions(["p", "q"]) == {
        ("p", "2024-01-01"): (second, "dv-p"),
        ("q", None): (other, "dv-q"),
    }


def test_latest_columns_from_the_schema_metadata(catalog: Catalog) -> None:
    schema = [{"name": "id", "type": "int64"}, {"name": "amount", "type": "double"}, "junk"]
    write(catalog, mat("t", metadata={"schema": [{"name": "old"}]}, timestamp=1.0))
    write(catalog, mat("t", metadata={"schema": schema}, timestamp=2.0))
    write(catalog, mat("no_schema", metadata={"row_count": 1}))
    assert catalog.latest_columns(["t", "no_schema", "missing"]) == {"t": ["id", "amount"]}


def test_histories_of_many_assets_at_once(catalog: Catalog) -> None:
    a_ids = [write(catalog, mat("a", partition=f"k{i % 2}"))[0] for i in range(4)]
    b_ids = [write(catalog, mat("b"))[0] for _ in range(2)]
    found = catalog.materialization_histories(["a", "b", "c"], limit=3)
    assert {k: [m.id for m in ms] for k, ms in found.items()} == {
        "a": a_ids[:0:-1],
        "b": b_ids[::-1],
        "c": [],
    }
    paged = catalog.materialization_histories(["a"], limit=5, before=a_ids[3], partition="k0")
    assert [m.id for m in paged["a"]] == [a_ids[2], a_ids[0]]
    assert catalog.materialization_histories(["a"], limit=0) == {"a": []}


def test_provenance_lists_what_was_consumed(catalog: Catalog) -> None:
    a, b = write(catalog, mat("a"), mat("b"))
    [c] = write(catalog, mat("c", upstream=(b, a, b)))
    found = catalog.upstream_ids([c, a])
    assert {k: sorted(v) for k, v in found.items()} == {c: sorted([a, b]), a: []}
    assert sorted(m.asset_key for m in catalog.provenance(c)) == ["a", "b"]
    assert catalog.provenance(a) == []
