"""A write killed with -9 between its temp file and the rename leaves
``.data.parquet.<pid>-<n>.tmp`` behind: it never counts as the stored value, the next
write of that asset removes it, and so does `assetline catalog prune`; a temp file of
a writer still alive is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from assets_core.catalog.catalog import Catalog
from tests.conftest import FIXTURES, Cli, assetline_command, cli_env

SLOW = FIXTURES / "engine_slow.py"


@pytest.mark.slow
def test_a_killed_write_leaves_a_temp_file_that_the_next_write_removes(
    cli: Cli, sqlite_catalog: Catalog, tmp_path: Path, assetline_home: Path
) -> None:
    marker = tmp_path / "stalled"
    env = {"SLOW_MODE": "store", "MARKER": str(marker)}
    proc = subprocess.Popen(
        assetline_command("materialize", "-f", str(SLOW)),
        env=cli_env(env),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the store never stalled"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    folder = assetline_home / "storage" / "slow"
    (leftover,) = folder.iterdir()
    assert leftover.name.startswith(f".data.parquet.{proc.pid}-")
    assert leftover.name.endswith(".tmp")

    # Not a stored value: the asset has none.
    status = cli("status", "-f", SLOW, "--format", "json")
    slow = {a["key"]: a for a in status.json()["assets"]}["slow"]  # type: ignore[call-overload, index]
    assert slow["status"] == "MISSING", slow

    # A live writer's temp file is left alone; the dead writer's is removed.
    alive = folder / f".data.parquet.{os.getpid()}-7.tmp"
    alive.write_bytes(b"being written")
    done = cli("materialize", "-f", SLOW, "--select", "slow", env={"SLOW_S": "0"})
    assert done.returncode == 0, done
    assert sorted(p.name for p in folder.iterdir()) == [alive.name, "data.parquet"]


def test_catalog_prune_removes_temp_files_of_dead_writers(
    cli: Cli, sqlite_catalog: Catalog, assetline_home: Path
) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = assetline_home / "storage" / "sales" / "2024-01-01"
    folder.mkdir(parents=True)
    (folder / "data.parquet").write_bytes(b"PAR1")
    left = folder / f".data.parquet.{dead.pid}-3.tmp"
    left.write_bytes(b"half")
    live = folder / f".data.pickle.{os.getpid()}-1.tmp"
    live.write_bytes(b"now")
    other = folder / "notes.tmp"  # not ours: never touched
    other.write_bytes(b"x")

    pruned = cli("catalog", "prune", "--older-than-days", "30")
    assert pruned.returncode == 0, pruned
    assert "Removed 1 temp files left by killed writes" in pruned.stdout
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [live.name, other.name, "data.parquet"]
    )
