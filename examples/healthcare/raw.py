"""Raw sources exactly as the hospital's systems deliver them. They hold direct
identifiers (names, MRNs, birth dates): nothing downstream of ``staging`` may."""

from __future__ import annotations

import sqlite3
from datetime import date
from functools import partial

import pandas as pd

from assets_core import asset
from assets_core.execution.context import AssetExecutionContext
from examples.healthcare.partitions import monthly
from examples.healthcare.sources import HospitalSources

#: Restricted: stored under raw/, owned by the clinical data team.
raw_asset = partial(
    asset,
    key_prefix="raw",
    group="raw",
    owners=["team:clinical-data"],
    tags={"phi": "yes"},
    required_resources=["sources"],
)


def _sources(context: AssetExecutionContext) -> HospitalSources:
    sources: HospitalSources = context.resources.sources
    return sources.ensure()


def _month(context: AssetExecutionContext) -> date:
    return context.partition_time_window.start.date()


@raw_asset(code_version="1")
def patient_registry(context: AssetExecutionContext) -> pd.DataFrame:
    """The patient registry (CSV): MRN, name, birth date, sex and postcode."""
    return pd.read_csv(_sources(context).registry_csv, dtype=str)


@raw_asset(code_version="1", partitions=monthly)
def lab_results(context: AssetExecutionContext) -> pd.DataFrame:
    """The month's lab results (JSON lines from the lab system), one row per test."""
    path = _sources(context).labs_jsonl(_month(context))
    frame = pd.read_json(path, lines=True, dtype={"loinc": str, "mrn": str})
    context.log.info("read %d lab results from %s", len(frame), path.name)
    return frame


@raw_asset(code_version="1", partitions=monthly)
def encounters(context: AssetExecutionContext) -> pd.DataFrame:
    """The month's hospital encounters, from the EHR extract (SQLite)."""
    window = context.partition_time_window
    with sqlite3.connect(_sources(context).ehr_db) as conn:
        frame = pd.read_sql_query(
            "SELECT * FROM encounters WHERE admitted_at >= ? AND admitted_at < ? "
            "ORDER BY encounter_id",
            conn,
            params=(window.start.strftime("%Y-%m-%d"), window.end.strftime("%Y-%m-%d")),
        )
    conn.close()
    return frame
