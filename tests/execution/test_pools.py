"""Pools: ``pool="warehouse"`` and ``[tool.assetline.pools] warehouse = N`` limit the
steps running at once across runs, executors and processes; a waiting step is
WAITING, not running; a slot comes back when its step ends, its run is canceled, or
its process is killed (the lease expires)."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from assets_core import load_definitions, materialize
from assets_core.catalog.catalog import Catalog
from tests.executors.dask_cluster import DaskCluster, dask_cluster


def use_pools(folder: Path, **limits: int) -> None:
    lines = "\n".join(f"{name} = {n}" for name, n in limits.items())
    (folder / "pyproject.toml").write_text(f"[tool.assetline.pools]\n{lines}\n")


def intervals(home: Path, assets: list[str]) -> list[tuple[float, float]]:
    out = []
    for a in assets:
        row = pq.read_table(home / "storage" / a / "data.parquet").to_pylist()[0]
        out.append((row["start"], row["end"]))
    return out


def most_at_once(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    now = peak = 0
    for _, delta in edges:
        now += delta
        peak = max(peak, now)
    return peak


def wait_until(
    condition: Callable[[], bool], what: str, procs: list[Any], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for p in procs:
            if p.poll() is not None:
                pytest.fail(f"a run ended before {what}: {p.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def config_file(folder: Path, name: str, config: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(config))
    return path


ALL = ["p1", "p2", "p3", "p4"]


def test_concurrent_runs_share_the_pool_limit_and_a_waiting_step_is_waiting(
    tmp_path: Path,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
    assetline_home: Path,
) -> None:
    use_pools(tmp_path, warehouse=1)
    location = fixture_path("engine_pools")
    procs = [
        spawn("materialize", "-f", location, "--select", "p1, p2"),
        spawn("materialize", "-f", location, "--select", "p3, p4"),
    ]
    seen: set[str] = set()

    def waiting_seen() -> bool:
        for run in sqlite_catalog.list_runs():
            seen.update(s.status for s in sqlite_catalog.steps(run.id))
        return "WAITING" in seen

    wait_until(waiting_seen, "a WAITING step", procs)
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, out + err
    assert most_at_once(intervals(assetline_home, ALL)) == 1
    waits = [
        e
        for run in sqlite_catalog.list_runs()
        for e in sqlite_catalog.events(run.id)
        if e.type == "STEP_WAITING"
    ]
    assert waits and "waits for a slot of pool 'warehouse' (all 1 in use)" in waits[0].message
    assert sqlite_catalog.pool_slots() == []


def test_the_multiprocess_executor_honours_workers_and_the_pool(
    tmp_path: Path,
    cli: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    assetline_home: Path,
) -> None:
    use_pools(tmp_path, warehouse=2)
    result = cli(
        "materialize", "-f", fixture_path("engine_pools"), "--select", "p1, p2, p3, p4",
        "--executor", "multiprocess", "--workers", "3",
    )  # fmt: skip
    assert result.returncode == 0, result
    spans = intervals(assetline_home, ALL)
    assert most_at_once(spans) == 2
    pids = {pq.read_table(assetline_home / "storage" / a / "data.parquet")["pid"][0] for a in ALL}
    assert 2 <= len(pids) <= 3


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    with dask_cluster(tmp_path_factory.mktemp("dask-logs"), 2) as c:
        yield c


def test_the_dask_executor_takes_pool_slots_for_its_steps(
    tmp_path: Path,
    cluster: DaskCluster,
    fixture_path: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    assetline_home: Path,
) -> None:
    use_pools(tmp_path, warehouse=1)
    monkeypatch.chdir(tmp_path)
    defs = load_definitions(file=fixture_path("engine_pools"))
    result = materialize(defs, ALL, executor="dask", dask_address=cluster.address)
    assert result.status == "SUCCESS"
    assert most_at_once(intervals(assetline_home, ALL)) == 1
    types = [e.type for e in result.catalog.events(result.run_id)]
    assert types.count("STEP_WAITING") == 3
    assert result.catalog.pool_slots() == []


def test_a_pool_without_a_limit_is_not_limited_and_says_so(
    tmp_path: Path, fixture_path: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_pools(tmp_path, warehouse=1)
    monkeypatch.chdir(tmp_path)
    result = materialize(load_definitions(file=fixture_path("engine_pools")), "loose")
    assert result.status == "SUCCESS"
    [warning] = [e for e in result.catalog.events(result.run_id) if e.type == "POOL_UNLIMITED"]
    assert "Pool 'unlisted' of loose has no limit in [tool.assetline.pools]" in warning.message


@pytest.mark.parametrize("how", ["cancel", "kill -9"])
def test_a_slot_held_by_a_canceled_or_killed_run_comes_back(
    how: str,
    tmp_path: Path,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
    sqlite_catalog: Catalog,
) -> None:
    use_pools(tmp_path, warehouse=1)
    location = fixture_path("engine_pools")
    started = tmp_path / "holder-started"
    hold = config_file(
        tmp_path, "hold.json", {"p1": {"sleep_s": 60, "started_marker": str(started)}}
    )
    # With a 30 s lease, only giving the slot back can free it in time; kill -9 gives
    # nothing back: the 2 s lease expires.
    env = {"ASSETLINE_POOL_LEASE_S": "30" if how == "cancel" else "2"}
    holder = spawn("materialize", "-f", location, "--select", "p1", "--config", hold, env=env)
    wait_until(started.exists, "the holder's step", [holder])
    assert [s.asset_key for s in sqlite_catalog.pool_slots("warehouse")] == ["p1"]
    waiter = spawn("materialize", "-f", location, "--select", "p2", env=env)

    def waiting() -> bool:
        return any(
            e.type == "STEP_WAITING"
            for run in sqlite_catalog.list_runs()
            for e in sqlite_catalog.events(run.id)
        )

    wait_until(waiting, "the waiting step", [holder, waiter])
    stopped = time.time()
    holder.send_signal(signal.SIGINT if how == "cancel" else signal.SIGKILL)
    holder.communicate(timeout=30)
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, out + err
    [run] = [r for r in sqlite_catalog.list_runs() if r.selection == "p2"]
    [start] = [e for e in sqlite_catalog.events(run.id) if e.type == "STEP_START"]
    assert start.timestamp - stopped < 8
    assert sqlite_catalog.pool_slots() == []
