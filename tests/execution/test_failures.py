"""Failures and retries: a failing asset skips exactly its downstream, independent
branches finish, and Retry policies are honoured."""

from __future__ import annotations

import time
from typing import Any

import pytest

from assets_core import Definitions, Retry, asset
from assets_core.catalog.catalog import Catalog
from assets_core.errors import ExecutionError
from assets_core.execution.run import materialize


def branches(fail: set[str], calls: list[str]) -> Definitions:
    """root -> bad -> bad_child -> bad_grandchild; root -> good -> good_child; lone."""

    def body(name: str, value: int) -> int:
        calls.append(name)
        if name in fail:
            raise RuntimeError(f"{name} is broken")
        return value

    @asset
    def root() -> int:
        return body("root", 1)

    @asset
    def bad(root: int) -> int:
        return body("bad", root)

    @asset
    def bad_child(bad: int) -> int:
        return body("bad_child", bad)

    @asset
    def bad_grandchild(bad_child: int) -> int:
        return body("bad_grandchild", bad_child)

    @asset
    def good(root: int) -> int:
        return body("good", root)

    @asset
    def good_child(good: int) -> int:
        return body("good_child", good)

    @asset
    def lone() -> int:
        return body("lone", 0)

    return Definitions(assets=[root, bad, bad_child, bad_grandchild, good, good_child, lone])


def test_failure_skips_exactly_its_downstream(catalog: Catalog) -> None:
    calls: list[str] = []
    result = materialize(branches({"bad"}, calls), catalog=catalog)

    assert result.status == "FAILURE"
    assert {k: o.status for k, o in result.steps.items()} == {
        "root": "SUCCESS",
        "bad": "FAILED",
        "bad_child": "SKIPPED",
        "bad_grandchild": "SKIPPED",
        "good": "SUCCESS",
        "good_child": "SUCCESS",
        "lone": "SUCCESS",
    }
    # Downstream of a failure is skipped, never attempted.
    assert sorted(calls) == ["bad", "good", "good_child", "lone", "root"]

    steps = {s.asset_key: s for s in catalog.steps(result.run_id)}
    assert steps["bad"].status == "FAILED"
    assert steps["bad"].attempts == 1
    assert steps["bad"].error is not None and "RuntimeError: bad is broken" in steps["bad"].error
    assert steps["bad_child"].status == "SKIPPED"
    assert steps["bad_child"].error == "upstream bad failed"
    assert steps["bad_grandchild"].status == "SKIPPED"
    assert steps["bad_grandchild"].error is not None and "bad" in steps["bad_grandchild"].error
    assert {k for k, s in steps.items() if s.status == "SUCCESS"} == {
        "root",
        "good",
        "good_child",
        "lone",
    }

    mats = catalog.materializations_for_run(result.run_id)
    assert sorted(m.asset_key for m in mats) == ["good", "good_child", "lone", "root"]
    run = catalog.get_run(result.run_id)
    assert run.status == "FAILURE"
    assert run.ended_at is not None
    assert run.error is not None and "bad" in run.error


def test_failure_events_keep_the_error_and_traceback(catalog: Catalog) -> None:
    result = materialize(branches({"bad"}, []), catalog=catalog)
    events = catalog.events(result.run_id)
    failure = [e for e in events if e.type == "STEP_FAILURE"]
    assert len(failure) == 1
    assert failure[0].asset_key == "bad"
    assert failure[0].level == "ERROR"
    assert failure[0].data is not None
    assert "RuntimeError: bad is broken" in failure[0].data["error"]
    assert "Traceback" in failure[0].data["traceback"]
    assert "bad is broken" in failure[0].data["traceback"]

    skipped = {e.asset_key: e for e in events if e.type == "STEP_SKIPPED"}
    assert set(skipped) == {"bad_child", "bad_grandchild"}
    assert skipped["bad_child"].data == {"reason": "upstream bad failed"}
    assert (events[0].type, events[-1].type) == ("RUN_START", "RUN_FAILURE")


