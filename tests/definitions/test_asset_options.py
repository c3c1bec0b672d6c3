"""Options of ``@asset`` and its policy objects are validated when the asset is defined,
with a message that names the asset, its file and line, and what to write instead.

Messages start with ``file:line:``: the asset's definition, or for a policy object
(``Retry``, ``Freshness``...) the user's line that made it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from assets_core import Automation, CheckResult, Freshness, Retry, asset, asset_check
from assets_core.errors import DefinitionError


def orders_function() -> Callable[..., Any]:
    """A fresh function to decorate, and where it is written."""

    def orders() -> list[int]:
        return [1]

    return orders


def where(fn: Callable[..., Any]) -> str:
    code = fn.__code__
    return f"{code.co_filename}:{code.co_firstlineno}"


def definition_error(**options: Any) -> tuple[str, str]:
    """The message of defining ``orders`` with ``options``, and where ``orders`` is."""
    fn = orders_function()
    with pytest.raises(DefinitionError) as info:
        asset(**options)(fn)
    return str(info.value), where(fn)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"owners": ["analytics"]},
            "Invalid owner 'analytics' of asset orders: use 'team:<name>' or an e-mail address.",
        ),
        (
            {"owners": ["team:"]},
            "Invalid owner 'team:' of asset orders: use 'team:<name>' or an e-mail address.",
        ),
        (
            {"owners": ["ana lyst@shop.com"]},
            "Invalid owner 'ana lyst@shop.com' of asset orders: use 'team:<name>' or "
            "an e-mail address.",
        ),
        (
            {"tags": {"tier": 1}},
            "Tag 'tier'=1 of orders: tag keys and values must be strings.",
        ),
        ({"tags": ["gold"]}, "tags of orders must be a dict of str to str."),
        (
            {"group": "sales team"},
            "Invalid group 'sales team' for orders: use [A-Za-z0-9_]+.",
        ),
        ({"code_version": 2}, "code_version of orders must be a string, e.g. '2'."),
        ({"io_manager": 3}, "io_manager of orders must be a name such as 'fs'."),
        (
            {"partitions": "daily"},
            "partitions= of orders must be a partitions definition such as "
            "DailyPartitions(start='2024-01-01'), got 'daily'.",
        ),
        ({"metadata": ["a"]}, "metadata of orders must be a dict."),
        (
            {"freshness": "26h"},
            "freshness= of orders must be Freshness(max_lag='26h').",
        ),
        (
            {"automation": "eager"},
            "automation= of orders must be Automation.eager(), .on_cron(...) or .on_missing().",
        ),
        ({"retry": 3}, "Asset orders: retry= must be a Retry(...)."),
        ({"pool": 1}, "Asset orders: pool= must be a pool name string."),
        (
            {"backfill": "whole"},
            "Asset orders: backfill='whole'; use 'multi_run' or 'single_run'.",
        ),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else None,
)
def test_bad_option(options: dict[str, Any], expected: str) -> None:
    message, at = definition_error(**options)
    assert message == f"{at}: {expected}"


def test_good_options_are_kept_on_the_spec() -> None:
    @asset(
        group="sales",
        code_version="3",
        owners=["team:analytics", "ana@shop.example.com"],
        tags={"tier": "gold"},
        metadata={"partition_column": "day"},
        io_manager="duckdb",
        retry=Retry(max_attempts=2, backoff_s=0.5),
        freshness=Freshness(max_lag="1h30m"),
        automation=Automation.on_cron("0 6 * * *"),
        pool="warehouse",
        backfill="single_run",
    )
    def orders() -> list[int]:
        """Orders, cleaned."""
        return [1]

    spec = orders.spec
    assert (spec.group, spec.code_version, spec.io_manager) == ("sales", "3", "duckdb")
    assert spec.owners == ("team:analytics", "ana@shop.example.com")
    assert dict(spec.tags) == {"tier": "gold"}
    assert dict(spec.metadata) == {"partition_column": "day"}
    assert spec.description == "Orders, cleaned."
    assert spec.freshness is not None and spec.freshness.max_lag_s == 5400
    assert orders.retry == Retry(max_attempts=2, backoff_s=0.5)
    assert (orders.pool, orders.backfill) == ("warehouse", "single_run")
    assert orders() == [1]  # still a plain, unit-testable function


def test_defaults() -> None:
    orders = asset(orders_function())
    spec = orders.spec
    assert (str(orders.key), spec.group, spec.kind) == ("orders", "default", "python")
    assert (spec.owners, dict(spec.tags), spec.partitions, spec.io_manager) == ((), {}, None, None)
    assert spec.description is None


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Retry(max_attempts=0), "Retry(max_attempts=0): use an int >= 1."),
        (lambda: Retry(max_attempts=1.5), "Retry(max_attempts=1.5): use an int >= 1."),
        (lambda: Retry(backoff_s=-1), "Retry backoff_s and max_backoff_s must be >= 0 seconds."),
        (lambda: Retry(jitter=2), "Retry(jitter=2): use a fraction in [0, 1]."),
        (
            lambda: Freshness(max_lag="soon"),
            "Invalid duration 'soon': write it like '26h', '1h30m', '90s' or '7d' (units ms, "
            "s, m, h, d, w).",
        ),
        (
            lambda: Freshness(max_lag="1d", cron="every morning"),
            "Invalid cron expression 'every morning': use five fields, e.g. '0 6 * * *' "
            "(06:00 daily).",
        ),
        (
            lambda: Automation.on_cron("61 * * * *"),
            "Invalid cron expression '61 * * * *': use five fields, e.g. '0 6 * * *' "
            "(06:00 daily).",
        ),
    ],
    ids=["retry-zero", "retry-float", "retry-backoff", "retry-jitter", "lag", "cron", "auto"],
)
def test_bad_policy(make: Callable[[], object], expected: str) -> None:
    with pytest.raises(DefinitionError) as info:
        make()
    # The location is the user's line that made the policy: here, the lambda's line.
    assert str(info.value) == f"{__file__}:{make.__code__.co_firstlineno}: {expected}"


def test_durations() -> None:
    assert Freshness(max_lag="1h30m").max_lag_s == 5400
    assert Freshness(max_lag=90).max_lag_s == 90
    assert Freshness(max_lag="2d").max_lag_s == 172800
    assert Retry(retry_on=TimeoutError).retry_on == (TimeoutError,)


@dataclass
class OrdersConfig:
    """Run config of an asset."""

    min_amount: float = 0.0


def test_config_parameter_must_be_a_dataclass() -> None:
    def orders(config: dict[str, Any]) -> list[int]:
        return [1]

    with pytest.raises(DefinitionError) as info:
        asset(orders)
    assert str(info.value) == (
        f"{where(orders)}: Asset orders: the 'config' parameter must be annotated with a "
        "dataclass, e.g. `config: MyConfig`."
    )


def test_config_dataclass_is_not_an_input() -> None:
    @asset
    def orders(context: object, config: OrdersConfig) -> list[int]:
        return [1]

    assert orders.config_type is OrdersConfig
    assert orders.takes_context
    assert orders.inputs == ()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "def orders(*upstreams): return 1",
            "Asset orders: *upstreams / **upstreams parameters are not supported; "
            "name each upstream asset as its own parameter.",
        ),
        (
            "def orders(raw, context): return 1",
            "Asset orders: 'context' must be the first parameter.",
        ),
    ],
    ids=["varargs", "context-not-first"],
)
def test_bad_signature(source: str, expected: str) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(source, "pipeline.py", "exec"), namespace)
    with pytest.raises(DefinitionError) as info:
        asset(namespace["orders"])
    assert str(info.value) == f"pipeline.py:1: {expected}"


def test_decorating_something_else_is_an_error() -> None:
    with pytest.raises(DefinitionError) as info:
        asset()("orders")
    assert info.tb is not None  # the frame of this test, at the line that raised
    assert str(info.value) == (
        f"{__file__}:{info.tb.tb_lineno}: @asset decorates a function, got 'orders'."
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"severity": "fatal"}, "severity='fatal'; use 'error' or 'warn'."),
        ({"blocking": "yes"}, "blocking= must be True or False."),
    ],
)
def test_bad_check_option(options: dict[str, Any], expected: str) -> None:
    def has_rows(orders: list[int]) -> CheckResult:
        return CheckResult(passed=bool(orders))

    with pytest.raises(DefinitionError) as info:
        asset_check(asset="orders", **options)(has_rows)
    assert str(info.value) == f"{where(has_rows)}: Check has_rows: {expected}"


def test_check_takes_only_the_asset_value() -> None:
    def compare(orders: list[int], customers: list[int]) -> CheckResult:
        return CheckResult(passed=True)

    with pytest.raises(DefinitionError) as info:
        asset_check(asset="orders")(compare)
    assert str(info.value) == (
        f"{where(compare)}: Check compare takes ['orders', 'customers']; a check receives "
        "only the value of orders (one parameter), optionally `context` first, and the "
        "parameters named in additional_ins=."
    )
