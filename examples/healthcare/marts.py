"""Monthly marts in SQL over the de-identified staging tables: admissions by department
and age band, and abnormal lab rates by test and sex."""

from __future__ import annotations

from functools import partial

from assets_core import sql_asset
from examples.healthcare.partitions import monthly

#: Every mart: under marts/, one partition per month, read by the quality team.
sql_mart = partial(
    sql_asset,
    key_prefix="marts",
    group="marts",
    owners=["team:quality-reporting"],
    tags={"phi": "no"},
    partitions=monthly,
    code_version="1",
)

monthly_admissions = sql_mart(
    "monthly_admissions",
    """
    SELECT e.department,
           p.age_band,
           count(*) AS encounters,
           count(DISTINCT e.patient_key) AS patients,
           round(avg(e.length_of_stay_days), 2) AS avg_length_of_stay_days
    FROM staging.stg_encounters AS e
    JOIN staging.stg_patients AS p ON p.patient_key = e.patient_key
    GROUP BY e.department, p.age_band
    ORDER BY e.department, p.age_band
    """,
    description="Encounters, patients and the average stay per department and age band.",
)

lab_abnormal_rates = sql_mart(
    "lab_abnormal_rates",
    """
    SELECT l.loinc,
           l.test_name,
           p.sex,
           count(*) AS tests,
           sum(CASE WHEN l.abnormal THEN 1 ELSE 0 END) AS abnormal,
           round(avg(CASE WHEN l.abnormal THEN 1.0 ELSE 0.0 END), 3) AS abnormal_rate
    FROM staging.stg_lab_results AS l
    JOIN staging.stg_patients AS p ON p.patient_key = l.patient_key
    GROUP BY l.loinc, l.test_name, p.sex
    ORDER BY l.loinc, p.sex
    """,
    description="How often each lab test came back outside its normal range, by sex.",
)
