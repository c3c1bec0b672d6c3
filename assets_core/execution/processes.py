"""Which process runs a run, recorded so that another process can tell whether it is
still alive: the host name, the pid and the process's start time (a pid can be reused
by a new process; its start time cannot)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """A process, told apart from any later process that reuses its pid."""

    host: str
    pid: int
    #: Seconds since the epoch when the process started; None where unknown.
    started_at: float | None


def this_process() -> ProcessIdentity:
    """The identity of the calling process (also right after a fork)."""
    pid = os.getpid()
    return ProcessIdentity(hostname(), pid, process_started_at(pid))


@cache
def hostname() -> str:
    return socket.gethostname()


@cache
def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def process_started_at(pid: int) -> float | None:
    """When process ``pid`` started (Linux ``/proc``), or None when it does not exist
    or this system does not say."""
    boot = _boot_time()
    if boot is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its end.
    fields = stat[stat.rindex(b")") + 2 :].split()
    ticks = int(fields[19])  # field 22, starttime, in clock ticks since boot
    return round(boot + ticks / os.sysconf("SC_CLK_TCK"), 2)


def is_alive(identity: ProcessIdentity, *, tolerance_s: float = 2.0) -> bool | None:
    """Whether the process still runs: None when it ran on another host (only its
    heartbeat can tell), False when its pid is gone or now belongs to a newer process."""
    if identity.host != hostname():
        return None
    try:
        os.kill(identity.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if identity.started_at is None:
        return True
    now_started = process_started_at(identity.pid)
    return now_started is None or abs(now_started - identity.started_at) <= tolerance_s
