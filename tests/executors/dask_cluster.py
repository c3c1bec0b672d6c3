"""A real Dask cluster for tests: a ``dask scheduler`` and ``dask worker`` processes
started with the ``distributed`` command line on loopback, as docs/deploy.md runs them
(``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0``)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DASK = Path(sys.executable).with_name("dask")
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DaskCluster:
    """A scheduler and its workers (each ``dask worker`` runs a nanny that restarts
    its worker process when it dies)."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: Path | None = None

    def call(self, fn: Any) -> Any:
        """Run ``fn(dask_scheduler)`` on the scheduler, from a short-lived client."""
        from distributed import Client

        with Client(self.address, timeout=20, set_as_default=False) as client:
            return client.run_on_scheduler(fn)

    def assetline_tasks(self) -> list[str]:
        """The keys of the Assetline tasks the scheduler still knows."""

        def keys(dask_scheduler: Any) -> list[str]:
            return [str(k) for k in dask_scheduler.tasks if str(k).startswith("assetline-")]

        return list(self.call(keys))

    def wait_for_workers(self, n: int, timeout: float = 90) -> None:
        def count(dask_scheduler: Any) -> int:
            return len(dask_scheduler.workers)

        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.call(count) >= n:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{n} Dask workers did not join {self.address}: {self.log_tail()}"
                )
            time.sleep(0.3)

    def log_tail(self) -> str:
        if self.logs is None:
            return ""
        return "\n".join(p.read_text()[-2000:] for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        """Stop the workers, then the scheduler: a worker stopping tells the scheduler
        it leaves, and waits ~8 s for an answer from a scheduler already gone."""
        for group in (self.workers, [self.scheduler]):
            for proc in group:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in group:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def dask_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ASSETLINE_CATALOG_URL", None)
    env.update(
        {
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
            "PYTHONPATH": str(REPO),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra or {})
    return env


def start_cluster(
    logs: Path, workers: int = 2, env: Mapping[str, str] | None = None
) -> DaskCluster:
    """Start a scheduler and ``workers`` single-threaded workers; wait until they joined."""
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    full_env = dask_env(env)

    def start(name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            [str(DASK), *argv], env=full_env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
        )

    scheduler = start(
        "scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    )
    cluster = DaskCluster(address, scheduler, logs=logs)
    try:
        for i in range(workers):
            cluster.workers.append(
                start(
                    f"worker-{i}",
                    [
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"w{i}",
                    ],
                )
            )
        cluster.wait_for_workers(workers)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextlib.contextmanager
def dask_cluster(
    logs: Path, workers: int = 2, env: Mapping[str, str] | None = None
) -> Iterator[DaskCluster]:
    cluster = start_cluster(logs, workers, env)
    try:
        yield cluster
    finally:
        cluster.stop()
