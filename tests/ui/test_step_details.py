"""GraphQL ``Run.steps { error { message traceback location } logs }`` (SPEC §12): a
step's captured output and its failure's traceback trimmed to the user's frames, read
from a real server that ran the steps."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.ui.conftest import FIXTURES, UiServer, start_server

LOCATION = FIXTURES / "engine_output.py"
HELPER_LINE = next(
    i
    for i, line in enumerate(LOCATION.read_text().splitlines(), 1)
    if 'return sum(values) + "1"' in line
)
QUERY = """query($id: String!) { run(id: $id) { status
    steps { asset status error { message traceback location } logs } } }"""


@pytest.fixture(scope="module")
def output_server(catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    os.environ["OUTPUT_SECRET"] = "not-to-be-seen"
    ui = start_server(tmp_path_factory.mktemp("home"), file=LOCATION, catalog_url=catalog_url)
    yield ui
    ui.close()
    os.environ.pop("OUTPUT_SECRET", None)


def test_steps_show_their_output_and_traceback(output_server: UiServer) -> None:
    ui = output_server
    run_id = ui.materialize("talker or broken or leaky")
    assert ui.wait_run(run_id)["status"] == "FAILURE"
    steps = {s["asset"]: s for s in ui.data(QUERY, id=run_id)["run"]["steps"]}
    talker, broken, leaky = steps["talker"], steps["broken"], steps["leaky"]
    assert talker["error"] is None
    assert "print to stdout" in talker["logs"] and "subprocess fd 1" in talker["logs"]
    assert leaky["logs"] == "token is ***\n"
    assert broken["logs"] == "about to fail\n"
    error = broken["error"]
    assert error["message"].startswith("The function of asset broken raised TypeError")
    assert error["location"] == f"{os.path.relpath(LOCATION)}:{HELPER_LINE}"
    assert ", in _helper" in error["traceback"] and "assets_core" not in error["traceback"]
