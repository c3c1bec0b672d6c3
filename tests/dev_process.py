"""``assetline dev`` as a real process for the tests (tests/ui, tests/e2e): started on
a free loopback port with its output in a file, polled over HTTP, stopped with
SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import Server, free_port

ROOT = Path(__file__).resolve().parents[1]
IOT = ROOT / "examples" / "iot"
START_TIMEOUT_S = 90.0


@dataclass
class DevProcess(Server):
    """A running ``assetline dev`` (the UI server of tests/e2e plus a daemon)."""

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for(self, check: Callable[[], Any], timeout: float, what: str) -> Any:
        """Poll ``check`` until it returns something truthy; fail with the output."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert self.proc.poll() is None, f"assetline dev exited:\n{self.output()[-4000:]}"
            assert time.monotonic() < deadline, (
                f"timed out after {timeout}s waiting for {what}:\n{self.output()[-4000:]}"
            )
            time.sleep(0.1)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then the exit code (SIGKILL if it does not stop in time)."""
        self.client.close()
        if self.proc.poll() is None and not self.log.closed:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        return self.proc.returncode


def start_dev(location: list[str], home: Path, cwd: Path, **env_vars: str) -> DevProcess:
    """Start ``assetline dev`` for ``location`` with ``ASSETLINE_HOME=home`` (and
    ``env_vars``); return once ``/healthz`` answers."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETLINE_")}
    env.update({"ASSETLINE_HOME": str(home), "PYTHONUNBUFFERED": "1"}, **env_vars)
    port = free_port()
    log_path = home / "dev.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "assets_core.cli.main", "dev", *location]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    dev = DevProcess(proc=proc, port=port, home=home, log_path=log_path, log=log)

    def healthy() -> bool:
        try:
            return dev.client.get("/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        dev.wait_for(healthy, START_TIMEOUT_S, "assetline dev to serve /healthz")
    except AssertionError:
        dev.stop()
        raise
    return dev
