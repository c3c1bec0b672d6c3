"""Staging: the sources typed, cleaned and de-identified. A salted hash of the MRN
(``patient_key``) replaces every direct identifier; names, MRNs, birth dates and
postcodes stop here (a blocking check makes sure of it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

import pandas as pd

from assets_core import asset
from assets_core.execution.context import AssetExecutionContext
from examples.healthcare.partitions import monthly
from examples.healthcare.sources import LAB_TESTS


@dataclass(frozen=True)
class Deidentifier:
    """Turns an MRN into a stable pseudonymous key.

    Attributes:
        salt: Keeps the keys from being reversed by hashing every MRN. The demo uses a
            fixed one; in production pass ``EnvVar("HEALTHCARE_ID_SALT")`` so the salt
            is a secret that never reaches the catalog or the logs.
    """

    salt: str

    def keys(self, mrns: pd.Series) -> pd.Series:
        salt = self.salt
        return mrns.map(lambda mrn: hashlib.sha256(f"{salt}:{mrn}".encode()).hexdigest()[:16])


#: Every staging asset: under staging/, owned by the clinical data team, de-identified.
staging_asset = partial(
    asset,
    key_prefix="staging",
    group="staging",
    owners=["team:clinical-data"],
    tags={"phi": "no"},
    required_resources=["deidentifier"],
)
AGE_BANDS = ("0-17", "18-39", "40-64", "65+")
#: The first digit of a postcode gives the region (coarse enough to publish).
REGIONS = {"1": "north", "2": "north", "3": "east", "4": "east", "5": "south", "6": "south"}


def _deidentifier(context: AssetExecutionContext) -> Deidentifier:
    deidentifier: Deidentifier = context.resources.deidentifier
    return deidentifier


@staging_asset(
    code_version="1",
    columns={
        "patient_key": "string",
        "birth_year": "int64",
        "age_band": "string",
        "sex": "string",
        "region": "string",
    },
)
def stg_patients(context: AssetExecutionContext, patient_registry: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: pseudonymous key, birth year, age band (on 2024-01-01), sex
    and region. No names, MRNs, birth dates or postcodes."""
    registry = patient_registry.drop_duplicates("mrn", keep="last")
    born = pd.to_datetime(registry["birth_date"])
    age = 2024 - born.dt.year
    return pd.DataFrame(
        {
            "patient_key": _deidentifier(context).keys(registry["mrn"]),
            "birth_year": born.dt.year.astype("int64"),
            "age_band": pd.cut(age, [-1, 17, 39, 64, 200], labels=AGE_BANDS).astype(str),
            "sex": registry["sex"].str.upper(),
            "region": registry["postcode"].str[0].map(REGIONS).fillna("west"),
        }
    ).sort_values("patient_key", ignore_index=True)


@staging_asset(code_version="1", partitions=monthly)
def stg_lab_results(context: AssetExecutionContext, lab_results: pd.DataFrame) -> pd.DataFrame:
    """The month's lab results, de-identified, with the test's name and whether the value
    lies outside its normal range."""
    low = lab_results["loinc"].map({code: t[2] for code, t in LAB_TESTS.items()})
    high = lab_results["loinc"].map({code: t[3] for code, t in LAB_TESTS.items()})
    return pd.DataFrame(
        {
            "lab_order": lab_results["lab_order"],
            "patient_key": _deidentifier(context).keys(lab_results["mrn"]),
            "loinc": lab_results["loinc"],
            "test_name": lab_results["loinc"].map({c: t[0] for c, t in LAB_TESTS.items()}),
            "value": lab_results["value"].astype("float64"),
            "unit": lab_results["unit"],
            "collected_on": pd.to_datetime(lab_results["collected_at"]).dt.date,
            "abnormal": (lab_results["value"] < low) | (lab_results["value"] > high),
        }
    )


@staging_asset(code_version="1", partitions=monthly)
def stg_encounters(context: AssetExecutionContext, encounters: pd.DataFrame) -> pd.DataFrame:
    """The month's encounters, de-identified, with the length of stay in days."""
    admitted = pd.to_datetime(encounters["admitted_at"])
    discharged = pd.to_datetime(encounters["discharged_at"])
    return pd.DataFrame(
        {
            "encounter_id": encounters["encounter_id"],
            "patient_key": _deidentifier(context).keys(encounters["mrn"]),
            "department": encounters["department"],
            "diagnosis_icd10": encounters["diagnosis_icd10"],
            "admitted_on": admitted.dt.date,
            "length_of_stay_days": ((discharged - admitted).dt.total_seconds() / 86400).round(2),
        }
    )
