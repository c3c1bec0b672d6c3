"""``assetline ui``: options, exit codes, and serving a code location."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assets_core.cli.main import build_parser
from assets_ui.cli import run_ui
from tests.ui.conftest import UI_LOCATION


def test_ui_command_is_wired_with_its_defaults() -> None:
    args = build_parser().parse_args(["ui", "-m", "example_project"])
    assert (args.host, args.port, args.module, args.file) == (
        "127.0.0.1",
        3000,
        "example_project",
        None,
    )
    assert args.func is run_ui


def test_a_broken_code_location_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no')\n")
    args = build_parser().parse_args(["ui", "-f", str(broken), "--port", "3999"])
    assert run_ui(args) == 2


def test_a_definition_error_shows_the_users_line(capsys: pytest.CaptureFixture[str]) -> None:
    location = Path(__file__).resolve().parents[1] / "fixtures" / "locations" / "syntax_error.py"
    args = build_parser(["ui"]).parse_args(["ui", "-f", str(location), "--port", "3999"])
    assert run_ui(args) == 2
    err = capsys.readouterr().err
    assert f"--> {location}:8" in err
    assert "    return [1, 2, 3" in err


def test_assetline_ui_serves_the_api(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ASSETLINE_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "assets_core.cli.main", "ui", "-f", str(UI_LOCATION)]
    proc = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"], env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert health["assets"] == 11
        body = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ assets { key } }"})
        assert len(body.json()["data"]["assets"]) == 11
    finally:
        proc.terminate()  # SIGTERM, as a service manager stops it: a clean exit
        assert proc.wait(30) == 0
