"""``assetline dev``: the UI and the daemon in one command, for local work (SPEC §9).

The server runs in this process (``assetline ui``); the daemon runs as a child
process (``assetline daemon``) on the same catalog, so schedules, sensors and
conditions tick while the UI shows them. A watcher (watchfiles) reloads the
definitions when a Python file of the code location changes: the server reloads in
place (``ServerState.reload``) and, once the new definitions load, the daemon is
restarted on them. A file that does not load leaves both on the previous definitions;
the error is printed here and shown in the UI (``Query.loadError``) until a change
fixes it. Ctrl-C or SIGTERM stops the server, the watcher and the daemon (runs that
already started go on, as with ``assetline daemon``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assets_ui.state import ServerState

EXIT_OK = 0
EXIT_USAGE = 2
#: how long a stopping daemon may take to finish its step
DAEMON_STOP_TIMEOUT_S = 30.0


def add_dev_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``dev`` command to an argparse ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dev",
        help="the UI and the daemon in one command, reloading on code changes",
        description="Serve the UI (as `assetline ui`) and run the daemon (as `assetline "
        "daemon`) on one catalog, and reload the definitions when a Python file of the "
        "code location changes. A file that does not load keeps the previous "
        "definitions; the error shows here and in the UI. Ctrl-C stops everything.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    location = parser.add_mutually_exclusive_group()
    location.add_argument("-m", "--module", help="the code location as a module")
    location.add_argument("-f", "--file", help="the code location as a Python file")
    parser.add_argument(
        "--interval",
        type=float,
        default=None,
        metavar="S",
        help="the daemon's loop period (default: [tool.assetline.daemon] interval_s, 1)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.set_defaults(func=run_dev)
    return parser


def say(text: str, *, error: bool = False) -> None:
    """One line (or block) for the person at the terminal, never interpreted as markup."""
    print(f"assetline dev: {text}", file=sys.stderr if error else sys.stdout, flush=True)


class DaemonProcess:
    """The ``assetline daemon`` child: started, restarted after a reload, stopped.

    Args:
        state: The server state (its code location and catalog).
        interval: The daemon's ``--interval``.
    """

    def __init__(self, state: ServerState, interval: float | None) -> None:
        self.state = state
        self.interval = interval
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def command(self) -> list[str]:
        """The daemon's command line."""
        cmd = [sys.executable, "-m", "assets_core.cli.main", "daemon"]
        if self.state.module:
            cmd += ["-m", self.state.module]
        elif self.state.file:
            cmd += ["-f", self.state.file]
        if self.interval is not None:
            cmd += ["--interval", str(self.interval)]
        return cmd

    def start(self) -> None:
        """Start the daemon (stopping the previous one first); nothing once ``stop``
        was called (a reload that ends while ``dev`` stops starts no orphan)."""
        with self._lock:
            self._stop()
            if self._closed:
                return
            url = self.state.catalog.engine.url.render_as_string(hide_password=False)
            env = {
                **os.environ,
                "ASSETLINE_HOME": str(self.state.home),
                "ASSETLINE_CATALOG_URL": url,
            }
            paths = [str(self.state.cwd), env.get("PYTHONPATH", "")]
            env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
            # Its own session: Ctrl-C reaches this process only, which stops the
            # daemon once (a second signal would interrupt the daemon's step).
            self.proc = subprocess.Popen(
                self.command(), cwd=self.state.cwd, env=env, start_new_session=True
            )
            say(f"daemon started (pid {self.proc.pid})")

    def exited(self) -> int | None:
        """The exit code of a daemon that ended by itself (once; None while it runs)."""
        with self._lock:
            proc = self.proc
            if proc is None or proc.poll() is None:
                return None
            self.proc = None
            return proc.returncode

    def stop(self) -> None:
        """Stop the daemon for good: SIGTERM, then SIGKILL if it does not end in time."""
        with self._lock:
            self._closed = True
            self._stop()

    def _stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(DAEMON_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            say(f"daemon (pid {proc.pid}) did not stop in time; killed", error=True)
            proc.kill()
            proc.wait()


def watched_paths(state: ServerState) -> list[Path]:
    """The folder of the code location: the ``-f`` file's folder, the ``-m``
    module's top-level package, or the folder of a top-level module."""
    if state.file:
        return [Path(state.file).parent]
    assert state.module is not None
    root = sys.modules.get(state.module.split(".")[0])
    origin = getattr(root, "__file__", None)
    if origin is None:
        return [state.cwd]
    path = Path(origin).resolve()
    return [path.parent]


def changed_python_files(changes: Iterable[tuple[Any, str]]) -> list[str]:
    """The Python files among watchfiles' changes, sorted."""
    return sorted({p for _, p in changes if p.endswith(".py")})


class Watcher(threading.Thread):
    """Reloads the definitions, then restarts the daemon, after each change.

    Args:
        state: The server state.
        daemon: The daemon child.
        paths: The folders to watch.
    """

    def __init__(self, state: ServerState, daemon: DaemonProcess, paths: list[Path]) -> None:
        super().__init__(name="assetline-dev-watcher", daemon=True)
        self.state = state
        self.daemon_process = daemon
        self.paths = paths
        self.stop_event = threading.Event()
        self.reloads = 0

    def run(self) -> None:
        """Watch until stopped."""
        from watchfiles import PythonFilter, watch

        for changes in watch(
            *self.paths,
            watch_filter=PythonFilter(),
            stop_event=self.stop_event,
            rust_timeout=500,
            yield_on_timeout=True,
        ):
            code = self.daemon_process.exited()
            if code is not None:
                say(
                    f"the daemon exited ({code}); it starts again after the next change", error=True
                )
            files = changed_python_files(changes)
            if files and not self.stop_event.is_set():
                self.reload(files)

    def reload(self, files: list[str]) -> None:
        """Reload after ``files`` changed; keep the previous definitions on error."""
        from assets_core.errors import AssetlineError

        shown = ", ".join(os.path.relpath(f, self.state.cwd) for f in files[:3])
        say(f"{shown} changed; reloading the definitions")
        try:
            location = self.state.reload()
        except AssetlineError as e:
            say(
                "the definitions did not load; still serving the previous ones:\n" + e.render(),
                error=True,
            )
            return
        except Exception as e:  # anything else the reload raised: same policy
            say(
                f"the definitions did not load ({e!r}); still serving the previous ones", error=True
            )
            return
        self.reloads += 1
        say(f"reloaded: {len(location)} assets (generation {location.generation})")
        self.daemon_process.start()


def run_dev(args: argparse.Namespace) -> int:
    """Serve the UI, run the daemon and reload on changes until interrupted.

    Returns:
        0 after a clean stop, 2 when the code location or the options are wrong.
    """
    import uvicorn

    from assets_core.errors import AssetlineError
    from assets_ui.app import create_app

    if not 0 < args.port < 65536:
        say(f"--port {args.port} is not a port number.", error=True)
        return EXIT_USAGE
    if args.interval is not None and args.interval <= 0:
        say(f"--interval {args.interval:g} must be more than 0 seconds.", error=True)
        return EXIT_USAGE
    from assets_ui.cli import is_loopback

    if not is_loopback(args.host) and not os.environ.get("ASSETLINE_AUTH_TOKENS"):
        say(
            f"warning: serving on {args.host} without ASSETLINE_AUTH_TOKENS; anyone who "
            "can reach it can run assets.",
            error=True,
        )
    try:
        app = create_app(module=args.module, file=args.file)
    except AssetlineError as e:
        say(e.render(), error=True)
        return e.exit_code
    state: ServerState = app.state.assetline
    daemon = DaemonProcess(state, args.interval)
    watcher = Watcher(state, daemon, watched_paths(state))
    say(f"UI on http://{args.host}:{args.port}; watching {', '.join(map(str, watcher.paths))}")
    stopping: list[int] = []
    # uvicorn handles SIGINT/SIGTERM itself, then raises the signal again under the
    # handler it found: this one notes it, so the daemon is stopped below.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stopping.append(signum))
    daemon.start()
    watcher.start()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    finally:
        watcher.stop_event.set()
        daemon.stop()
        watcher.join(5)
        say("stopped")
    return EXIT_OK


__all__ = ["DaemonProcess", "Watcher", "add_dev_parser", "run_dev", "watched_paths"]
