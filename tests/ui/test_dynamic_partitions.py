"""Days x dynamic regions through the API (issue 11): ``partitionsDef`` lists the keys
the picker offers, ``partitionStats`` counts them, ``materialize`` takes a full key or
one day's key, and ``addDynamicPartitions`` knows the names of the code location — on
SQLite and PostgreSQL catalogs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import FIXTURES, UiServer, start_server

ADD = "mutation($n: String!, $k: [String!]!) { addDynamicPartitions(name: $n, keys: $k) }"
ASSET = """query($k: String!) { asset(key: $k) {
    partitionsDef { kind description total keys }
    partitionStats { total materialized failed missing ranges } } }"""


@pytest.fixture(scope="module")
def server(catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server for ``tests/fixtures/multi_dynamic.py``."""
    home: Path = tmp_path_factory.mktemp("home")
    ui = start_server(home, FIXTURES / "multi_dynamic.py", catalog_url=catalog_url)
    yield ui
    ui.close()


def test_days_by_dynamic_regions(server: UiServer) -> None:
    unknown = server.error(ADD, n="region", k=["eu"])
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    assert unknown["message"] == (
        "No DynamicPartitions named 'region' in the code location (known: regions). "
        "Did you mean 'regions'?"
    )
    added = server.data(ADD, n="regions", k=["eu", "us"])["addDynamicPartitions"]
    assert added == ["eu", "us"]

    sales = server.data(ASSET, k="sales")["asset"]
    assert sales["partitionsDef"] == {
        "kind": "multi",
        "description": (
            "multi (date: daily from 2024-01-01 until 2024-01-04 (UTC); region: dynamic 'regions')"
        ),
        "total": 6,
        "keys": [f"2024-01-0{d}|{r}" for d in (1, 2, 3) for r in ("eu", "us")],
    }
    assert sales["partitionStats"] == {
        "total": 6,
        "materialized": 0,
        "failed": 0,
        "missing": 6,
        "ranges": [{"start": "2024-01-01|eu", "end": "2024-01-03|us", "status": "MISSING",
                    "count": 6}],
    }  # fmt: skip

    # One region of one day, then one whole day (every region, and the day's total).
    one = server.wait_run(server.materialize("+sales_report", p=["2024-01-02|eu"]))
    assert one["status"] == "SUCCESS", one
    assert [(s["asset"], s["partition"]) for s in one["steps"]] == [
        ("sales", "2024-01-02|eu"),
        ("sales_report", "2024-01-02|eu"),
    ]
    day = server.wait_run(server.materialize("*", p=["2024-01-03"]))
    assert day["status"] == "SUCCESS", day
    assert sorted((s["asset"], s["partition"]) for s in day["steps"]) == [
        ("daily_total", "2024-01-03"),
        ("sales", "2024-01-03|eu"),
        ("sales", "2024-01-03|us"),
        ("sales_report", "2024-01-03|eu"),
        ("sales_report", "2024-01-03|us"),
    ]

    stats = server.data(ASSET, k="sales")["asset"]["partitionStats"]
    assert (stats["total"], stats["materialized"], stats["missing"]) == (6, 3, 3)
    assert [(r["start"], r["end"], r["status"]) for r in stats["ranges"]] == [
        ("2024-01-01|eu", "2024-01-01|us", "MISSING"),
        ("2024-01-02|eu", "2024-01-02|eu", "MATERIALIZED"),
        ("2024-01-02|us", "2024-01-02|us", "MISSING"),
        ("2024-01-03|eu", "2024-01-03|us", "MATERIALIZED"),
    ]
    total = server.data(ASSET, k="daily_total")["asset"]["partitionStats"]
    assert (total["total"], total["materialized"]) == (3, 1)

    # A region that is not a key: the run is refused before anything is queued.
    before = server.data("{ runs(limit: 100) { runs { id } } }")["runs"]["runs"]
    mutation = """mutation($s: String!, $p: [String!]) {
        materialize(selection: $s, partitions: $p) { id } }"""
    refused = server.error(mutation, s="sales", p=["2024-01-02|apac"])
    assert refused["extensions"]["code"] == "INVALID_PARTITION"
    assert refused["message"].startswith(
        "Asset sales: Partition key '2024-01-02|apac' has a bad 'region' part: 'apac' is not "
        "a key of dynamic partitions 'regions' (known keys: eu, us)."
    )
    assert server.data("{ runs(limit: 100) { runs { id } } }")["runs"]["runs"] == before
