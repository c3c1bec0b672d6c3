"""The server ends runs whose worker died: at start (a run killed before the server
came up) and periodically (one killed while it serves), so the UI never shows a dead
run STARTED; its GraphQL `run` answers FAILURE with the reason."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.conftest import FIXTURES, assetline_command, cli_env
from tests.faults.servers import assetline_ui

CHAIN = FIXTURES / "faults_chain.py"
RUN = "query($id: String!) { run(id: $id) { id status } }"


def killed_run(catalog: Catalog, cwd: Path, env: dict[str, str]) -> tuple[str, int]:
    before = {r.id for r in catalog.list_runs(limit=100)}
    proc = subprocess.Popen(
        assetline_command("materialize", "-f", str(CHAIN)),
        env=cli_env(env),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (new := [r for r in catalog.list_runs(limit=5) if r.id not in before]):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert catalog.get_run(new[0].id).status == "STARTED"
    return new[0].id, proc.pid


@pytest.mark.slow
def test_the_server_ends_dead_runs_at_start_and_while_it_serves(
    catalog: Catalog, catalog_url: str, tmp_path: Path
) -> None:
    env = {"ASSETLINE_CATALOG_URL": catalog_url, "STEP_S": "1", "ASSETLINE_RECOVERY_EVERY_S": "1"}
    before, before_pid = killed_run(catalog, tmp_path, env)
    with assetline_ui(CHAIN, tmp_path, env) as ui:
        # Ended by the sweep at start (it runs as the server starts serving).
        deadline = time.monotonic() + 30
        while ui.gql(RUN, id=before)["data"]["run"]["status"] == "STARTED":
            assert time.monotonic() < deadline, "the server never ended the dead run"
            time.sleep(0.1)
        assert ui.gql(RUN, id=before)["data"]["run"]["status"] == "FAILURE"
        error = catalog.get_run(before).error
        assert error is not None and error.startswith(f"worker pid {before_pid} on host ")

        during, during_pid = killed_run(catalog, tmp_path, env)
        deadline = time.monotonic() + 30
        while catalog.get_run(during).status == "STARTED":
            assert time.monotonic() < deadline, "the periodic sweep never ended the run"
            time.sleep(0.1)
        ended = catalog.get_run(during)
        assert ended.status == "FAILURE"
        assert ended.error is not None and f"worker pid {during_pid} on host " in ended.error
        assert ui.proc.poll() is None
