"""Two ``assetline materialize`` processes materializing different assets against one
catalog at the same time both succeed (SPEC §4: never "database is locked")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assets_core.catalog.catalog import Catalog

N = 30  # assets per group, as in the fixture


@pytest.mark.slow
def test_two_processes_materialize_different_assets_on_one_catalog(
    catalog_url: str,
    tmp_path: Path,
    spawn: Callable[..., Any],
    fixture_path: Callable[[str], Path],
) -> None:
    location = fixture_path("engine_concurrent")
    env = {"ASSETLINE_CATALOG_URL": catalog_url, "BARRIER_DIR": str(tmp_path / "b")}
    procs = {
        group: spawn("materialize", "-f", location, "--select", f"group:{group}", env=env)
        for group in ("left", "right")
    }
    outputs = {group: p.communicate(timeout=90) for group, p in procs.items()}
    for group, p in procs.items():
        out, err = outputs[group]
        assert p.returncode == 0, f"{group}: exit {p.returncode}\n{out}\n{err}"
        assert "locked" not in out + err

    catalog = Catalog.open(catalog_url)
    try:
        runs = catalog.list_runs()
        assert sorted(r.selection for r in runs) == ["group:left", "group:right"]
        assert {r.status for r in runs} == {"SUCCESS"}
        # The runs overlapped: each started before the other ended.
        left, right = sorted(runs, key=lambda r: r.selection)
        assert left.started_at is not None and right.started_at is not None
        assert left.ended_at is not None and right.ended_at is not None
        assert left.started_at < right.ended_at and right.started_at < left.ended_at
        for r in runs:
            group = r.selection.split(":")[1]
            mats = catalog.materializations_for_run(r.id)
            assert sorted(m.asset_key for m in mats) == sorted(f"{group}_{i}" for i in range(N))
            steps = catalog.steps(r.id)
            assert len(steps) == N and {s.status for s in steps} == {"SUCCESS"}
            types = [e.type for e in catalog.events(r.id)]
            assert types[0] == "RUN_START" and types[-1] == "RUN_SUCCESS"
            assert types.count("STEP_SUCCESS") == N
    finally:
        catalog.close()
