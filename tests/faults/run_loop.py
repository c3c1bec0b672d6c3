"""A writer process for the lock tests: materializes a code location with the
multiprocess executor, run after run, for a number of runs or seconds, and prints one
JSON line per run: its status and the first errors of its failed steps.

    python tests/faults/run_loop.py LOCATION --runs N | --seconds S [--workers W]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("location")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from assets_core import materialize
    from assets_core.definitions.loader import load_definitions

    defs = load_definitions(file=args.location)
    deadline = time.monotonic() + (args.seconds or 1e9)
    done = 0
    while (args.runs is None or done < args.runs) and time.monotonic() < deadline:
        try:
            result = materialize(defs, executor="multiprocess", workers=args.workers)
            errors = [o.error for o in result.steps.values() if o.error][:3]
            line = {"status": result.status, "errors": errors}
        except Exception:
            line = {"status": "RAISED", "errors": [traceback.format_exc()]}
        print(json.dumps(line), flush=True)
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
