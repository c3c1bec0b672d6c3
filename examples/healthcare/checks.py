"""Data-quality checks: de-identification (blocking: a direct identifier must never
reach a mart), completeness, and accepted code values."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from assets_core import AssetCheckDefinition, AssetsDefinition, CheckResult, asset_check
from assets_core import checks as builtin
from examples.healthcare.marts import lab_abnormal_rates, monthly_admissions
from examples.healthcare.report import monthly_report
from examples.healthcare.sources import DEPARTMENTS, LAB_TESTS, SEXES
from examples.healthcare.staging import (
    AGE_BANDS,
    stg_encounters,
    stg_lab_results,
    stg_patients,
)

#: Columns that would identify a patient directly.
DIRECT_IDENTIFIERS = frozenset(
    {"mrn", "first_name", "last_name", "name", "birth_date", "postcode", "address", "phone"}
)
_PSEUDONYM = re.compile(r"^[0-9a-f]{16}$")


def deidentified(asset: AssetsDefinition[Any]) -> AssetCheckDefinition:
    """A blocking check that ``asset`` has no direct identifier column and that its
    ``patient_key`` values (if any) are pseudonyms, not MRNs."""

    @asset_check(asset=asset, name="deidentified", blocking=True)
    def check(value: pd.DataFrame) -> CheckResult:
        leaked = sorted(DIRECT_IDENTIFIERS & {str(c).lower() for c in value.columns})
        bad_keys = 0
        if "patient_key" in value.columns:
            bad_keys = int((~value["patient_key"].astype(str).str.match(_PSEUDONYM)).sum())
        return CheckResult(
            passed=not leaked and bad_keys == 0,
            description=(
                f"direct identifier columns: {', '.join(leaked)}"
                if leaked
                else f"{bad_keys} patient keys are not pseudonyms"
                if bad_keys
                else "no direct identifiers"
            ),
            metadata={"identifier_columns": leaked, "non_pseudonymous_keys": bad_keys},
        )

    return check


ALL_CHECKS = [
    *(
        deidentified(a)
        for a in (
            stg_patients,
            stg_lab_results,
            stg_encounters,
            monthly_admissions,
            lab_abnormal_rates,
            monthly_report,
        )
    ),
    # completeness
    builtin.not_null(stg_patients, ["patient_key", "birth_year", "sex", "age_band"]),
    builtin.unique(stg_patients, "patient_key"),
    builtin.not_null(stg_encounters, ["encounter_id", "patient_key", "department"]),
    builtin.unique(stg_encounters, "encounter_id"),
    builtin.not_null(stg_lab_results, ["lab_order", "patient_key", "loinc", "value"]),
    builtin.row_count(stg_lab_results, min=100),
    builtin.row_count(stg_encounters, min=50),
    # accepted code values
    builtin.accepted_values(stg_patients, "sex", SEXES),
    builtin.accepted_values(stg_patients, "age_band", AGE_BANDS),
    builtin.accepted_values(stg_encounters, "department", DEPARTMENTS),
    builtin.accepted_values(stg_lab_results, "loinc", list(LAB_TESTS)),
    builtin.sql(
        stg_encounters,
        "SELECT count(*) FROM stg_encounters "
        "WHERE NOT regexp_matches(diagnosis_icd10, '^[A-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?$')",
        name="icd10_codes_well_formed",
    ),
    builtin.sql(
        lab_abnormal_rates,
        "SELECT count(*) FROM lab_abnormal_rates WHERE abnormal_rate < 0 OR abnormal_rate > 1",
        name="rates_between_0_and_1",
    ),
]
