"""The healthcare example: synthetic sources from three systems, de-identified in
staging, monthly SQL marts and an HTML report per month; its checks pass, no direct
identifier reaches anything downstream of raw, and the blocking de-identification
check stops a leak before the marts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from assets_core import Definitions, asset
from assets_core.execution.run import RunResult, materialize
from examples.healthcare import build_definitions, defs
from examples.healthcare.report import ReportFolder
from examples.healthcare.sources import HospitalSources, months, write_sources

MONTHS = ("2024-01-01", "2024-06-01")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    home = tmp_path_factory.mktemp("healthcare")
    local = build_definitions(
        HospitalSources(root=str(home / "sources")), ReportFolder(root=str(home / "reports"))
    )
    return materialize(local, "*", partition_range=MONTHS, home=home), home


def test_definitions_validate() -> None:
    graph = defs.graph
    assert set(graph.groups) == {"raw", "staging", "marts", "reports"}
    assert {n.kind for n in graph.nodes.values()} == {"python", "sql"}
    assert any(c.blocking for c in graph.checks)
    assert len(graph.checks) >= 15


def test_sources_are_seeded(tmp_path: Path) -> None:
    first = write_sources(HospitalSources(root=str(tmp_path / "a")))
    second = write_sources(HospitalSources(root=str(tmp_path / "b")))
    for name in ("registry.csv", "labs/2024-03.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    other = write_sources(HospitalSources(root=str(tmp_path / "c"), seed=12))
    assert (other / "registry.csv").read_bytes() != (first / "registry.csv").read_bytes()


def test_every_month_materializes_with_its_checks_passing(demo: tuple[RunResult, Path]) -> None:
    result, home = demo
    assert result.status == "SUCCESS", [(o.step_id, o.error) for o in result.failed_steps()]
    # the registry and the patients, then 7 steps per month
    assert len(result.steps) == 2 + 7 * len(months())
    checks = result.catalog.check_results_for_run(result.run_id)
    assert checks and [c for c in checks if not c.passed] == []
    assert {c.check_name for c in checks} >= {"deidentified", "accepted_values_department"}

    reports = sorted((home / "reports").glob("*.html"))
    assert [p.stem for p in reports] == [f"2024-0{m}" for m in range(1, 7)]
    march = reports[2].read_text()
    assert "<svg" in march and "Encounters by department, 2024-03" in march
    summary = result.output_for("reports/monthly_report", "2024-03-01")
    assert summary["encounters"].iloc[0] > 0
    assert 0 < summary["abnormal_rate"].iloc[0] < 1


def test_no_direct_identifier_downstream_of_raw(demo: tuple[RunResult, Path]) -> None:
    _, home = demo
    registry = pd.read_csv(home / "sources" / "registry.csv", dtype=str)
    identifiers = set(registry["mrn"]) | set(registry["last_name"]) | set(registry["birth_date"])
    stored = [p for p in (home / "storage").rglob("*.parquet") if "raw" not in p.parts]
    assert len(stored) == 1 + 5 * len(months())  # patients; 2 staging, 2 marts, report
    for path in stored:
        frame = pq.read_table(path).to_pandas()
        for column in frame.columns:
            leaked = identifiers & set(frame[column].astype(str))
            assert not leaked, f"{path}: column {column} holds {sorted(leaked)[:3]}"
    for report in (home / "reports").glob("*.html"):
        text = report.read_text()
        assert not [i for i in registry["mrn"] if i in text]


def test_the_blocking_check_stops_a_leak_before_the_marts(tmp_path: Path) -> None:
    from examples.healthcare import staging

    @asset(key="staging/stg_patients", group="staging")
    def leaky(patient_registry: pd.DataFrame) -> pd.DataFrame:
        return patient_registry.assign(patient_key=patient_registry["mrn"])

    base = build_definitions(
        HospitalSources(root=str(tmp_path / "sources")), ReportFolder(root=str(tmp_path / "r"))
    )
    assets = [leaky if a is staging.stg_patients else a for a in base.assets]
    local = Definitions(assets=assets, checks=base.checks, resources=base.resources)
    result = materialize(local, "*", partition="2024-02-01", home=tmp_path)
    assert result.status == "FAILURE"
    checks = {
        c.check_name: c
        for c in result.catalog.check_results_for_run(result.run_id)
        if c.asset_key == "staging/stg_patients"
    }
    assert not checks["deidentified"].passed
    assert "mrn" in checks["deidentified"].metadata["identifier_columns"]
    assert result.step("marts/monthly_admissions", "2024-02-01").status == "SKIPPED"
    assert not (tmp_path / "r").exists()
