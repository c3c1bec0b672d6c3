"""Write sensor readings as CSV files into the landing folder, as devices would.

    python examples/iot/generate.py                  # a file every 5 s, until Ctrl-C
    python examples/iot/generate.py --count 3        # three files, then stop
    python examples/iot/generate.py --every 1 --devices 5 --anomaly 0.05

Each file holds one reading per device, is named ``readings_<UTC time>_<n>.csv`` and
appears atomically (written under a temporary name, then renamed), so the sensor never
reads half a file.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_file(folder: Path, devices: int, anomaly: float, rng: random.Random, n: int) -> Path:
    """Write one file of readings (one per device) taken now; return its path."""
    now = datetime.now(UTC)
    rows = ["device,time,temperature,humidity"]
    for d in range(1, devices + 1):
        temperature = rng.gauss(20.0 + d, 0.8)
        if rng.random() < anomaly:
            temperature += rng.choice((-1, 1)) * rng.uniform(50, 90)  # a broken probe
        humidity = min(max(rng.gauss(45.0, 5.0), 0.0), 100.0)
        rows.append(f"sensor-{d},{now.isoformat()},{temperature:.2f},{humidity:.1f}")
    name = f"readings_{now:%Y%m%dT%H%M%S}_{n:06d}.csv"
    tmp = folder / f".{name}.tmp"
    tmp.write_text("\n".join(rows) + "\n")
    os.replace(tmp, folder / name)
    return folder / name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("IOT_LANDING", str(HERE / "landing"))
    parser.add_argument("--folder", default=default, help=f"landing folder (default {default})")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between files")
    parser.add_argument("--count", type=int, default=None, help="files to write (default: forever)")
    parser.add_argument("--devices", type=int, default=3, help="devices per file")
    parser.add_argument("--anomaly", type=float, default=0.02, help="chance of a broken reading")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    args = parser.parse_args(argv)
    if args.every < 0 or args.devices < 1 or not 0 <= args.anomaly <= 1:
        parser.error("--every must be >= 0, --devices >= 1, --anomaly between 0 and 1")
    if args.count is not None and args.count < 1:
        parser.error("--count must be 1 or more")
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    n = 0
    try:
        while args.count is None or n < args.count:
            if n:
                time.sleep(args.every)
            n += 1
            path = write_file(folder, args.devices, args.anomaly, rng, n)
            print(f"wrote {path}", flush=True)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
