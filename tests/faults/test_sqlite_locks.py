"""No "database is locked" with SQLite and forked processes.

A child forked while another thread of its parent was inside a SQLite transaction
inherited SQLite's in-process record of that transaction's lock, and its own writes
waited for it until the 60 s busy timeout ("database is locked" at BEGIN IMMEDIATE):
about 3% of multiprocess runs, where the run's event thread heartbeats as the pool
forks its workers. Now a fork waits for open transactions (``catalog/forks.py``).
Proved with a fork in the middle of a transaction, multiprocess runs back to back, and
4 concurrent writer processes with 2 GraphQL readers on a real `assetline ui`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog
from assets_core.catalog.connection import make_engine
from assets_core.catalog.records import RunRecord
from tests.conftest import FIXTURES, Cli, cli_env
from tests.faults.servers import assetline_ui

LAYERS = FIXTURES / "faults_layers.py"
RUN_LOOP = Path(__file__).with_name("run_loop.py")
LOCKED = "database is locked"


def test_a_fork_during_another_threads_transaction_leaves_the_child_free_to_write(
    sqlite_catalog: Catalog,
) -> None:
    catalog = sqlite_catalog
    catalog.create_run(RunRecord("r1", "STARTED", "x", created_at=time.time()))
    inside = threading.Event()

    def hold_a_write_transaction() -> None:
        with catalog._write() as conn:
            conn.exec_driver_sql("UPDATE runs SET heartbeat_at = 1 WHERE id = 'r1'")
            inside.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_a_write_transaction)
    holder.start()
    inside.wait(10)
    pid = os.fork()
    if pid == 0:  # the child writes at once, as a pool worker does
        code = 1
        try:
            catalog.update_run("r1", heartbeat_at=2.0)
            code = 0
        finally:
            os._exit(code)
    holder.join()
    deadline = time.monotonic() + 15  # the busy timeout is 60 s: a stuck child fails here
    while (waited := os.waitpid(pid, os.WNOHANG)) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the child waited for its parent's write lock (database is locked)")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(waited[1]) == 0
    assert catalog.get_run("r1").heartbeat_at == 2.0


def _run_loop(location: Path, cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(RUN_LOOP), str(location), *args],
        env=cli_env(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _results(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_multiprocess_runs_back_to_back_from_the_cli_never_lock(
    cli: Cli, sqlite_catalog: Catalog
) -> None:
    for _ in range(2):
        result = cli("materialize", "-f", LAYERS, "--executor", "multiprocess", "--workers", "2")
        assert result.returncode == 0, result
        assert LOCKED not in result.stdout + result.stderr
    assert [r.status for r in sqlite_catalog.list_runs()] == ["SUCCESS"] * 2


@pytest.mark.slow
def test_fifty_multiprocess_runs_back_to_back_never_lock(
    sqlite_catalog: Catalog, tmp_path: Path
) -> None:
    runs = int(os.environ.get("ASSETLINE_FAULT_RUNS", "50"))
    proc = _run_loop(LAYERS, tmp_path, {}, "--runs", str(runs))
    output, _ = proc.communicate(timeout=1800)
    results = _results(output)
    assert len(results) == runs, output[-3000:]
    assert LOCKED not in output
    assert all(r["status"] == "SUCCESS" for r in results), [r for r in results if r["errors"]]
    assert [r.status for r in sqlite_catalog.list_runs(limit=runs)] == ["SUCCESS"] * runs


@pytest.mark.slow
def test_four_writers_and_two_graphql_readers_never_lock(
    sqlite_catalog: Catalog, tmp_path: Path
) -> None:
    seconds = float(os.environ.get("ASSETLINE_FAULT_SECONDS", "20"))
    env = {"LAYERS": "4", "WIDTH": "10"}
    with assetline_ui(LAYERS, tmp_path, env) as ui:
        answers: list[dict[str, Any]] = []
        stop = threading.Event()

        def read(query: str) -> None:
            while not stop.is_set():
                answers.append(ui.gql(query))

        readers = [
            threading.Thread(target=read, args=(q,))
            for q in ("{ assets { key status } }", "{ runs(limit: 20) { runs { id status } } }")
        ]
        writers = [
            _run_loop(LAYERS, tmp_path, env, "--seconds", str(seconds), "--workers", "2")
            for _ in range(4)
        ]
        for thread in readers:
            thread.start()
        try:
            outputs = [w.communicate(timeout=seconds + 300)[0] for w in writers]
        finally:
            stop.set()
            for thread in readers:
                thread.join(60)
        log = ui.log.read_text()
    results = [r for out in outputs for r in _results(out)]
    assert len(results) >= 4, outputs
    print(f"{len(results)} runs by 4 writers, {len(answers)} GraphQL answers")  # -s shows it
    assert all(LOCKED not in out for out in outputs) and LOCKED not in log
    assert all(r["status"] == "SUCCESS" for r in results), [r for r in results if r["errors"]]
    assert answers and all(a["http_status"] == 200 and not a.get("errors") for a in answers), [
        a for a in answers if a.get("errors")
    ][:3]
    statuses = {r.status for r in sqlite_catalog.list_runs(limit=1000)}
    assert statuses == {"SUCCESS"}, statuses


def test_busy_timeout_and_wal_are_set_on_every_sqlite_connection(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
    engine.dispose()
