"""With a daemon running (its lease is live), the server only queues runs: the daemon
starts them within the run queue's limits. Without one, the server starts them itself
(the rest of tests/ui)."""

from __future__ import annotations

import time

from tests.ui.conftest import UiServer


def test_the_server_only_queues_while_a_daemon_holds_the_lease(server: UiServer) -> None:
    catalog = server.state.catalog
    lease = catalog.acquire_lease("daemon", "test-daemon", "somewhere", 1, 120)
    assert lease is not None and lease.owner == "test-daemon"
    try:
        run_id = server.materialize("raw_orders")
        time.sleep(1.5)  # the server would have started it within milliseconds
        assert catalog.get_run(run_id).status == "QUEUED"
        assert server.state.launcher.pid_of(run_id) is None
        metrics = server.client.get("/metrics").text
        assert "assetline_daemon_up 1.0" in metrics
        assert "assetline_run_queue_depth 1.0" in metrics
    finally:
        catalog.release_lease("daemon", "test-daemon")
        server.data("mutation($id: String!) { cancelRun(id: $id) { status } }", id=run_id)
    assert catalog.get_run(run_id).status == "CANCELED"
    assert "assetline_daemon_up 0.0" in server.client.get("/metrics").text
    # No daemon: the server starts runs again.
    again = server.materialize("raw_orders")
    assert server.wait_run(again)["status"] == "SUCCESS"


def test_tick_durations_and_failures_are_metrics(server: UiServer) -> None:
    from assets_core.catalog.ticks import TickCommit

    catalog = server.state.catalog
    catalog.commit_ticks(
        [
            TickCommit("s", "sensor", time.time(), "FAILURE", error="boom", duration_s=0.02),
            TickCommit("s", "sensor", time.time(), "SKIPPED", reason="nothing", duration_s=0.003),
            TickCommit("automation", "automation", time.time(), "SKIPPED", duration_s=0.2),
        ]
    )
    metrics = server.client.get("/metrics").text
    assert 'assetline_recent_ticks{kind="sensor",status="FAILURE"} 1.0' in metrics
    assert 'assetline_recent_ticks{kind="sensor",status="SKIPPED"} 1.0' in metrics
    assert 'assetline_tick_duration_seconds_bucket{kind="sensor",le="0.005"} 1.0' in metrics
    assert 'assetline_tick_duration_seconds_count{kind="automation"} 1.0' in metrics
