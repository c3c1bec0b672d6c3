"""The run queue: its order and limits (unit), its settings, and a daemon starting 10
runs queued at once within ``max_concurrent_runs`` and ``tag_limits`` (real processes)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from assets_core.automation.run_queue import (
    QueueSettings,
    TagLimit,
    queue_positions,
    runs_to_start,
)
from assets_core.catalog.catalog import Catalog
from assets_core.catalog.records import RunRecord
from assets_core.errors import UsageError
from tests.automation.conftest import wait_for
from tests.conftest import FIXTURES, assetline_command, cli_env


def run(rid: str, created: float, **tags: str) -> RunRecord:
    return RunRecord(rid, "QUEUED", "work", tags=dict(tags), created_at=created)


def test_queue_order_is_launch_order_with_priority_first() -> None:
    queued = [
        run("a", 1),
        run("b", 2, **{"assetline/priority": "5"}),
        run("c", 3),
        run("d", 4, **{"assetline/priority": "oops"}),  # not an int: priority 0
    ]
    assert queue_positions(queued) == {"b": 1, "a": 2, "c": 3, "d": 4}
    start = runs_to_start(queued, [], QueueSettings(max_concurrent_runs=2))
    assert [r.id for r in start] == ["b", "a"]


def test_limits_count_running_runs_and_skip_only_the_runs_they_concern() -> None:
    limits = QueueSettings(
        max_concurrent_runs=4,
        tag_limits=(TagLimit("team", 1), TagLimit("db", 1, per_value=True)),
    )
    running = [RunRecord("r", "STARTED", "x", tags={"team": "a"})]
    queued = [
        run("t1", 1, team="b"),  # team limit reached (by r): held back
        run("free", 2),
        run("db1", 3, db="x"),
        run("db2", 4, db="x"),  # same value: held back
        run("db3", 5, db="y"),
    ]
    assert [r.id for r in runs_to_start(queued, running, limits)] == ["free", "db1", "db3"]
    assert runs_to_start(queued, running * 4, limits) == []  # no slot at all
    only_ml = QueueSettings(tag_limits=(TagLimit("team", 0, value="ml"),))
    assert [
        r.id for r in runs_to_start([run("x", 1, team="ml"), run("y", 2, team="bi")], [], only_ml)
    ] == ["y"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"max_concurrent_runs": 0}, "max_concurrent_runs in pyproject.toml must be an int >= 1"),
        ({"max_concurency": 2}, "unknown setting(s) max_concurency"),
        ({"tag_limits": {"key": "team"}}, "tag_limits in pyproject.toml must be a list"),
        ({"tag_limits": [{"key": "team"}]}, "needs limit = an int >= 0"),
        ({"tag_limits": [{"key": "team", "limit": 1, "per": True}]}, "unknown field(s) per"),
        (
            {"tag_limits": [{"key": "t", "limit": 1, "value": "x", "per_value": True}]},
            "not combined with value",
        ),
    ],
)
def test_bad_queue_settings_are_usage_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as info:
        QueueSettings.parse(raw)
    assert message in info.value.message


def _queue(catalog_url: str, n: int, tags: list[dict[str, str]]) -> None:
    """``n`` runs queued at once from threads (as API requests would)."""
    from assets_core.definitions.loader import load_definitions
    from assets_core.execution.launch import queue_run
    from assets_core.execution.plan import PartitionRequest
    from assets_core.execution.request import RunSpec

    defs = load_definitions(file=FIXTURES / "automation_queue.py")
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        catalog = Catalog.open(catalog_url)
        try:
            barrier.wait()
            spec = RunSpec(selection="work", partitions=PartitionRequest(key=f"p{i}"), tags=tags[i])
            queue_run(catalog, defs, spec)
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            catalog.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _max_overlap(spans: list[tuple[float, float]]) -> int:
    points = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    best = cur = 0
    for _, d in points:
        cur += d
        best = max(best, cur)
    return best


@pytest.mark.slow
def test_the_daemon_starts_ten_queued_runs_within_the_limits(
    tmp_path: Path, catalog_url: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.assetline.daemon]\ninterval_s = 0.1\n"
        "[tool.assetline.run_queue]\nmax_concurrent_runs = 3\n"
        'tag_limits = [{key = "team", value = "a", limit = 1}]\n'
    )
    log = tmp_path / "work.log"
    tags = [{"team": "a"} if i % 2 == 0 else {"team": "b"} for i in range(10)]
    _queue(catalog_url, 10, tags)
    env = cli_env({"ASSETLINE_CATALOG_URL": catalog_url, "AL_LOG": str(log), "AL_WORK_S": "0.6"})
    daemon_log = tmp_path / "daemon.log"
    with daemon_log.open("w") as stderr:
        daemon = subprocess.Popen(
            assetline_command("daemon", "-f", str(FIXTURES / "automation_queue.py")),
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    catalog = Catalog.open(catalog_url)
    try:
        wait_for(
            lambda: len(catalog.runs_in_status(["SUCCESS"])) == 10, timeout=180, what="10 runs"
        )
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    runs = catalog.runs_in_status(["SUCCESS"])
    catalog.close()
    spans = [(r.started_at or 0.0, r.ended_at or 0.0) for r in runs]
    team_a = [(r.started_at or 0.0, r.ended_at or 0.0) for r in runs if r.tags.get("team") == "a"]
    assert _max_overlap(spans) <= 3
    assert _max_overlap(team_a) == 1
    assert _max_overlap(spans) >= 2  # they did run side by side
    # Queue order: the daemon started the team b runs in the order they were queued.
    started = [
        line.split("started run ")[1].split()[0]
        for line in daemon_log.read_text().splitlines()
        if "started run " in line
    ]
    by_prefix = {r.id[:8]: r for r in runs}
    order = [by_prefix[p] for p in started if by_prefix[p].tags["team"] == "b"]
    assert len(order) == 5
    assert [r.created_at for r in order] == sorted(r.created_at for r in order)
    executions = log.read_text().splitlines()
    assert sorted(line.split()[2] for line in executions) == [f"p{i}" for i in range(10)]
