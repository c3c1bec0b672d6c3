"""``/metrics`` (SPEC §12): Prometheus metrics read from the catalog at scrape time,
in a registry of the app's own (several apps in one process do not collide).

- ``assetline_runs{status}``: runs by status;
- ``assetline_run_queue_depth``: runs waiting to start (QUEUED);
- ``assetline_step_duration_seconds``: durations of the steps of the latest runs;
- ``assetline_asset_freshness_lag_seconds{asset}`` and
  ``assetline_asset_freshness_max_lag_seconds{asset}``: assets with a freshness policy;
- ``assetline_definitions_assets`` and ``assetline_definitions_generation``.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from assets_core.catalog.status import asset_statuses

if TYPE_CHECKING:
    from assets_ui.state import ServerState

logger = logging.getLogger("assetline.ui")

RUN_STATUSES = ("QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED")
BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
RECENT_RUNS = 200


class CatalogCollector(Collector):
    """Collects the metrics above from the server's catalog and definitions."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        """One scrape."""
        catalog = self.state.catalog
        runs = GaugeMetricFamily(
            "assetline_runs", "Runs in the catalog by status", labels=["status"]
        )
        for status in RUN_STATUSES:
            runs.add_metric([status], catalog.count_runs([status]))
        yield runs
        yield GaugeMetricFamily(
            "assetline_run_queue_depth",
            "Runs waiting to start",
            value=catalog.count_runs(["QUEUED"]),
        )
        yield self._step_durations()
        yield from self._freshness()
        location = self.state.location
        yield GaugeMetricFamily(
            "assetline_definitions_assets",
            "Assets in the loaded code location",
            value=len(location),
        )
        yield GaugeMetricFamily(
            "assetline_definitions_generation",
            "How many times the code location was loaded",
            value=location.generation,
        )

    def _step_durations(self) -> Metric:
        catalog = self.state.catalog
        recent = [r.id for r in catalog.list_runs(limit=RECENT_RUNS)]
        durations = [
            s.duration_s
            for steps in catalog.steps_for_runs(recent).values()
            for s in steps
            if s.duration_s is not None
        ]
        counts = [0] * (len(BUCKETS) + 1)
        for d in durations:
            counts[bisect.bisect_left(BUCKETS, d)] += 1
        cumulative, buckets = 0, []
        for bound, n in zip((*(str(b) for b in BUCKETS), "+Inf"), counts, strict=True):
            cumulative += n
            buckets.append((bound, cumulative))
        return HistogramMetricFamily(
            "assetline_step_duration_seconds",
            f"Step durations over the latest {RECENT_RUNS} runs",
            buckets=buckets,
            sum_value=sum(durations),
        )

    def _freshness(self) -> Iterator[Metric]:
        graph = self.state.location.graph
        keys = [k for k in graph.toposorted if graph.get(k).spec.freshness is not None]
        lag = GaugeMetricFamily(
            "assetline_asset_freshness_lag_seconds",
            "Seconds since the asset was last materialized (assets with a freshness policy)",
            labels=["asset"],
        )
        limit = GaugeMetricFamily(
            "assetline_asset_freshness_max_lag_seconds",
            "The asset's freshness limit",
            labels=["asset"],
        )
        if keys:
            for key, info in asset_statuses(
                graph, self.state.catalog, keys, with_records=False
            ).items():
                policy = graph.get(key).spec.freshness
                assert policy is not None
                limit.add_metric([str(key)], policy.max_lag_s)
                if info.lag_s is not None:
                    lag.add_metric([str(key)], info.lag_s)
        yield lag
        yield limit


class Metrics:
    """The app's metrics registry.

    Args:
        state: The server state to read.
    """

    def __init__(self, state: ServerState) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(CatalogCollector(state))

    def render(self) -> bytes:
        """The Prometheus text exposition of a fresh scrape."""
        return generate_latest(self.registry)
