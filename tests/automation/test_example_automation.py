"""The example project's automation: the daily schedule loads yesterday's sales (raw,
staging and marts, every region of the day) at 06:00, and the marts follow their
upstreams by themselves (Automation.eager())."""

from __future__ import annotations

from assets_core.catalog.catalog import Catalog
from assets_core.execution.request import RunSpec
from assets_core.execution.run import plan_run
from example_project import defs
from tests.automation.conftest import Clock, held_daemon


def test_the_daily_schedule_queues_yesterdays_sales_at_six(
    catalog: Catalog, catalog_url: str
) -> None:
    clock = Clock("2024-01-05T12:00:00+00:00")
    daemon = held_daemon(defs, catalog, catalog_url, clock)
    daemon.step(everything=True)
    clock.set("2024-01-06T06:00:00+00:00")
    (tick,) = [t for t in daemon.step().ticks if t.kind == "schedule"]
    assert (tick.name, tick.status) == ("daily_sales", "SUCCESS")
    run = catalog.get_run(tick.run_ids[0])
    assert run.partitions == ["2024-01-05"]
    steps = [s.id for s in plan_run(defs, catalog, RunSpec.of_record(run)).plan.steps]
    assert "raw/orders[2024-01-05]" in steps and "staging/stg_orders[2024-01-05]" in steps
    assert "marts/revenue_by_day" in steps
    assert [s for s in steps if s.startswith("marts/regional_sales")] == [
        "marts/regional_sales[2024-01-05|eu]",
        "marts/regional_sales[2024-01-05|us]",
        "marts/regional_sales[2024-01-05|apac]",
    ]
    assert not any(s.startswith(("marketing/", "raw/marketing_spend")) for s in steps)
    # After the demo's two weeks there is no "yesterday" to load: the tick says so.
    clock.set("2024-01-20T06:00:00+00:00")
    ticks = [t for t in daemon.step().ticks if t.kind == "schedule"]
    assert ticks[-1].status == "FAILURE"
    assert "previous_day' names no partition of daily from 2024-01-01" in (ticks[-1].error or "")


def test_the_marts_are_eager() -> None:
    graph = defs.graph
    marts = graph.groups["marts"]
    assert marts and all(
        graph.get(k).spec.automation is not None
        and graph.get(k).spec.automation.describe() == "eager()"  # type: ignore[union-attr]
        for k in marts
    )
