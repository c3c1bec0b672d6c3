"""End-to-end fixtures: the built UI, a real ``assetline ui`` server on a free loopback
port, and headless Debian Chromium driven by Playwright.

- ``built_ui`` (session) makes sure ``assets_ui/static`` holds a build of the current
  front-end sources (``npm ci`` when ``node_modules`` is missing, then ``npm run
  build``); it skips only when a build is needed and node/npm are not installed.
- ``example_server`` (module) serves ``example_project`` from a fresh
  ``ASSETLINE_HOME``; ``e2e_server`` serves ``tests/fixtures/e2e_location.py``, and
  ``auth_server`` the same behind bearer tokens.
- ``browser`` (session) is ``/usr/bin/chromium`` (skipped with a reason when missing;
  CI installs it); ``page`` (per test) is a 1280x800 tab whose uncaught page errors fail
  the test, with ``shot(name)`` saving screenshots under the test's ``tmp_path`` (and
  a ``failure.png`` when the test fails).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "assets_ui" / "frontend"
STATIC = ROOT / "assets_ui" / "static"
FIXTURES = ROOT / "tests" / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SERVER_START_TIMEOUT_S = 90.0

Shot = Callable[[str], Path]


# --------------------------------------------------------------------------- the build


def _newest_source_mtime() -> float:
    newest = 0.0
    candidates = [FRONTEND / "index.html", FRONTEND / "graphiql.html", FRONTEND / "vite.config.ts"]
    candidates += [FRONTEND / "package.json"]
    candidates += list(FRONTEND.glob("tsconfig*.json"))
    candidates += [p for p in (FRONTEND / "src").rglob("*") if p.is_file()]
    for path in candidates:
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
    return newest


def _build_needed() -> str | None:
    index = STATIC / "index.html"
    if not index.is_file():
        return f"{index} is missing"
    if _newest_source_mtime() > index.stat().st_mtime:
        return "the front-end sources are newer than the build"
    return None


@pytest.fixture(scope="session")
def built_ui() -> Path:
    """``assets_ui/static`` with a current build of the UI."""
    reason = _build_needed()
    if reason is None:
        return STATIC
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        if (STATIC / "index.html").is_file():
            return STATIC  # stale but usable; nothing here can rebuild it
        pytest.skip(f"The UI is not built ({reason}) and node/npm are not installed to build it.")
    if not (FRONTEND / "node_modules").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=FRONTEND,
            check=True,
            timeout=600,
        )
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True, timeout=600)
    assert (STATIC / "index.html").is_file(), "npm run build did not write assets_ui/static"
    return STATIC


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """A running ``assetline ui`` subprocess."""

    proc: subprocess.Popen[bytes]
    port: int
    home: Path
    log_path: Path
    log: IO[bytes]
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        """POST a GraphQL document; the ``data``, or an assertion error with the errors."""
        body = self.client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def wait_run(self, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll until the run has ended; its ``id status``."""
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self.gql(
                "query($id: String!) { run(id: $id) { id status } }", id=run_id
            )["run"]
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                return run
            assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
            time.sleep(0.2)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def start_server(location: list[str], home: Path, **env_vars: str) -> Server:
    """Start ``assetline ui`` for ``location`` (``-m NAME`` or ``-f FILE``) with
    ``ASSETLINE_HOME=home`` (and ``env_vars``); return once ``/healthz`` answers."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETLINE_")}
    env["ASSETLINE_HOME"] = str(home)
    env.update(env_vars)
    port = free_port()
    log_path = home / "server.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "assets_core.cli.main", "ui", *location]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(proc=proc, port=port, home=home, log_path=log_path, log=log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        try:
            if server.client.get("/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            output = server.output()
            server.stop()
            pytest.fail(f"assetline ui did not start (exit {proc.poll()}):\n{output}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def example_server(built_ui: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``assetline ui -m example_project`` on a fresh catalog."""
    server = start_server(["-m", "example_project"], tmp_path_factory.mktemp("example_home"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def e2e_server(built_ui: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``assetline ui -f tests/fixtures/e2e_location.py`` (slow and failing assets)."""
    location = ["-f", str(FIXTURES / "e2e_location.py")]
    server = start_server(location, tmp_path_factory.mktemp("e2e_home"))
    yield server
    server.stop()


AUTH_TOKENS = {"viewer": "e2e-viewer-token", "operator": "e2e-operator-token"}


@pytest.fixture(scope="module")
def auth_server(built_ui: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``e2e_location.py`` behind bearer tokens (``AUTH_TOKENS``: a viewer, an operator)."""
    tokens = ",".join(f"{token}:{role}" for role, token in AUTH_TOKENS.items())
    location = ["-f", str(FIXTURES / "e2e_location.py")]
    home = tmp_path_factory.mktemp("auth_home")
    server = start_server(location, home, ASSETLINE_AUTH_TOKENS=tokens)
    server.client.headers["Authorization"] = f"Bearer {AUTH_TOKENS['operator']}"
    yield server
    server.stop()


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (Playwright cannot download browsers here). Module
    scope: Playwright's sync API keeps an event loop running in this thread while it
    is open, which would break later tests that call ``asyncio.run``."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("The playwright package is missing: pip install -e '.[dev]'.")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh 1280x800 tab. Uncaught errors in the page fail the test; the console
    is written to ``tmp_path/console.log``."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        with_path = tmp_path / "failure.png"
        page.screenshot(path=str(with_path), full_page=True)
        print(f"screenshot of the failure: {with_path}")
    (tmp_path / "console.log").write_text("\n".join(console))
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def shot(page: Any, tmp_path: Path) -> Shot:
    """``shot("name")`` saves ``tmp_path/name.png`` of the page and returns its path."""

    def take(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
