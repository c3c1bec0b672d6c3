"""What running assets from Python looks like to a type checker (see
typecheck_decorators.py for the ``# E:`` convention). Never run, only type-checked."""

from __future__ import annotations

from typing import Any, assert_type

from assets_core import Definitions, RunResult, asset, materialize
from assets_core.execution.step import StepOutcome
from assets_core.testing import AssetRun, materialize_in_memory, run_asset


@asset
def orders() -> list[int]:
    return [1, 2, 3]


@asset
def order_count(orders: list[int]) -> int:
    return len(orders)


result = materialize([orders, order_count], selection="*")
assert_type(result, RunResult)
assert_type(result.success, bool)
assert_type(result.run_id, str)
assert_type(result.step("order_count"), StepOutcome)
# The stored value comes back through an IO manager: its type is not known statically.
assert_type(result.output_for("order_count"), Any)
assert_type(materialize(Definitions(assets=[orders]), ["orders"]), RunResult)
assert_type(materialize_in_memory([orders, order_count]), RunResult)
assert_type(run_asset(order_count, orders=[1, 2]), AssetRun)

# E: List item 0 has incompatible type "str"; expected "AssetsDefinition[Any] | AssetCheckDefinition[Any]"  [list-item]
materialize(["orders"])  # type: ignore[list-item]
# E: Argument "partition_range" to "materialize" has incompatible type "str"; expected "tuple[str, str] | None"  [arg-type]
materialize([orders], partition_range="2024-01-01")  # type: ignore[arg-type]
