"""The hospital's source systems, simulated: a patient registry (CSV), lab results (JSON
lines, one file per month) and an extract of the EHR (a SQLite database).

Everything is synthetic and seeded: the same seed writes the same files. Names and
medical record numbers (MRNs) are made up; they exist so that the pipeline has
something to de-identify.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

FIRST_MONTH = "2024-01-01"
#: Exclusive: the demo covers January to June 2024.
END_MONTH = "2024-07-01"

SEXES = ("F", "M", "X")
DEPARTMENTS = ("cardiology", "emergency", "oncology", "orthopedics", "pediatrics")
#: LOINC codes of the lab tests, with their unit and normal range.
LAB_TESTS: dict[str, tuple[str, str, float, float]] = {
    "2345-7": ("glucose", "mg/dL", 70.0, 99.0),
    "718-7": ("hemoglobin", "g/dL", 12.0, 17.5),
    "2160-0": ("creatinine", "mg/dL", 0.6, 1.3),
    "2093-3": ("cholesterol", "mg/dL", 125.0, 200.0),
}
#: ICD-10 codes seen in the EHR extract, by department.
DIAGNOSES = {
    "cardiology": ("I10", "I21.9", "I48.91", "I50.9"),
    "emergency": ("R07.9", "S06.0X0A", "T78.40XA", "R10.9"),
    "oncology": ("C34.90", "C50.919", "C18.9"),
    "orthopedics": ("S72.001A", "M17.11", "M54.5"),
    "pediatrics": ("J06.9", "J45.909", "A09"),
}
_FIRST_NAMES = ("Ada", "Bram", "Chloe", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Ines")
_LAST_NAMES = ("Abara", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad")


def months(first: str = FIRST_MONTH, end: str = END_MONTH) -> list[date]:
    """The first day of every month from ``first`` up to ``end`` (exclusive)."""
    out, day = [], date.fromisoformat(first)
    stop = date.fromisoformat(end)
    while day < stop:
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


@dataclass(frozen=True)
class HospitalSources:
    """Where the source systems drop their files, written on first use if missing.

    Attributes:
        root: The landing folder; default ``$ASSETLINE_HOME/sources/healthcare``.
        seed: Same seed, same patients, labs and encounters.
        patients: How many patients the registry holds.
    """

    root: str | None = None
    seed: int = 11
    patients: int = 400

    @property
    def folder(self) -> Path:
        if self.root is not None:
            return Path(self.root)
        return Path(os.environ.get("ASSETLINE_HOME", ".assetline")) / "sources" / "healthcare"

    @property
    def registry_csv(self) -> Path:
        return self.folder / "registry.csv"

    def labs_jsonl(self, month: date) -> Path:
        return self.folder / "labs" / f"{month:%Y-%m}.jsonl"

    @property
    def ehr_db(self) -> Path:
        return self.folder / "ehr.sqlite"

    def ensure(self) -> HospitalSources:
        """Write the source files unless they are already there."""
        if not self.registry_csv.exists():
            write_sources(self)
        return self

    def _rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])

    def registry(self) -> pd.DataFrame:
        rng = self._rng(1)
        n = self.patients
        birth = [date(1935, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 32_000, n)]
        return pd.DataFrame(
            {
                "mrn": [f"MRN{100000 + i}" for i in range(n)],
                "first_name": rng.choice(_FIRST_NAMES, n),
                "last_name": rng.choice(_LAST_NAMES, n),
                "birth_date": [b.isoformat() for b in birth],
                "sex": rng.choice(SEXES, n, p=[0.49, 0.49, 0.02]),
                "postcode": [f"{p:04d}" for p in rng.integers(1000, 9999, n)],
            }
        )

    def labs(self, month: date) -> list[dict[str, object]]:
        rng = self._rng(2, month.year, month.month)
        codes = list(LAB_TESTS)
        rows = []
        for i in range(int(rng.integers(250, 350))):
            code = codes[int(rng.integers(0, len(codes)))]
            _, unit, low, high = LAB_TESTS[code]
            value = float(rng.normal((low + high) / 2, (high - low) / 2.5))
            when = datetime(month.year, month.month, 1) + timedelta(
                days=int(rng.integers(0, 28)), minutes=int(rng.integers(0, 1440))
            )
            rows.append(
                {
                    "mrn": f"MRN{100000 + int(rng.integers(0, self.patients))}",
                    "loinc": code,
                    "value": round(value, 2),
                    "unit": unit,
                    "collected_at": when.isoformat(),
                    "lab_order": f"L{month:%Y%m}-{i:05d}",
                }
            )
        return rows

    def encounters(self, month: date) -> list[tuple[object, ...]]:
        rng = self._rng(3, month.year, month.month)
        rows: list[tuple[object, ...]] = []
        for i in range(int(rng.integers(120, 180))):
            dept = DEPARTMENTS[int(rng.integers(0, len(DEPARTMENTS)))]
            admitted = datetime(month.year, month.month, 1) + timedelta(
                days=int(rng.integers(0, 28)), hours=int(rng.integers(0, 24))
            )
            stay = timedelta(hours=int(rng.integers(2, 24 * 9)))
            codes = DIAGNOSES[dept]
            rows.append(
                (
                    f"E{month:%Y%m}-{i:04d}",
                    f"MRN{100000 + int(rng.integers(0, self.patients))}",
                    dept,
                    codes[int(rng.integers(0, len(codes)))],
                    admitted.isoformat(sep=" "),
                    (admitted + stay).isoformat(sep=" "),
                )
            )
        return rows


def write_sources(sources: HospitalSources) -> Path:
    """Write the registry, the monthly lab files and the EHR extract under its folder."""
    folder = sources.folder
    (folder / "labs").mkdir(parents=True, exist_ok=True)
    for month in months():
        lines = (json.dumps(row) for row in sources.labs(month))
        sources.labs_jsonl(month).write_text("\n".join(lines) + "\n")
    db = sources.ehr_db
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE encounters (encounter_id TEXT PRIMARY KEY, mrn TEXT, department "
            "TEXT, diagnosis_icd10 TEXT, admitted_at TEXT, discharged_at TEXT)"
        )
        for month in months():
            conn.executemany(
                "INSERT INTO encounters VALUES (?, ?, ?, ?, ?, ?)", sources.encounters(month)
            )
    conn.close()
    # The registry last: its presence means "all sources are there" (see ensure()).
    sources.registry().to_csv(sources.registry_csv, index=False)
    return folder


if __name__ == "__main__":  # python -m examples.healthcare.sources [FOLDER]
    import sys

    target = HospitalSources(root=sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"wrote {write_sources(target)}")
