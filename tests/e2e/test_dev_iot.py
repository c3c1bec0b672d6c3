"""End to end: ``assetline dev`` on the IoT example as a real process; a file dropped
in the landing folder becomes a run of its hour (the sensor), the partition
materializes, the eager aggregates follow, and the asset page in the browser turns
the partition green — within bounded times."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.dev_process import IOT, DevProcess, start_dev

pytestmark = pytest.mark.e2e

#: from the file landing to the partition green in the browser (the page polls every 15 s)
GREEN_WITHIN_S = 60.0
STATS = """query($key: String!) { asset(key: $key) { partitionStats { materialized } } }"""


@pytest.fixture
def dev(built_ui: Path, tmp_path: Path) -> Iterator[DevProcess]:
    project = tmp_path / "project"
    (project / "landing").mkdir(parents=True)
    # The conditions every second (default 10 s), so the test stays short.
    (project / "pyproject.toml").write_text(
        "[tool.assetline.daemon]\ninterval_s = 0.5\nautomation_interval_s = 1\n"
    )
    process = start_dev(
        ["-f", str(IOT / "iot_pipeline.py")],
        tmp_path / "home",
        project,
        IOT_LANDING=str(project / "landing"),
        IOT_SENSOR_INTERVAL="0.5s",
    )
    yield process
    assert process.stop() == 0, process.output()[-3000:]


def materialized(dev: DevProcess, key: str) -> int:
    return int(dev.gql(STATS, key=key)["asset"]["partitionStats"]["materialized"])


def test_a_dropped_file_materializes_its_hour_and_the_ui_turns_it_green(
    dev: DevProcess, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    now = datetime.now(UTC)
    key = now.strftime("%Y-%m-%d-%H:00")
    page.goto(f"{dev.url}/assets/readings")
    strip = page.get_by_test_id("partition-strip")
    expect(strip).to_contain_text("0 materialized")

    landing = tmp_path / "project" / "landing"
    name = f"readings_{now:%Y%m%dT%H%M%S}_e2e.csv"
    rows = "device,time,temperature,humidity\n"
    rows += "".join(f"sensor-{d},{now.isoformat()},{20 + d}.5,45.0\n" for d in (1, 2, 3))
    (landing / f".{name}.tmp").write_text(rows)
    dropped = time.monotonic()
    (landing / f".{name}.tmp").rename(landing / name)

    # The partition of the file's hour materializes, then the eager aggregates.
    dev.wait_for(lambda: materialized(dev, "readings"), 30, "readings to materialize")
    dev.wait_for(lambda: materialized(dev, "hourly_device_stats"), 30, "the eager aggregate")
    segment = strip.locator("rect").filter(has_text=f"materialized: {key}")
    remaining = GREEN_WITHIN_S - (time.monotonic() - dropped)
    expect(segment).to_have_attribute("fill", "var(--fresh)", timeout=remaining * 1000)
    expect(strip).to_contain_text("1 materialized")
    assert time.monotonic() - dropped < GREEN_WITHIN_S

    # The run came from the sensor, keyed by the file name.
    ticks = dev.gql('{ ticks(name: "new_files") { ticks { status runs { partitions status } } } }')[
        "ticks"
    ]["ticks"]
    launched = [t for t in ticks if t["status"] == "SUCCESS"]
    assert [r["partitions"] for t in launched for r in t["runs"]] == [[key]]
    page.goto(f"{dev.url}/assets/hourly_device_stats")
    expect(page.get_by_test_id("automation-condition")).to_have_text("eager()")
    expect(page.get_by_test_id("evaluation-row").first).to_be_visible()
