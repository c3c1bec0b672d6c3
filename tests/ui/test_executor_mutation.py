"""``materialize(executor: {name, workers, daskAddress})``: the run executes where it
asks and records it; an option that does not apply is a BAD_USER_INPUT error."""

from __future__ import annotations

from tests.ui.conftest import UiServer

MATERIALIZE = """mutation($s: String!, $e: ExecutorInput) {
  materialize(selection: $s, executor: $e) { id status executor } }"""


def test_the_run_executes_with_the_executor_it_asks_for(server: UiServer) -> None:
    data = server.data(MATERIALIZE, s="raw_orders", e={"name": "multiprocess", "workers": 2})
    run = data["materialize"]
    assert (run["status"], run["executor"]) == ("QUEUED", "multiprocess")
    assert server.wait_run(run["id"])["status"] == "SUCCESS"
    record = server.state.catalog.get_run(run["id"])
    assert record.executor_options == {"workers": 2}


def test_executor_options_that_do_not_apply_are_bad_user_input(server: UiServer) -> None:
    cases = [
        ({"name": "inprocess", "daskAddress": "tcp://127.0.0.1:8786"}, "applies to the dask"),
        ({"name": "inprocess", "workers": 2}, "runs one step at a time"),
        ({"name": "ray"}, "Unknown executor 'ray'"),
        ({"name": "dask", "daskAddress": "8786"}, "is not a Dask scheduler address"),
    ]
    for executor, fragment in cases:
        error = server.error(MATERIALIZE, s="raw_orders", e=executor)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert fragment in error["message"]