def test_raise_on_error_names_the_failed_step(catalog: Catalog) -> None:
    with pytest.raises(ExecutionError, match=r"ended FAILURE.*bad.*bad is broken"):
        materialize(branches({"bad"}, []), catalog=catalog, raise_on_error=True)


def test_failing_root_skips_everything_but_independent_assets(catalog: Catalog) -> None:
    calls: list[str] = []
    result = materialize(branches({"root"}, calls), catalog=catalog)
    outcome = {k: o.status for k, o in result.steps.items()}
    assert outcome.pop("root") == "FAILED"
    assert outcome.pop("lone") == "SUCCESS"
    assert set(outcome.values()) == {"SKIPPED"}
    assert sorted(calls) == ["lone", "root"]


def flaky_asset(fail_times: int, exc: type[Exception], retry: Retry, calls: list[float]) -> Any:
    @asset(retry=retry)
    def flaky() -> int:
        calls.append(time.monotonic())
        if len(calls) <= fail_times:
            raise exc(f"attempt {len(calls)} failed")
        return len(calls)

    return flaky


def test_retry_succeeds_on_the_third_attempt(catalog: Catalog) -> None:
    calls: list[float] = []
    flaky = flaky_asset(2, ConnectionError, Retry(max_attempts=3, backoff_s=0.05), calls)

    result = materialize([flaky], catalog=catalog)

    assert result.success
    assert len(calls) == 3
    outcome = result.step("flaky")
    assert (outcome.status, outcome.attempts) == ("SUCCESS", 3)
    [step] = catalog.steps(result.run_id)
    assert (step.status, step.attempts, step.error) == ("SUCCESS", 3, None)

    events = catalog.events(result.run_id)
    retries = [e for e in events if e.type == "STEP_RETRY"]
    assert [e.data["attempt"] for e in retries if e.data] == [1, 2]
    assert all(e.asset_key == "flaky" and e.level == "WARNING" for e in retries)
    assert "attempt 1 failed" in retries[0].message
    assert [e.type for e in events].count("MATERIALIZATION") == 1
    assert result.output_for("flaky") == 3

    # Backoff doubles: 0.05 s then 0.1 s between attempts.
    assert calls[1] - calls[0] >= 0.05
    assert calls[2] - calls[1] >= 0.1


def test_retry_gives_up_after_max_attempts(catalog: Catalog) -> None:
    calls: list[float] = []
    flaky = flaky_asset(5, ConnectionError, Retry(max_attempts=3, backoff_s=0), calls)
    result = materialize([flaky], catalog=catalog)
    assert result.status == "FAILURE"
    assert len(calls) == 3
    [step] = catalog.steps(result.run_id)
    assert (step.status, step.attempts) == ("FAILED", 3)
    assert step.error is not None and "attempt 3 failed" in step.error
    events = [e.type for e in catalog.events(result.run_id)]
    assert events.count("STEP_RETRY") == 2
    assert events.count("STEP_FAILURE") == 1


def test_retry_on_limits_which_exceptions_are_retried(catalog: Catalog) -> None:
    calls: list[float] = []
    retry = Retry(max_attempts=3, backoff_s=0, retry_on=(ConnectionError,))
    not_retried = flaky_asset(2, KeyError, retry, calls)
    result = materialize([not_retried], catalog=catalog)
    assert result.status == "FAILURE"
    assert len(calls) == 1
    [step] = catalog.steps(result.run_id)
    assert (step.status, step.attempts) == ("FAILED", 1)
    assert "STEP_RETRY" not in [e.type for e in catalog.events(result.run_id)]


def test_retry_on_retries_subclasses_of_the_listed_exceptions(catalog: Catalog) -> None:
    calls: list[float] = []
    retry = Retry(max_attempts=3, backoff_s=0, retry_on=(OSError,))
    flaky = flaky_asset(2, ConnectionRefusedError, retry, calls)
    result = materialize([flaky], catalog=catalog)
    assert result.success
    assert result.step("flaky").attempts == 3
