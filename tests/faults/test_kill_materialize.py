"""kill -9 of `assetline materialize` at random points of a run: the next Assetline
command that opens the catalog for runs ends the run FAILURE with the reason (worker
pid N on host X died; last heartbeat ...), its open steps FAILED; a run canceled after
its worker died ends CANCELED; `reexecute --from-failure` then completes every one of
them. On SQLite and PostgreSQL, with real processes."""

from __future__ import annotations

import random
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.conftest import FIXTURES, Cli, assetline_command, cli_env, run_commands

CHAIN = FIXTURES / "faults_chain.py"
N = 8


def _wait_for_new_run(catalog: Catalog, seen: set[str], proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fresh = [r for r in catalog.list_runs(limit=5) if r.id not in seen]
        if fresh:
            return fresh[0].id
        assert proc.poll() is None, "the run ended before it was recorded"
        time.sleep(0.02)
    raise AssertionError("the run was never recorded")


def kill_runs_at_random_points(
    catalog: Catalog, url: str, cwd: Path, trials: int, seed: int
) -> list[tuple[str, int]]:
    """Start `trials` runs of the chain one after the other, each killed with -9 at a
    random moment of its run; return (run id, pid) of those killed while STARTED."""
    rng = random.Random(seed)
    seen: set[str] = {r.id for r in catalog.list_runs(limit=1000)}
    killed = []
    for _ in range(trials):
        proc = subprocess.Popen(
            assetline_command("materialize", "-f", str(CHAIN)),
            env=cli_env({"ASSETLINE_CATALOG_URL": url}),
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        run_id = _wait_for_new_run(catalog, seen, proc)
        seen.add(run_id)
        time.sleep(rng.uniform(0.0, 0.9))  # the chain takes about 1 s
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if catalog.get_run(run_id).status == "STARTED":
            killed.append((run_id, proc.pid))
    return killed


def assert_ended_by_recovery(catalog: Catalog, run_id: str, pid: int) -> None:
    run = catalog.get_run(run_id)
    assert run.status == "FAILURE", run
    reason = f"worker pid {pid} on host {re.escape(socket.gethostname())} died; "
    assert run.error is not None
    assert re.match(reason + r"last heartbeat \d\d:\d\d:\d\d UTC", run.error), run.error
    steps = catalog.steps(run_id)
    assert all(s.status in ("SUCCESS", "FAILED") for s in steps), steps
    assert catalog.events(run_id)[-1].type == "RUN_FAILURE"


def test_the_next_runs_command_ends_a_killed_run_and_a_canceled_one_ends_canceled(
    cli: Cli, catalog: Catalog, catalog_url: str, tmp_path: Path
) -> None:
    env = {"ASSETLINE_CATALOG_URL": catalog_url, "STEP_S": "0.5"}
    proc = subprocess.Popen(
        assetline_command("materialize", "-f", str(CHAIN)),
        env=cli_env(env),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run_id = _wait_for_new_run(catalog, set(), proc)
    deadline = time.monotonic() + 30
    while not any(e.type == "STEP_START" and e.asset_key == "c1" for e in catalog.events(run_id)):
        assert time.monotonic() < deadline, "the second step never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert catalog.get_run(run_id).status == "STARTED"  # nobody has looked yet

    listed = cli("runs", "--format", "json", env=env)
    assert listed.returncode == 0, listed
    (shown,) = listed.json()["runs"]  # type: ignore[call-overload, index]
    assert shown["id"] == run_id and shown["status"] == "FAILURE"
    assert f"note: run {run_id[:12]} ended FAILURE: worker pid {proc.pid} on host " in (
        listed.stderr
    )
    assert_ended_by_recovery(catalog, run_id, proc.pid)
    steps = {s.asset_key: s.status for s in catalog.steps(run_id)}
    assert steps == {"c0": "SUCCESS", "c1": "FAILED"}  # c1 was running

    shown_run = cli("run", run_id, env=env)
    assert f"worker pid {proc.pid} on host" in shown_run.stdout

    # A run whose worker died after a cancel was asked for ends CANCELED.
    proc = subprocess.Popen(
        assetline_command("materialize", "-f", str(CHAIN)),
        env=cli_env(env),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    second = _wait_for_new_run(catalog, {run_id}, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert catalog.transition_run(second, "CANCELING", only_from=["STARTED"])
    status = cli("status", "-f", CHAIN, env=env)
    assert status.returncode == 0, status
    ended = catalog.get_run(second)
    assert ended.status == "CANCELED"
    assert ended.error is not None and f"worker pid {proc.pid} on host" in ended.error
    assert all(s.status != "STARTED" for s in catalog.steps(second))

    again = cli("reexecute", second, "--from-failure", "-f", CHAIN, env=env)
    assert again.returncode == 0, again


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_runs_killed_at_random_points_are_ended_and_resumed_from_failure(
    backend: str, cli: Cli, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'catalog.db'}"
        trials = 12
    else:
        url = request.getfixturevalue("postgres_url")
        trials = 5
    catalog = Catalog.open(url)
    env = {"ASSETLINE_CATALOG_URL": url}
    try:
        killed = kill_runs_at_random_points(catalog, url, tmp_path, trials, seed=trials)
        # Most kills land mid-run (the others before the run starts or after it ends).
        assert len(killed) >= trials // 2, killed
        print(f"{backend}: {trials} runs killed, {len(killed)} of them mid-run")  # -s shows it
        # The next command (here `runs`; each `materialize` also recovered the one
        # before it) leaves nothing STARTED.
        listed = cli("runs", "--format", "json", "--limit", "50", env=env)
        assert listed.returncode == 0, listed
        statuses = {r["id"]: r["status"] for r in listed.json()["runs"]}  # type: ignore[call-overload, index]
        assert "STARTED" not in statuses.values(), statuses
        for run_id, pid in killed:
            assert_ended_by_recovery(catalog, run_id, pid)
        # Each is completed by a re-execution from failure (a few at once).
        full_env = cli_env({"ASSETLINE_CATALOG_URL": url})
        for batch in range(0, len(killed), 4):
            commands = [
                ("reexecute", run_id, "--from-failure", "-f", CHAIN)
                for run_id, _ in killed[batch : batch + 4]
            ]
            for again in run_commands(commands, full_env, tmp_path):
                assert again.returncode == 0, again
        children = {r.parent_run_id: r for r in catalog.list_runs(limit=1000) if r.parent_run_id}
        for run_id, _ in killed:
            assert children[run_id].status == "SUCCESS", children[run_id]
            assert catalog.steps(children[run_id].id), "the re-execution ran nothing"
        # Every asset has a stored value, and no killed write left a temp file behind.
        storage = tmp_path / "assetline_home" / "storage"
        assert sorted(p.parent.name for p in storage.rglob("data.parquet")) == [
            f"c{i}" for i in range(N)
        ]
        assert not list(storage.rglob("*.tmp"))
    finally:
        catalog.close()
