"""``assetline ui --workers N``: N server processes answering on one port.

The process model (pre-fork, like gunicorn's ``--preload``):

1. The parent loads the code location, opens the catalog, records the definitions
   snapshot and warms up (``ServerState.create``) once; binds the port; closes every
   catalog connection; then forks N workers. They share the loaded definitions
   copy-on-write, so N workers start as fast as one.
2. Each worker serves the app with its own event loop (uvicorn) on the inherited
   socket (the kernel spreads connections among them), its own catalog connections,
   response cache, status cache and warm run worker. Everything they share lives in
   the catalog: runs, their events (subscriptions poll them), statuses (each status
   cache watches the catalog's commit marker), audit entries. ``cancelRun`` in one
   worker stops a run another worker launched through the process the run recorded.
3. ``reload`` in one worker is announced to the others (``Peers``); each reloads,
   and the mutation answers once every worker serves the new definitions.
4. The parent restarts a worker that dies, and on SIGINT/SIGTERM stops them all.

With ``--workers 1`` (the default) there is no parent: the server is one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assets_ui.auth_file import on_sighup, reload_auth

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from assets_ui.state import ServerState

logger = logging.getLogger("assetline.ui")

#: How often a worker looks for a reload announced by another.
WATCH_S = 0.1
RELOAD_TIMEOUT_S = 180.0


@dataclass(frozen=True, slots=True)
class Peers:
    """The reload announcements of one group of workers: a folder holding the
    latest reload token (``reload``) and, per worker, the latest token it serves
    (``ack-<pid>``, or ``ack-<pid>`` holding ``<token> error <message>``).

    Args:
        folder: The group's folder (the parent makes and removes it).
        count: How many workers the group has.
    """

    folder: Path
    count: int

    @staticmethod
    def new_token() -> int:
        """A token for the next reload, later than every earlier one."""
        return time.time_ns()

    def announce(self, token: int) -> None:
        """Tell the others that this worker reloaded to ``token``."""
        _write(self.folder / "reload", str(token))
        self.ack(token)

    def latest(self) -> int:
        """The latest announced token (0: none)."""
        try:
            return int((self.folder / "reload").read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def ack(self, token: int, error: str | None = None) -> None:
        """Record that this worker serves the definitions of ``token`` (or failed)."""
        text = f"{token} error {error}" if error else str(token)
        _write(self.folder / f"ack-{os.getpid()}", text)

    def forget(self, pid: int) -> None:
        """Drop the acknowledgement of a worker that exited."""
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"ack-{pid}").unlink()

    def wait(self, token: int, timeout: float = RELOAD_TIMEOUT_S) -> list[str]:
        """Wait until every worker serves ``token`` or later; return the errors of
        those that could not reload. Raises ``TimeoutError`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            done, errors = 0, []
            for path in self.folder.glob("ack-*"):
                with contextlib.suppress(FileNotFoundError, ValueError):
                    seen, _, error = path.read_text().partition(" error ")
                    if int(seen) >= token:
                        done += 1
                        if error:
                            errors.append(f"worker {path.name[4:]}: {error}")
            if done >= self.count:
                return errors
            if time.monotonic() > deadline:
                raise TimeoutError(f"{done} of {self.count} workers reloaded in {timeout:.0f}s")
            time.sleep(0.05)


def _write(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(text)
    os.replace(temp, path)


async def follow_reloads(state: ServerState, peers: Peers, applied: int) -> None:
    """Reload whenever another worker announces a reload (runs for the worker's
    lifetime, in its event loop)."""
    while True:
        await asyncio.sleep(WATCH_S)
        token = peers.latest()
        # This worker's own reloads announce a token too: never reload for those.
        applied = max(applied, state.applied_reload)
        if token <= applied:
            continue
        applied = token
        try:
            await asyncio.to_thread(state.reload, announce=False)
        except Exception as e:
            logger.error("could not reload as another worker did: %s", e)
            peers.ack(token, str(e))
        else:
            peers.ack(token)


def serve(
    make_app: Callable[[], Starlette], host: str, port: int, workers: int, log_level: str
) -> int:
    """Load once, fork ``workers`` server processes on ``host:port``, supervise them
    until SIGINT or SIGTERM. Returns the exit code."""
    app = make_app()
    state: ServerState = app.state.assetline
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    folder = Path(tempfile.mkdtemp(prefix="assetline-ui-workers-"))
    peers = Peers(folder, workers)
    state.peers = peers
    state.catalog.close()  # no connection crosses a fork; each worker opens its own
    children: dict[int, int] = {}
    stopping = False
    starts: list[float] = []

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def reload_tokens() -> None:  # SIGHUP: this process (for workers to come) and each worker
        reload_auth(state)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGHUP)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if state.auth_file is not None:
        on_sighup(reload_tokens)
    try:
        for n in range(workers):
            children[_fork(app, sock, log_level, peers)] = n
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries
                continue
            if pid not in children:
                continue  # not a worker (a run worker's child is not ours)
            children.pop(pid)
            peers.forget(pid)
            if stopping:
                continue
            now = time.monotonic()
            starts = [t for t in starts if now - t < 60] + [now]
            if len(starts) > 5 * workers:
                logger.error("server workers keep dying; stopping")
                stop(signal.SIGTERM, None)
                continue
            code = os.waitstatus_to_exitcode(status)
            logger.warning("server worker %d exited (%d); starting another", pid, code)
            children[_fork(app, sock, log_level, peers)] = 0
    finally:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _fork(app: Starlette, sock: socket.socket, log_level: str, peers: Peers) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        state: ServerState = app.state.assetline
        if state.auth_file is not None:
            on_sighup(lambda: reload_auth(state))
        code = _work(app, sock, log_level, peers)
    except BaseException:
        logger.exception("server worker %d failed", os.getpid())
    finally:
        os._exit(code)


def _work(app: Starlette, sock: socket.socket, log_level: str, peers: Peers) -> int:
    import uvicorn

    state: ServerState = app.state.assetline
    state.catalog.engine.dispose(close=False)
    token = peers.latest()
    if token:  # a worker started after a reload: catch up before serving
        state.reload(announce=False)
    peers.ack(token)
    state.applied_reload = token
    config = uvicorn.Config(
        app, log_level=log_level, lifespan="on", ws_max_size=state.max_body_bytes
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0
