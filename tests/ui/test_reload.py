"""``reload``: new definitions without a restart; broken code (even code that kills
the process importing it) leaves the server serving what it had."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import UI_LOCATION, UiServer, start_server

RELOAD = "mutation { reload }"
EXTRA = '''

@asset(group="ops")
def added_later() -> int:
    """Added after the server started."""
    return 7


defs = Definitions(assets=[*defs.assets, added_later], checks=list(defs.checks))
'''


@pytest.fixture
def editable(tmp_path: Path) -> Iterator[tuple[UiServer, Path]]:
    location = tmp_path / "ui_reloadable.py"
    location.write_text(UI_LOCATION.read_text())
    ui = start_server(tmp_path / "home", file=location)
    yield ui, location
    ui.close()


def test_reload_picks_up_new_definitions_and_records_a_snapshot(
    editable: tuple[UiServer, Path],
) -> None:
    ui, location = editable
    old_worker = ui.state.launcher.worker_pid
    location.write_text(location.read_text() + EXTRA)
    assert ui.data(RELOAD)["reload"] == 12
    asset = ui.data('{ asset(key: "added_later") { key group description } }')["asset"]
    assert asset == {
        "key": "added_later",
        "group": "ops",
        "description": "Added after the server started.",
    }
    snapshot = ui.state.catalog.latest_snapshot()
    assert "added_later" in {a["key"] for a in snapshot["assets"]}
    assert ui.state.launcher.worker_pid not in (None, old_worker)
    run_id = ui.materialize("added_later")
    assert ui.wait_run(run_id)["status"] == "SUCCESS"
    assert ui.client.get("/healthz").json()["generation"] == 2


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def broken(:\n", "SyntaxError"),
        ("raise RuntimeError('boom at import')\n", "boom at import"),
        ("import os\nos._exit(3)\n", "exited with code 3"),
        ("from assets_core import asset\n\n@asset(deps=['nowhere'])\ndef x() -> int:\n"
         "    return 1\n", "nowhere"),
    ],
)  # fmt: skip
def test_broken_code_is_a_definition_error_and_the_old_definitions_stay(
    editable: tuple[UiServer, Path], source: str, expected: str
) -> None:
    ui, location = editable
    worker = ui.state.launcher.worker_pid
    location.write_text(source)
    error = ui.error(RELOAD)
    assert error["extensions"]["code"] == "DEFINITION_ERROR"
    assert expected in error["message"]
    assert "Traceback" not in error["message"]
    assert len(ui.data("{ assets { key } }")["assets"]) == 11
    assert ui.state.launcher.worker_pid == worker
    run_id = ui.materialize("raw_orders")
    assert ui.wait_run(run_id)["status"] == "SUCCESS"
