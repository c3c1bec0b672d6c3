"""Sensors in-process: their definition errors, what evaluating one returns (and the
message when it returns something else), RunRequest checks, and the context's reads,
cursor and dynamic partitions — the daemon adds only the child process around this."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assets_core import (
    Definitions,
    RunRequest,
    SensorContext,
    SkipReason,
    asset,
    materialize,
    sensor,
)
from assets_core.automation.sensors import SensorError, evaluate_sensor
from assets_core.catalog.catalog import Catalog
from assets_core.errors import DefinitionError


def evaluated(value: Any, cursor: str | None = None) -> Any:
    @sensor
    def returns(context: SensorContext) -> Any:
        return value

    return evaluate_sensor(returns, SensorContext("returns", cursor))


def test_what_a_sensor_may_return() -> None:
    assert evaluated(None).skip_reason == "the sensor requested no run"
    assert evaluated(SkipReason("no new files")).skip_reason == "no new files"
    one = evaluated(RunRequest(partition="2024-01-01", run_key="a"))
    assert one.skip_reason is None and [r.run_key for r in one.requests] == ["a"]
    many = evaluated([RunRequest(run_key="a"), RunRequest(run_key="b")])
    assert [r.run_key for r in many.requests] == ["a", "b"]
    assert evaluated(r for r in [RunRequest(run_key="g")]).requests[0].run_key == "g"
    assert evaluated([]).skip_reason == "the sensor returned no run request"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            42,
            "Sensor returns returned int (42); return a RunRequest, a list of them, "
            "SkipReason('why') or None.",
        ),
        (
            [RunRequest(), "x"],
            "Sensor returns returned a list holding str ('x'); a list may "
            "only hold RunRequest objects.",
        ),
        (
            {"partition": "a"},
            "Sensor returns returned dict ({'partition': 'a'}); return a "
            "RunRequest, a list of them, SkipReason('why') or None.",
        ),
    ],
)
def test_anything_else_is_an_error_naming_the_sensor_and_the_type(value: Any, message: str) -> None:
    with pytest.raises(SensorError) as info:
        evaluated(value)
    assert info.value.message == message


def test_run_request_checks() -> None:
    with pytest.raises(SensorError, match="partition= or partitions=, not both"):
        RunRequest(partition="a", partitions=["b"])
    with pytest.raises(SensorError, match="use a list of key strings"):
        RunRequest(partitions="abc")
    with pytest.raises(SensorError, match="must map strings to strings"):
        RunRequest(tags={"a": 1})  # type: ignore[dict-item]
    assert RunRequest(partitions=["a", "b"]).partition_keys == ["a", "b"]


def test_sensor_definition_errors_name_the_line() -> None:
    with pytest.raises(DefinitionError) as info:

        @sensor(interval="soon")
        def bad_interval() -> None: ...

    assert "Sensor 'bad_interval': Invalid duration 'soon'" in info.value.message
    assert info.value.message.startswith(f"{__file__}:")
    with pytest.raises(DefinitionError, match="the function takes 2 parameters"):

        @sensor
        def two(a: Any, b: Any) -> None: ...

    with pytest.raises(DefinitionError, match="default_status='paused' is not valid"):

        @sensor(default_status="paused")
        def paused() -> None: ...


def test_a_sensor_is_callable_in_tests_and_updates_its_cursor() -> None:
    @sensor(interval="5m", select="orders")
    def counter(context: SensorContext) -> SkipReason:
        context.update_cursor(str(int(context.cursor or "0") + 1))
        return SkipReason("counted")

    @sensor
    def plain() -> None:
        return None

    assert counter.interval_s == 300 and counter.select == "orders"
    context = SensorContext(cursor="41")
    assert counter(context) == SkipReason("counted") and context.cursor == "42"
    assert counter() == SkipReason("counted")  # an empty context
    assert plain() is None
    result = evaluate_sensor(counter, SensorContext("counter", "1"))
    assert (result.cursor, result.cursor_updated) == ("2", True)
    assert evaluate_sensor(plain, SensorContext("plain")).cursor_updated is False
    with pytest.raises(SensorError, match="update_cursor takes a string"):
        SensorContext().update_cursor(3)  # type: ignore[arg-type]


def test_the_context_reads_the_catalog_and_adds_dynamic_partitions(
    catalog: Catalog, assetline_home: Path
) -> None:
    @asset
    def orders() -> int:
        return 1

    materialize(Definitions(assets=[orders]), catalog=catalog, home=assetline_home)
    preview = SensorContext("s", catalog=catalog, dry_run=True)
    latest = preview.latest_materialization("orders")
    assert latest is not None and latest.asset_key == "orders"
    assert preview.latest_materialization("nothing") is None
    preview.add_dynamic_partitions("files", ["a.csv"])
    assert preview.dynamic_partitions("files") == ["a.csv"]  # seen in this tick
    assert catalog.dynamic_partitions("files") == []  # a preview adds nothing
    real = SensorContext("s", catalog=catalog)
    real.add_dynamic_partitions("files", ["a.csv", "b.csv"])
    assert catalog.dynamic_partitions("files") == ["a.csv", "b.csv"]
    with pytest.raises(SensorError, match="dynamic partition key 'x/y' contains a path"):
        real.add_dynamic_partitions("files", ["x/y"])
    with pytest.raises(SensorError, match="this context has no catalog"):
        SensorContext("s").latest_materialization("orders")
