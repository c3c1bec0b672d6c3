"""Real processes for the fault tests: `assetline ui` on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import assetline_command, cli_env


@dataclass(frozen=True)
class UiProcess:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        """The JSON answer of a POSTed operation (any HTTP status)."""
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=60
        )
        body: dict[str, Any] = response.json()
        body["http_status"] = response.status_code
        return body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def assetline_ui(
    location: Path, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 90
) -> Iterator[UiProcess]:
    """`assetline ui -f LOCATION` serving on 127.0.0.1, ready (healthz answers); its
    output goes to a log file beside ``cwd``; terminated at the end."""
    port = free_port()
    log = cwd / f"ui-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            assetline_command(
                "ui", "-f", str(location), "--host", "127.0.0.1", "--port", str(port)
            ),
            env=cli_env(env),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    ui = UiProcess(proc, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(f"{ui.url}/healthz", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "assetline ui did not start"
                time.sleep(0.1)
        yield ui
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
