"""run_check: the user-code boundary for checks, CheckContext and CheckEvaluation."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from assets_core.checks import (
    AssetCheckDefinition,
    CheckContext,
    CheckEvaluation,
    CheckResult,
    asset_check,
    run_check,
)
from assets_core.errors import DefinitionError, UsageError
from assets_core.keys import AssetKey

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def ctx(partition: str | None = None, **kwargs: Any) -> CheckContext:
    return CheckContext(AssetKey.parse("sales/orders"), partition_key=partition, now=NOW, **kwargs)


def line_of(check: AssetCheckDefinition) -> str:
    assert check.location is not None
    return f"{check.location.file}:{check.location.line}"


def test_passing_check_receives_the_value_and_records_metadata() -> None:
    @asset_check(asset="sales/orders")
    def positive(orders: pd.DataFrame) -> CheckResult:
        bad = int((orders.amount < 0).sum())
        return CheckResult(passed=bad == 0, metadata={"bad_rows": bad})

    ev = run_check(positive, pd.DataFrame({"amount": [1, 2]}), ctx("2024-01-01"))

    assert (ev.status, ev.passed, ev.metadata) == ("PASSED", True, {"bad_rows": 0})
    assert (ev.check_name, ev.asset_key, ev.partition_key) == (
        "positive",
        AssetKey(("sales", "orders")),
        "2024-01-01",
    )
    assert ev.error is None and ev.traceback is None
    assert ev.duration_s >= 0
    assert ev.check_id == "sales/orders:positive"


def test_failing_check_keeps_its_description_and_severity() -> None:
    @asset_check(asset="sales/orders", severity="warn", description="amounts >= 0")
    def positive(orders: pd.DataFrame) -> CheckResult:
        return CheckResult(passed=False, metadata={"bad_rows": 3})

    ev = run_check(positive, pd.DataFrame(), ctx())

    assert (ev.status, ev.passed, ev.severity) == ("FAILED", False, "warn")
    assert ev.description == "amounts >= 0"
    assert ev.message == "amounts >= 0"


def test_context_is_passed_only_to_checks_that_take_it() -> None:
    seen: dict[str, Any] = {}

    @asset_check(asset="sales/orders")
    def with_context(context: CheckContext, orders: Any) -> CheckResult:
        seen["context"], seen["value"] = context, orders
        context.log.info("checked %s", context.asset_key)
        return CheckResult(passed=context.resources.threshold == 3)

    @asset_check(asset="sales/orders")
    def without_value(context: CheckContext) -> CheckResult:
        return CheckResult(passed=context.run_id == "r1")

    @asset_check(asset="sales/orders")
    def value_only(orders: Any) -> CheckResult:
        return CheckResult(passed=orders == "the value")

    context = ctx(resources=SimpleNamespace(threshold=3), run_id="r1")
    assert run_check(with_context, "the value", context).passed
    assert seen == {"context": context, "value": "the value"}
    assert run_check(without_value, "ignored", context).passed
    assert not without_value.needs_value and value_only.needs_value
    assert run_check(value_only, "the value", context).passed


def test_keyword_only_and_positional_only_value_parameters() -> None:
    @asset_check(asset="sales/orders")
    def keyword(*, orders: Any) -> CheckResult:
        return CheckResult(passed=orders == 1)

    @asset_check(asset="sales/orders")
    def positional(context: CheckContext, orders: Any, /) -> CheckResult:
        return CheckResult(passed=orders == 1 and context.partition_key == "p")

    assert run_check(keyword, 1, ctx()).status == "PASSED"
    assert run_check(positional, 1, ctx("p")).status == "PASSED"


def test_a_check_that_raises_is_errored_with_its_traceback() -> None:
    @asset_check(asset="sales/orders")
    def broken(orders: Any) -> CheckResult:
        return CheckResult(passed=1 / 0 > 0)

    ev = run_check(broken, None, ctx())

    assert (ev.status, ev.passed, ev.metadata) == ("ERRORED", False, {})
    assert ev.error == (
        f"Check 'broken' on sales/orders ({line_of(broken)}) raised ZeroDivisionError: "
        "division by zero"
    )
    assert ev.traceback is not None
    assert "in broken" in ev.traceback
    assert ev.traceback.rstrip().endswith("ZeroDivisionError: division by zero")


@pytest.mark.parametrize(
    ("returned", "shown"),
    [
        (True, "bool True"),
        (None, "NoneType None"),
        ({"passed": True}, "dict {'passed': True}"),
    ],
)
def test_returning_something_else_than_check_result_is_errored(returned: Any, shown: str) -> None:
    @asset_check(asset="sales/orders")
    def sloppy(orders: Any) -> Any:
        return returned

    ev = run_check(sloppy, None, ctx())

    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'sloppy' on sales/orders ({line_of(sloppy)}) returned {shown}; a check must "
        "return CheckResult(passed=..., metadata={...})."
    )
    assert ev.traceback is None


def test_passed_must_be_a_bool_but_numpy_bools_are_accepted() -> None:
    frame = pd.DataFrame({"amount": [1, -1]})

    @asset_check(asset="sales/orders")
    def series(orders: pd.DataFrame) -> CheckResult:
        return CheckResult(passed=orders.amount > 0)  # type: ignore[arg-type]

    @asset_check(asset="sales/orders")
    def numpy_bool(orders: pd.DataFrame) -> CheckResult:
        return CheckResult(passed=(orders.amount > 0).all())  # type: ignore[arg-type]

    ev = run_check(series, frame, ctx())
    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'series' on sales/orders ({line_of(series)}) returned "
        "CheckResult(passed=pandas.Series); passed must be True or False, e.g. "
        "passed=bool((df.amount >= 0).all())."
    )
    numpy_ev = run_check(numpy_bool, frame, ctx())
    assert (numpy_ev.status, numpy_ev.passed) == ("FAILED", False)


def test_async_checks_are_errored_without_warnings() -> None:
    async def later(orders: Any) -> CheckResult:
        return CheckResult(passed=True)

    check = asset_check(asset="sales/orders")(later)
    ev = run_check(check, None, ctx())
    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'later' on sales/orders ({line_of(check)}) is a coroutine function; checks "
        "must be plain functions that return CheckResult(passed=..., metadata={...})."
    )


def test_result_severity_overrides_the_checks() -> None:
    @asset_check(asset="sales/orders", severity="error", blocking=True)
    def soft(orders: Any) -> CheckResult:
        return CheckResult(passed=False, severity="warn")

    @asset_check(asset="sales/orders", severity="warn", blocking=True)
    def hard(orders: Any) -> CheckResult:
        return CheckResult(passed=False, severity="error")

    @asset_check(asset="sales/orders")
    def bad(orders: Any) -> CheckResult:
        return CheckResult(passed=False, severity="fatal")  # type: ignore[arg-type]

    assert run_check(soft, None, ctx()).severity == "warn"
    assert not run_check(soft, None, ctx()).blocks_downstream
    assert run_check(hard, None, ctx()).severity == "error"
    assert run_check(hard, None, ctx()).blocks_downstream
    ev = run_check(bad, None, ctx())
    assert ev.status == "ERRORED"
    assert ev.error == (
        f"Check 'bad' on sales/orders ({line_of(bad)}) returned severity='fatal'; use "
        "'error' or 'warn'."
    )


def _evaluation(status: str, severity: str, blocking: bool) -> CheckEvaluation:
    return CheckEvaluation(
        check_name="c", asset_key=AssetKey(("a",)), partition_key=None,
        passed=status == "PASSED", severity=severity, blocking=blocking,  # type: ignore[arg-type]
        metadata={}, description=None, error=None, traceback=None, duration_s=0.0,
        status=status,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "severity", "blocking", "blocks"),
    [
        ("PASSED", "error", True, False),
        ("FAILED", "error", True, True),
        ("ERRORED", "error", True, True),
        ("FAILED", "warn", True, False),
        ("ERRORED", "warn", True, False),
        ("FAILED", "error", False, False),
        ("ERRORED", "error", False, False),
    ],
)
def test_blocks_downstream(status: str, severity: str, blocking: bool, blocks: bool) -> None:
    assert _evaluation(status, severity, blocking).blocks_downstream is blocks


@pytest.mark.parametrize(
    ("status", "severity", "default", "strict"),
    [
        ("PASSED", "error", False, False),
        ("PASSED", "warn", False, False),
        ("FAILED", "error", True, True),
        ("ERRORED", "error", True, True),
        ("FAILED", "warn", False, True),
        ("ERRORED", "warn", False, True),
    ],
)
def test_fails_run(status: str, severity: str, default: bool, strict: bool) -> None:
    ev = _evaluation(status, severity, blocking=False)
    assert (ev.fails_run(), ev.fails_run(strict=True)) == (default, strict)


def test_metadata_is_made_json_safe() -> None:
    @asset_check(asset="sales/orders")
    def rich(orders: Any) -> CheckResult:
        return CheckResult(
            passed=True,
            metadata={
                "count": np.int64(3),
                "ratio": np.float32(0.5),
                "missing": float("nan"),
                "big": float("inf"),
                "when": pd.Timestamp("2024-01-01", tz="UTC"),
                "nat": pd.NaT,
                "na": pd.NA,
                "dt64": np.datetime64("2024-01-02T03:04:05"),
                "array": np.array([1, 2]),
                "series": pd.Series([1.5, None]),
                "key": AssetKey(("a", "b")),
                "nested": {1: {"tuple": (1, "x")}, "set": {"b", "a"}},
                "long": list(range(1500)),
            },
        )

    meta = run_check(rich, None, ctx()).metadata

    assert json.loads(json.dumps(meta, allow_nan=False)) == meta
    assert {k: v for k, v in meta.items() if k != "long"} == {
        "count": 3,
        "ratio": 0.5,
        "missing": None,
        "big": "inf",
        "when": "2024-01-01T00:00:00+00:00",
        "nat": None,
        "na": None,
        "dt64": "2024-01-02T03:04:05",
        "array": [1, 2],
        "series": [1.5, None],
        "key": "a/b",
        "nested": {"1": {"tuple": [1, "x"]}, "set": ["a", "b"]},
    }
    assert meta["long"][:2] == [0, 1]
    assert meta["long"][1000:] == ["... 500 more"]


def test_metadata_must_be_a_mapping() -> None:
    @asset_check(asset="sales/orders")
    def listy(orders: Any) -> CheckResult:
        return CheckResult(passed=True, metadata=[1, 2])  # type: ignore[arg-type]

    ev = run_check(listy, None, ctx())
    assert ev.error == (
        f"Check 'listy' on sales/orders ({line_of(listy)}) returned metadata of type "
        "list [1, 2]; pass a dict."
    )


def test_context_defaults_and_validation() -> None:
    context = CheckContext("sales/orders")  # type: ignore[arg-type]
    assert context.asset_key == AssetKey(("sales", "orders"))
    assert context.now.tzinfo is not None
    assert isinstance(context.log, logging.Logger)
    assert context.partition_key is None and context.last_materialized_at is None
    with pytest.raises(UsageError) as exc:
        CheckContext(AssetKey(("a",)), now=datetime(2024, 1, 1))
    assert str(exc.value) == (
        "CheckContext.now must be timezone-aware (got 2024-01-01T00:00:00); pass e.g. "
        "datetime.now(UTC) or value.replace(tzinfo=UTC)."
    )


def test_to_dict_is_json_serialisable() -> None:
    @asset_check(asset="sales/orders")
    def ok(orders: Any) -> CheckResult:
        return CheckResult(passed=True, metadata={"n": 1}, description="fine")

    data = run_check(ok, None, ctx("p1")).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {k: data[k] for k in ("asset_key", "check_name", "partition_key", "status")} == {
        "asset_key": "sales/orders",
        "check_name": "ok",
        "partition_key": "p1",
        "status": "PASSED",
    }


def test_asset_check_definition_errors() -> None:
    def two(a: Any, b: Any) -> CheckResult:
        return CheckResult(passed=True)

    with pytest.raises(DefinitionError) as exc:
        asset_check(asset="sales/orders")(two)
    assert str(exc.value) == (
        f"{two.__code__.co_filename}:{two.__code__.co_firstlineno}: Check two takes "
        "['a', 'b']; a check receives only the value of sales/orders (one parameter), "
        "optionally `context` first, and the parameters named in additional_ins=."
    )
    with pytest.raises(DefinitionError) as exc:
        asset_check(asset="sales/orders", blocking="yes")(two)  # type: ignore[arg-type]
    assert str(exc.value).endswith(": Check two: blocking= must be True or False.")
