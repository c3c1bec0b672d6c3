"""The IoT example (examples/iot/) with the real ``assetline`` program and generator:
the generator's files, the sensor's requests (one per file, run key = the file name,
the hour in the name), the hourly assets and the anomaly check, and the freshness
policy going OVERDUE when files stop."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import Cli

IOT = Path(__file__).resolve().parents[1] / "examples" / "iot"
PIPELINE = IOT / "iot_pipeline.py"
HEADER = "device,time,temperature,humidity\n"


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "ASSETLINE_HOME": str(tmp_path / "home"),
        "IOT_LANDING": str(tmp_path / "landing"),
        **extra,
    }


def test_generated_files_become_one_run_request_each(tmp_path: Path, cli: Cli) -> None:
    landing = tmp_path / "landing"
    out = subprocess.run(
        [sys.executable, str(IOT / "generate.py"), "--folder", str(landing), "--count", "3",
         "--every", "0", "--seed", "1"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    names = sorted(p.name for p in landing.iterdir())
    assert len(names) == 3 and out.count("wrote ") == 3
    assert all(n.startswith("readings_") and n.endswith(".csv") for n in names)
    assert not list(landing.glob(".*"))  # no temporary file left behind
    preview = cli("sensors", "preview", "new_files", "-f", PIPELINE, "--format", "json",
                  env=env_for(tmp_path))  # fmt: skip
    assert preview.returncode == 0, preview.stderr
    found: Any = json.loads(preview.stdout)
    assert [r["run_key"] for r in found["run_requests"]] == names
    for request, name in zip(found["run_requests"], names, strict=True):
        stamp = name.split("_")[1]  # 20241207T181502
        hour = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}-{stamp[9:11]}:00"
        assert request["partitions"] == [hour] and request["select"] == "readings"
    # Files that are not readings are ignored.
    (landing / "notes.txt").write_text("x")
    again = cli("sensors", "preview", "new_files", "-f", PIPELINE, "--cursor", names[-1],
                "--format", "json", env=env_for(tmp_path))  # fmt: skip
    assert json.loads(again.stdout)["skip_reason"].startswith("no new file in ")


def test_the_hour_materializes_the_check_flags_anomalies_and_freshness_lapses(
    tmp_path: Path, cli: Cli
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "readings_20250301T061500_a.csv").write_text(
        HEADER + "s1,2025-03-01T06:15:00+00:00,21.0,40\ns2,2025-03-01T06:15:00+00:00,22.0,41\n"
    )
    (landing / "readings_20250301T064500_b.csv").write_text(
        HEADER + "s1,2025-03-01T06:45:00+00:00,21.4,40\ns2,2025-03-01T06:45:00+00:00,95.0,41\n"
    )
    (landing / "readings_20250301T071500_c.csv").write_text(
        HEADER + "s1,2025-03-01T07:15:00+00:00,21.2,40\n"
    )
    env = env_for(tmp_path)
    run = cli("materialize", "--select", "readings+", "--partition", "2025-03-01-06:00",
              "-f", PIPELINE, env=env)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    # The hour's two files, not the next hour's: s2's 95 °C fails the range check.
    check = cli("check", "--select", "hourly_device_stats", "--partition", "2025-03-01-06:00",
                "--strict", "--format", "json", "-f", PIPELINE, env=env)  # fmt: skip
    assert check.returncode == 1, check.stdout + check.stderr
    assert "temperature_in_range" in check.stdout and "s2" in check.stdout
    fine = cli("materialize", "--select", "readings+", "--partition", "2025-03-01-07:00",
               "-f", PIPELINE, env=env)  # fmt: skip
    assert fine.returncode == 0, fine.stdout + fine.stderr
    check = cli("check", "--select", "hourly_device_stats", "--partition", "2025-03-01-07:00",
                "--strict", "-f", PIPELINE, env=env)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr

    # Fresh within 10 minutes; with no file for longer than IOT_MAX_LAG, OVERDUE.
    args = ("status", "--select", "readings", "--format", "json", "-f", PIPELINE)
    status = cli(*args, env={**env, "IOT_MAX_LAG": "10m"})
    assert json.loads(status.stdout)["assets"][0]["status"] != "OVERDUE", status.stdout
    time.sleep(1.5)
    status = cli(*args, env={**env, "IOT_MAX_LAG": "1s"})
    found: Any = json.loads(status.stdout)["assets"][0]
    assert found["status"] == "OVERDUE", status.stdout
    assert "over the freshness limit of 1s" in found["reasons"][0]
