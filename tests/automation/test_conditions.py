"""The automation conditions, evaluated against a real catalog (SQLite and PostgreSQL):
eager on partitioned chains with mappings, on_missing, on_cron, freshness, combinations,
the reason recorded for each decision, and the runs a tick queues."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from assets_core import (
    AssetIn,
    Automation,
    DailyPartitions,
    Definitions,
    Freshness,
    StaticPartitions,
    TimeWindowMapping,
    asset,
    materialize,
)
from assets_core.automation.automation_tick import AutomationOutcome, AutomationTicker
from assets_core.catalog.catalog import Catalog

DAYS = DailyPartitions(start="2024-01-01", end="2024-01-06")  # 01 ... 05
FAIL: set[str] = set()  # "asset[partition]" that raise


def _maybe_fail(context: Any) -> None:
    if f"{context.asset_key}[{context.partition_key}]" in FAIL:
        raise RuntimeError("told to fail")


@asset(partitions=DAYS)
def raw(context: Any) -> int:
    _maybe_fail(context)
    return 1


@asset(partitions=DAYS, automation=Automation.eager())
def stg(context: Any, raw: int) -> int:
    _maybe_fail(context)
    return raw + 1


@asset(
    partitions=DAYS,
    ins={"stg": AssetIn("stg", partition_mapping=TimeWindowMapping(start_offset=-1))},
    automation=Automation.eager(),
)
def rolling(stg: Any) -> int:
    return 1


@asset(automation=Automation.eager())
def total(rolling: Any) -> int:
    return 1


CHAIN = [raw, stg, rolling, total]


@pytest.fixture(autouse=True)
def _no_failures() -> Iterator[None]:
    FAIL.clear()
    yield
    FAIL.clear()


class Harness:
    """A catalog, definitions and a ticker; ``tick()`` evaluates and commits."""

    def __init__(self, defs: Definitions, catalog: Catalog, home: Path) -> None:
        self.defs, self.catalog, self.home = defs, catalog, home
        self.ticker = AutomationTicker(defs.graph, catalog)

    def run(self, selection: str, *parts: str) -> None:
        kw: dict[str, Any] = {}
        if len(parts) == 1:
            kw["partition"] = parts[0]
        elif parts:
            kw["partition_range"] = parts
        materialize(self.defs, selection, catalog=self.catalog, home=self.home, **kw)

    def tick(self, now: float | None = None, commit: bool = True) -> AutomationOutcome:
        out = self.ticker.tick(now or time.time())
        if commit:
            self.catalog.commit_evaluation_tick(out.commit, out.evaluations, out.events)
            self.ticker.committed(out)
        return out

    def finish_queued(self) -> None:
        """Run the queued runs here (as the daemon's children would)."""
        from assets_core.execution.launch import execute_queued_run

        for run in self.catalog.runs_in_status(["QUEUED"]):
            execute_queued_run(self.defs, self.catalog, run.id, handle_signals=False)


def reasons(out: AutomationOutcome) -> dict[str, list[tuple[bool, str, Any]]]:
    found: dict[str, list[tuple[bool, str, Any]]] = {}
    for e in out.evaluations:
        found.setdefault(e.asset_key, []).append((e.requested, e.reason, e.partitions))
    return found


def runs(out: AutomationOutcome) -> list[tuple[str, list[str]]]:
    return [(r.selection, r.partitions) for r in out.commit.runs]


@pytest.fixture
def chain(catalog: Catalog, assetline_home: Path) -> Harness:
    return Harness(Definitions(assets=CHAIN), catalog, assetline_home)


def test_nothing_to_do_when_everything_is_up_to_date(chain: Harness) -> None:
    chain.run("*", "2024-01-01", "2024-01-05")
    out = chain.tick()
    assert out.commit.status == "SKIPPED" and out.commit.runs == []
    assert reasons(out)["stg"] == [
        (False, "up to date with its upstreams", [("2024-01-01", "2024-01-05")])
    ]
    assert reasons(out)["total"] == [(False, "up to date with its upstreams", None)]
    # Nothing changed: nothing is written again.
    assert chain.tick().evaluations == []


def test_an_updated_upstream_partition_requests_the_mapped_partitions(chain: Harness) -> None:
    chain.run("*", "2024-01-01", "2024-01-05")
    chain.tick()
    chain.run("raw", "2024-01-03")
    out = chain.tick()
    got = reasons(out)
    (requested,) = [r for r in got["stg"] if r[0]]
    assert requested[2] == [("2024-01-03", "2024-01-03")]
    assert requested[1].startswith("upstream raw 2024-01-03 updated at ")
    # rolling reads stg's day and the day before: 03 and 04 read stg 03. Only 03 can
    # run with stg in one run; 04 (and total) follow once that run is done.
    assert got["rolling"] == [
        (
            False,
            "up to date with its upstreams",
            [("2024-01-01", "2024-01-02"), ("2024-01-05", "2024-01-05")],
        ),
        (
            False,
            "waiting: upstream stg is requested in this tick in another run; it follows once "
            "that run is done",
            [("2024-01-04", "2024-01-04")],
        ),
        (True, "upstream stg is requested in this tick", [("2024-01-03", "2024-01-03")]),
    ]
    assert runs(out) == [("stg, rolling", ["2024-01-03"])]
    assert got["total"][0][1].startswith("waiting: upstream rolling is requested in this tick")

    # Next tick: the run is queued; its partitions are in flight.
    out = chain.tick()
    got = reasons(out)
    assert (
        False,
        "skipped: a run for it is already queued or running",
        [("2024-01-03", "2024-01-03")],
    ) in got["stg"]
    assert (
        False,
        "waiting: upstream stg has a run queued or in progress",
        [("2024-01-04", "2024-01-04")],
    ) in got["rolling"]
    assert out.commit.runs == []

    # Once it ran, rolling 04 and total follow, in one run.
    chain.finish_queued()
    out = chain.tick()
    assert runs(out) == [("rolling, total", ["2024-01-04"])]
    requested, why, parts = reasons(out)["rolling"][-1]
    assert requested and parts == [("2024-01-04", "2024-01-04")]
    assert why.startswith("upstream stg 2024-01-03 updated at ")
    chain.finish_queued()
    assert chain.tick().commit.runs == []  # settled


def test_missing_and_failed_upstreams_block(chain: Harness) -> None:
    chain.run("raw", "2024-01-01", "2024-01-02")
    FAIL.add("raw[2024-01-03]")
    chain.run("raw", "2024-01-03")
    out = chain.tick()
    got = {p[0][0] if p else None: (req, why) for req, why, p in reasons(out)["stg"]}
    assert got["2024-01-01"] == (True, "upstream raw updated")
    assert got["2024-01-03"] == (False, "skipped: upstream raw 2024-01-03 failed")
    assert got["2024-01-04"] == (False, "skipped: upstream raw is missing")
    # rolling 03 reads stg 03 (blocked): it waits; total reads what rolling has.
    assert runs(out) == [("stg, rolling, total", ["2024-01-01...2024-01-02"])]


def test_a_failed_attempt_is_not_retried_until_an_upstream_updates_again(
    chain: Harness,
) -> None:
    chain.run("raw", "2024-01-01")
    FAIL.add("stg[2024-01-01]")
    chain.tick()
    chain.finish_queued()  # stg 01 fails
    out = chain.tick()
    stg01 = [r for r in reasons(out)["stg"] if r[2] == [("2024-01-01", "2024-01-01")]]
    assert stg01 == [
        (
            False,
            "its last attempt failed after the latest upstream update; waiting for a new one",
            [("2024-01-01", "2024-01-01")],
        )
    ]
    assert out.commit.runs == []
    FAIL.clear()
    chain.run("raw", "2024-01-01")
    assert runs(chain.tick()) == [("stg, rolling, total", ["2024-01-01"])]


def test_on_missing_looks_back_a_window(catalog: Catalog, assetline_home: Path) -> None:
    @asset(partitions=DAYS, automation=Automation.on_missing())
    def latest_only() -> int:
        return 1

    @asset(partitions=DAYS, automation=Automation.on_missing(lookback=3))
    def last_three() -> int:
        return 1

    @asset(partitions=StaticPartitions(["eu", "us"]), automation=Automation.on_missing())
    def regions() -> int:
        return 1

    h = Harness(Definitions(assets=[latest_only, last_three, regions]), catalog, assetline_home)
    h.run("last_three", "2024-01-04")
    out = h.tick()
    got = reasons(out)
    assert got["latest_only"] == [
        (True, "partition 2024-01-05 is missing", [("2024-01-05", "2024-01-05")])
    ]
    assert got["last_three"] == [
        (False, "materialized", [("2024-01-04", "2024-01-04")]),
        (True, "missing", [("2024-01-03", "2024-01-03"), ("2024-01-05", "2024-01-05")]),
    ]
    assert got["regions"] == [(True, "missing", [("eu", "us")])]
    assert sorted(runs(out)) == sorted(
        [
            ("last_three", ["2024-01-03"]),
            ("latest_only, last_three", ["2024-01-05"]),
            ("regions", ["eu...us"]),
        ]
    )


def test_on_cron_waits_for_every_upstream_after_the_tick(catalog: Catalog) -> None:
    """Evaluated on hand-made states (times of our choosing around a cron tick)."""
    from assets_core.automation.asset_state import AssetState, PartitionKeys
    from assets_core.automation.evaluation import ConditionEvaluator
    from assets_core.automation.reasons import reason_text

    @asset
    def a() -> int:
        return 1

    @asset
    def b() -> int:
        return 1

    @asset(automation=Automation.on_cron("0 * * * *"))
    def hourly(a: int, b: int) -> int:
        return a + b

    graph = Definitions(assets=[a, b, hourly]).graph
    evaluator = ConditionEvaluator(graph, PartitionKeys(catalog))

    def at(hms: str) -> float:
        return datetime.fromisoformat(f"2024-03-01T{hms}+00:00").timestamp()

    def decide(a_at: str, b_at: str, hourly_at: str) -> tuple[bool, str]:
        states = {
            graph.resolve(name): AssetState(None, [at(t)], [at(t)])
            for name, t in (("a", a_at), ("b", b_at), ("hourly", hourly_at))
        }
        key = graph.resolve("hourly")
        ((req, why, subset),) = evaluator.evaluate(states, at("10:01:00")).decisions[key].groups
        return req, reason_text(graph, evaluator, key, why, subset, states)

    tick = "2024-03-01 10:00:00 UTC"
    assert decide("09:30:00", "10:00:30", "09:40:00") == (
        False,
        f"waiting: upstream a has not updated since the cron tick at {tick}",
    )
    assert decide("10:00:40", "10:00:30", "09:40:00") == (
        True,
        f"cron tick at {tick} passed and every upstream updated since",
    )
    assert decide("10:00:40", "10:00:30", "10:00:50") == (
        False,
        f"already attempted since the cron tick at {tick}",
    )


def test_a_cron_freshness_violation_is_recorded_after_the_tick_and_max_lag(
    catalog: Catalog, assetline_home: Path
) -> None:
    from datetime import UTC, datetime

    from assets_core.automation.cron import CronSchedule

    t0 = time.time()
    cron = f"0 {(datetime.fromtimestamp(t0, UTC).hour + 12) % 24} * * *"

    @asset(freshness=Freshness(max_lag="1h", cron=cron))
    def daily() -> int:
        return 1

    @asset(freshness=Freshness(max_lag="1h", cron=cron), automation=Automation.on_missing())
    def daily_auto() -> int:
        return 1

    h = Harness(Definitions(assets=[daily, daily_auto]), catalog, assetline_home)
    h.run("*")
    tick = CronSchedule(cron).next_after(t0)
    h.tick(now=tick + 1800)  # hours after the run, within max_lag of the tick: fine
    assert catalog.asset_events(type="FRESHNESS_VIOLATION") == []
    out = h.tick(now=tick + 7200)
    event = next(
        e for e in catalog.asset_events(type="FRESHNESS_VIOLATION") if e.asset_key == "daily"
    )
    when = datetime.fromtimestamp(tick, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert event.message.startswith(
        f"daily is OVERDUE: no materialization since the cron tick at {when}"
    )
    ((requested, why, _),) = reasons(out)["daily_auto"]
    at = datetime.fromtimestamp(tick, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert requested and why.startswith(
        f"OVERDUE: no materialization since the cron tick at {at} (cron '{cron}' (UTC), "
        "max_lag 1h); last materialized "
    )


def test_an_overdue_asset_is_requested_and_the_violation_recorded_once(
    catalog: Catalog, assetline_home: Path
) -> None:
    @asset(freshness=Freshness(max_lag="1h"), automation=Automation.on_missing())
    def fresh() -> int:
        return 1

    @asset(freshness=Freshness(max_lag="1h"))
    def watched() -> int:
        return 1

    h = Harness(Definitions(assets=[fresh, watched]), catalog, assetline_home)
    h.run("*")
    later = time.time() + 2 * 3600
    out = h.tick(now=later)
    ((requested, why, _),) = reasons(out)["fresh"]
    assert (
        requested and why == "OVERDUE: last materialized 2.0h ago, over its freshness limit of 60m"
    )
    assert runs(out) == [("fresh", [])]
    events = catalog.asset_events(type="FRESHNESS_VIOLATION")
    assert sorted(e.asset_key for e in events) == ["fresh", "watched"]  # watched: no run
    assert all("is OVERDUE" in e.message for e in events)
    h.tick(now=later + 60)
    assert len(catalog.asset_events(type="FRESHNESS_VIOLATION")) == 2  # recorded once


def test_combinations(catalog: Catalog, assetline_home: Path) -> None:
    @asset(partitions=DAYS)
    def up() -> int:
        return 1

    @asset(partitions=DAYS, automation=Automation.eager() | Automation.on_missing(lookback=2))
    def either(up: int) -> int:
        return up

    @asset(partitions=DAYS, automation=Automation.eager() & Automation.on_missing(lookback=5))
    def both(up: int) -> int:
        return up

    assert either.spec.automation.describe() == "eager() | on_missing(lookback=2)"  # type: ignore[union-attr]
    h = Harness(Definitions(assets=[up, either, both]), catalog, assetline_home)
    h.run("up", "2024-01-01", "2024-01-05")
    h.run("both", "2024-01-01")
    out = h.tick()
    got = reasons(out)
    assert [(r, p) for r, _, p in got["either"]] == [(True, [("2024-01-01", "2024-01-05")])]
    # both: 01 is materialized, so not missing: the first unmet condition says why.
    assert got["both"] == [
        (False, "up to date with its upstreams", [("2024-01-01", "2024-01-01")]),
        (True, "upstream up updated and missing", [("2024-01-02", "2024-01-05")]),
    ]


def test_records_are_written_when_the_outcome_changes(chain: Harness) -> None:
    chain.run("*", "2024-01-01", "2024-01-05")
    first = chain.tick()
    assert {e.asset_key for e in first.evaluations} == {"stg", "rolling", "total"}
    assert chain.tick().evaluations == []
    tick_ids = {e.tick_id for e in chain.catalog.evaluations("stg")}
    assert len(tick_ids) == 1 and None not in tick_ids


def test_eager_on_dynamic_partitions(catalog: Catalog, assetline_home: Path) -> None:
    from assets_core import DynamicPartitions

    files = DynamicPartitions("files")

    @asset(partitions=files)
    def landed() -> int:
        return 1

    @asset(partitions=files, automation=Automation.eager())
    def parsed(landed: int) -> int:
        return landed

    h = Harness(Definitions(assets=[landed, parsed]), catalog, assetline_home)
    catalog.add_dynamic_partitions("files", ["a.csv", "b.csv", "c.csv"])
    h.run("landed", "b.csv")
    out = h.tick()
    assert runs(out) == [("parsed", ["b.csv"])]
    requested, why, parts = reasons(out)["parsed"][-1]
    assert requested and parts == [("b.csv", "b.csv")]
    assert why.startswith("upstream landed b.csv updated at ")
    catalog.add_dynamic_partitions("files", ["d.csv"])  # keys added later count too
    h.finish_queued()
    h.run("landed", "d.csv")
    assert runs(h.tick()) == [("parsed", ["d.csv"])]
