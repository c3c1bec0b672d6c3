"""PostgreSQL restarted in the middle of runs (once, `-m fast`: the machine's server
is shared). A run reconnects and retries its step's transaction, and ends SUCCESS with
every step recorded once; a run not allowed to wait (ASSETLINE_CATALOG_RECONNECT_S=0)
ends with one line, "catalog connection lost: ...", no traceback, and is not left
STARTED: it ends FAILURE itself, or by the next command's crash recovery."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.conftest import FIXTURES, Cli, assetline_command, cli_env

CHAIN = FIXTURES / "faults_chain.py"
pytestmark = pytest.mark.postgres


def restart_postgres() -> None:
    (version,) = os.listdir("/etc/postgresql")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def in_second_step(catalog: Catalog, run_id: str) -> bool:
    return any(e.type == "STEP_START" and e.asset_key == "c1" for e in catalog.events(run_id))


@pytest.mark.slow
def test_a_postgres_restart_mid_run_is_survived_or_reported_in_one_line(
    cli: Cli, postgres_url: str, tmp_path: Path
) -> None:
    if not Path("/usr/bin/pg_ctlcluster").exists() or not os.listdir("/etc/postgresql"):
        pytest.skip("needs a local PostgreSQL cluster managed by pg_ctlcluster")
    catalog = Catalog.open(postgres_url)
    env = {"ASSETLINE_CATALOG_URL": postgres_url, "STEP_S": "0.4"}
    procs = {}
    for name, window in (("patient", "30"), ("hasty", "0")):
        procs[name] = subprocess.Popen(
            assetline_command("materialize", "-f", str(CHAIN), "--tag", f"who={name}"),
            env=cli_env({**env, "ASSETLINE_CATALOG_RECONNECT_S": window}),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        deadline = time.monotonic() + 90
        while sum(in_second_step(catalog, r.id) for r in catalog.list_runs()) < 2:
            assert time.monotonic() < deadline, "the runs never reached their second step"
            time.sleep(0.1)
        catalog.close()
        restart_postgres()
        results = {name: p.communicate(timeout=180) for name, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
    catalog = Catalog.open(postgres_url)
    try:
        by_tag = {r.tags["who"]: r for r in catalog.list_runs()}
        for out, err in results.values():
            assert "Traceback" not in out + err, out + err

        patient = by_tag["patient"]
        assert procs["patient"].returncode == 0, results["patient"]
        assert catalog.get_run(patient.id).status == "SUCCESS"
        mats = [m.asset_key for m in catalog.materializations_for_run(patient.id)]
        assert sorted(mats) == [f"c{i}" for i in range(8)]  # each step recorded once

        # The hasty run fails on its first write through the cut connection, unless its
        # event thread met the cut first (and the run then reconnected on its own).
        hasty_err = results["hasty"][1]
        listed = cli("runs", "--format", "json", env={"ASSETLINE_CATALOG_URL": postgres_url})
        assert listed.returncode == 0, listed
        hasty = catalog.get_run(by_tag["hasty"].id)
        if procs["hasty"].returncode == 0:
            assert hasty.status == "SUCCESS"
        else:
            assert procs["hasty"].returncode == 1, results["hasty"]
            assert hasty_err.startswith("error: catalog connection lost: "), hasty_err
            assert len(hasty_err.strip().splitlines()) == 1, hasty_err
            assert hasty.status == "FAILURE", hasty  # ended by itself, or by recovery
            error = hasty.error or ""
            assert "catalog connection lost" in error or "died" in error, error
    finally:
        catalog.close()


def _terminate_backends(url: str) -> int:
    """Cut every connection to the test's database (as a restart does, for it alone)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (parsed.database,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_cut_connection_is_reopened_and_the_batch_written_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets_core.catalog.records import EventRecord, RunRecord, WriteBatch
    from assets_core.errors import CatalogConnectionLostError

    catalog = Catalog.open(postgres_url)
    try:
        catalog.create_run(RunRecord("r", "STARTED", "*", created_at=time.time()))
        catalog.write(WriteBatch(events=[EventRecord("r", time.time(), "LOG", "one")]))
        assert _terminate_backends(postgres_url) >= 1
        catalog.write(WriteBatch(events=[EventRecord("r", time.time(), "LOG", "two")]))
        assert [e.message for e in catalog.events("r")] == ["one", "two"]

        monkeypatch.setenv("ASSETLINE_CATALOG_RECONNECT_S", "0")
        assert _terminate_backends(postgres_url) >= 1
        with pytest.raises(CatalogConnectionLostError, match=r"^catalog connection lost: "):
            catalog.write(WriteBatch(events=[EventRecord("r", time.time(), "LOG", "three")]))
        assert [e.message for e in catalog.events("r")] == ["one", "two"]
    finally:
        catalog.close()
