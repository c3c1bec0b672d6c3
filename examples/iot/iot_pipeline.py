"""An IoT pipeline that runs by itself: sensor readings land as CSV files in a folder,
a sensor requests the hourly partition of each new file, and everything downstream
follows eagerly.

- ``readings`` (hourly): the readings of one hour, from every file of that hour in the
  landing folder. A freshness policy makes it OVERDUE when files stop coming.
- ``hourly_device_stats`` (hourly, eager): count, mean, min and max per device, with
  the ``temperature_in_range`` check (the hourly anomaly check).
- ``hourly_anomalies`` (hourly, eager): readings more than 3 standard deviations from
  their device's mean for the hour.
- ``new_files`` (sensor): one ``RunRequest`` per new file, ``run_key`` = the file
  name, so a file is processed once even if the daemon restarts.

Files are named ``readings_YYYYMMDDTHHMMSS_<anything>.csv`` (UTC): the hour of the
name is the partition. ``generate.py`` writes such files. Settings (environment):
``IOT_LANDING`` (the folder; default ``landing`` beside this file), ``IOT_MAX_LAG``
(freshness, default ``10m``), ``IOT_SENSOR_INTERVAL`` (default ``5s``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from assets_core import (
    Automation,
    CheckResult,
    Definitions,
    Freshness,
    HourlyPartitions,
    RunRequest,
    SensorContext,
    SkipReason,
    asset,
    asset_check,
    sensor,
)

HERE = Path(__file__).resolve().parent
LANDING = Path(os.environ.get("IOT_LANDING", HERE / "landing"))
#: readings_20240301T061502_x.csv -> 2024-03-01-06:00
FILE_NAME = re.compile(r"^readings_(\d{4})(\d{2})(\d{2})T(\d{2})\d{4}_[\w.-]*\.csv$")
HOURS = HourlyPartitions(start="2024-01-01-00:00", end_offset=1)  # the hour in progress too
#: readings outside this range (°C) fail the hourly anomaly check
TEMPERATURE_RANGE = (-30.0, 60.0)


def partition_of(file_name: str) -> str | None:
    """The hourly partition key of a landing file's name (None: not a readings file)."""
    m = FILE_NAME.match(file_name)
    if m is None:
        return None
    year, month, day, hour = m.groups()
    return f"{year}-{month}-{day}-{hour}:00"


def files_of_hour(key: str) -> list[Path]:
    """The landing files whose readings belong to the hour ``key``."""
    return sorted(p for p in LANDING.glob("readings_*.csv") if partition_of(p.name) == key)


@asset(
    partitions=HOURS,
    group="iot",
    freshness=Freshness(max_lag=os.environ.get("IOT_MAX_LAG", "10m")),
)
def readings(context: Any) -> pd.DataFrame:
    """Every reading of one hour: device, time (UTC), temperature (°C), humidity (%)."""
    files = files_of_hour(context.partition_key)
    frames = [pd.read_csv(f, parse_dates=["time"]) for f in files]
    if not frames:
        return pd.DataFrame({"device": [], "time": [], "temperature": [], "humidity": []})
    context.log.info(f"{len(files)} file(s) for {context.partition_key}")
    return pd.concat(frames, ignore_index=True).sort_values(["device", "time"])


@asset(partitions=HOURS, group="iot", automation=Automation.eager())
def hourly_device_stats(readings: pd.DataFrame) -> pd.DataFrame:
    """Per device and hour: how many readings, and the temperature's mean, min, max."""
    stats = readings.groupby("device")["temperature"].agg(["count", "mean", "min", "max"])
    return stats.reset_index()


@asset(partitions=HOURS, group="iot", automation=Automation.eager())
def hourly_anomalies(readings: pd.DataFrame) -> pd.DataFrame:
    """Readings more than 3 standard deviations from their device's mean of the hour."""
    if readings.empty:
        return readings.assign(z=[])
    grouped = readings.groupby("device")["temperature"]
    z = (readings["temperature"] - grouped.transform("mean")) / grouped.transform("std")
    flagged = readings.assign(z=z.fillna(0.0))
    return flagged[flagged["z"].abs() > 3].reset_index(drop=True)


@asset_check(asset=hourly_device_stats)
def temperature_in_range(hourly_device_stats: pd.DataFrame) -> CheckResult:
    """The hourly anomaly check: no device reported a temperature out of range."""
    low, high = TEMPERATURE_RANGE
    bad = hourly_device_stats[
        (hourly_device_stats["min"] < low) | (hourly_device_stats["max"] > high)
    ]
    return CheckResult(
        passed=bad.empty,
        metadata={"devices_out_of_range": bad["device"].tolist(), "range": list(TEMPERATURE_RANGE)},
    )


@sensor(interval=os.environ.get("IOT_SENSOR_INTERVAL", "5s"), select="readings")
def new_files(context: SensorContext) -> Any:
    """A run of the file's hour for each new file of the landing folder (the cursor is
    the newest file name processed: names sort by time)."""
    last = context.cursor or ""
    names = sorted(p.name for p in LANDING.glob("readings_*.csv") if p.name > last)
    requests = [
        RunRequest(partition=key, run_key=name)
        for name in names
        if (key := partition_of(name)) is not None
    ]
    if names:
        context.update_cursor(names[-1])
    return requests or SkipReason(f"no new file in {LANDING}")


defs = Definitions(
    assets=[readings, hourly_device_stats, hourly_anomalies],
    checks=[temperature_in_range],
    sensors=[new_files],
)
