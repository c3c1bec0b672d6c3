"""Check results on SQLite and PostgreSQL (``catalog/checks.py``)."""

from __future__ import annotations

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import WriteBatch
from tests.catalog.factories import check


def test_latest_result_of_each_check_and_one_history(catalog: Catalog) -> None:
    catalog.write(
        WriteBatch(
            check_results=[
                check("a", "c", True, 1.0),
                check("a", "c", False, 2.0),
                check("a", "d", True, 3.0),
                check("b", "c", True, 4.0),
            ]
        )
    )
    latest = catalog.latest_check_results(["a"])
    assert sorted(latest) == [("a", "c"), ("a", "d")]
    got = latest[("a", "c")]
    assert (got.passed, got.status, got.severity, got.blocking, got.metadata) == (
        False,
        "FAILED",
        "warn",
        True,
        {"n": 1},
    )
    assert [r.passed for r in catalog.check_history("a", "c")] == [False, True]
    assert [r.passed for r in catalog.check_history("a", "c", limit=1)] == [False]


def test_check_results_for_run(catalog: Catalog) -> None:
    catalog.write(
        WriteBatch(
            check_results=[
                check("a", "c", True, 1.0, run_id="r1"),
                check("b", "c", False, 2.0, run_id="r1"),
                check("a", "c", True, 3.0, run_id="r2"),
            ]
        )
    )
    assert [(r.asset_key, r.passed) for r in catalog.check_results_for_run("r1")] == [
        ("a", True),
        ("b", False),
    ]


def test_histories_of_many_checks_at_once(catalog: Catalog) -> None:
    catalog.write(
        WriteBatch(
            check_results=[check("a", "c", i % 2 == 0, float(i)) for i in range(4)]
            + [check("a", "other", True, 9.0), check("b", "c", True, 5.0)]
        )
    )
    found = catalog.check_histories([("a", "c"), ("b", "c"), ("b", "missing")], limit=3)
    assert {k: [r.timestamp for r in rs] for k, rs in found.items()} == {
        ("a", "c"): [3.0, 2.0, 1.0],
        ("b", "c"): [5.0],
        ("b", "missing"): [],
    }
    assert catalog.check_histories([("a", "c")], limit=0) == {("a", "c"): []}
