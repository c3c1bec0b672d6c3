"""Monthly hospital quality reports from three source systems (synthetic data).

A patient registry (CSV), lab results (JSON lines, one file per month) and an EHR
extract (SQLite) land in ``raw``; ``staging`` types them and replaces every direct
identifier with a salted hash (``patient_key``); SQL ``marts`` aggregate each month;
``reports/monthly_report`` writes an HTML page per month. Checks guard the
de-identification (blocking), completeness and code values.

Try it::

    assetline -m examples.healthcare validate   # or: make demo EXAMPLE=healthcare
    assetline materialize -m examples.healthcare --select '*' --from 2024-01-01 --to 2024-06-01
    assetline check -m examples.healthcare
"""

from __future__ import annotations

from assets_core import Definitions
from examples.healthcare.checks import ALL_CHECKS
from examples.healthcare.marts import lab_abnormal_rates, monthly_admissions
from examples.healthcare.raw import encounters, lab_results, patient_registry
from examples.healthcare.report import ReportFolder, monthly_report
from examples.healthcare.sources import HospitalSources
from examples.healthcare.staging import (
    Deidentifier,
    stg_encounters,
    stg_lab_results,
    stg_patients,
)

#: The demo's salt is not a secret; production reads it with EnvVar("HEALTHCARE_ID_SALT").
DEMO_SALT = "demo-salt-not-a-secret"


def build_definitions(
    sources: HospitalSources | None = None,
    reports: ReportFolder | None = None,
    salt: str = DEMO_SALT,
) -> Definitions:
    """The code location, with its source folder, report folder and salt."""
    return Definitions(
        assets=[
            patient_registry,
            lab_results,
            encounters,
            stg_patients,
            stg_lab_results,
            stg_encounters,
            monthly_admissions,
            lab_abnormal_rates,
            monthly_report,
        ],
        checks=ALL_CHECKS,
        resources={
            "sources": sources or HospitalSources(),
            "reports": reports or ReportFolder(),
            "deidentifier": Deidentifier(salt=salt),
        },
    )


defs = build_definitions()
