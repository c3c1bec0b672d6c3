"""Group scopes on every mutation (SPEC §13): a token scoped to some groups acts only
on assets of those groups — materialize, cancelRun, reexecuteRun,
addDynamicPartitions and reload — over real HTTP to a real server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.conftest import UiServer, start_server

TOKENS = (
    "root:admin,fin-op:operator:group:finance,ops-op:operator:group:ops,"
    "ops-admin:admin:group:ops,regions-admin:admin:group:regions"
)
RUN = "query($id: String!) { run(id: $id) { status } }"


@pytest.fixture(scope="module")
def scoped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSETLINE_AUTH_TOKENS", TOKENS)
    try:
        ui = start_server(tmp_path_factory.mktemp("scoped"))
    finally:
        mp.undo()
    yield ui
    ui.close()


def call(ui: UiServer, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = ui.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def forbidden(body: dict[str, Any]) -> str:
    error = body["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN", error
    message: str = error["message"]
    return message


def status(ui: UiServer, run_id: str) -> str:
    return str(call(ui, "root", RUN, id=run_id)["data"]["run"]["status"])


def wait_status(ui: UiServer, run_id: str, wanted: tuple[str, ...]) -> str:
    deadline = time.monotonic() + 60
    while (now := status(ui, run_id)) not in wanted:
        assert time.monotonic() < deadline, f"run {run_id} still {now}"
        time.sleep(0.05)
    return now


def test_materialize_is_scoped(scoped: UiServer) -> None:
    mutation = 'mutation { materialize(selection: "flaky") { id } }'
    assert "finance only" in forbidden(call(scoped, "fin-op", mutation))
    run_id = call(scoped, "ops-op", mutation)["data"]["materialize"]["id"]
    assert wait_status(scoped, run_id, ("SUCCESS", "FAILURE")) == "SUCCESS"


def test_cancel_run_is_scoped(scoped: UiServer) -> None:
    launch = 'mutation($c: JSON) { materialize(selection: "slow", config: $c) { id } }'
    run_id = call(scoped, "root", launch, c={"slow": {"seconds": 60}})["data"]["materialize"]["id"]
    wait_status(scoped, run_id, ("STARTED",))
    cancel = "mutation($id: String!) { cancelRun(id: $id) { status } }"
    message = forbidden(call(scoped, "fin-op", cancel, id=run_id))
    assert "touches ops" in message
    time.sleep(0.5)
    assert status(scoped, run_id) == "STARTED"  # the finance operator did not stop it
    assert call(scoped, "ops-op", cancel, id=run_id)["data"]["cancelRun"]["status"] in (
        "CANCELING",
        "CANCELED",
    )
    assert wait_status(scoped, run_id, ("CANCELED", "FAILURE", "SUCCESS")) == "CANCELED"


def test_reexecute_run_is_scoped(scoped: UiServer) -> None:
    run_id = call(scoped, "root", 'mutation { materialize(selection: "after_flaky") { id } }')
    run_id = run_id["data"]["materialize"]["id"]
    wait_status(scoped, run_id, ("SUCCESS", "FAILURE"))
    again = "mutation($id: String!) { reexecuteRun(id: $id) { id } }"
    assert "touches ops" in forbidden(call(scoped, "fin-op", again, id=run_id))
    assert call(scoped, "ops-op", again, id=run_id)["data"]["reexecuteRun"]["id"]


def test_add_dynamic_partitions_is_scoped_for_admins_of_a_group(scoped: UiServer) -> None:
    add = 'mutation { addDynamicPartitions(name: "customers", keys: ["initech"]) }'
    assert "touches regions" in forbidden(call(scoped, "ops-admin", add))
    assert call(scoped, "regions-admin", add)["data"]["addDynamicPartitions"] == ["initech"]


def test_reload_needs_every_group(scoped: UiServer) -> None:
    assert "touches" in forbidden(call(scoped, "ops-op", "mutation { reload }"))
    audit = (scoped.home / "audit.log").read_text()
    for action in ("materialize", "cancelRun", "reexecuteRun", "addDynamicPartitions", "reload"):
        assert f'"action": "{action}"' in audit
    assert audit.count('"outcome": "FORBIDDEN"') >= 5
