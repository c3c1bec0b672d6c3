"""``/metrics`` (SPEC §12): Prometheus metrics read from the catalog at scrape time,
in a registry of the app's own (several apps in one process do not collide).

- ``assetline_runs{status}``: runs by status;
- ``assetline_run_queue_depth``: runs waiting to start (QUEUED);
- ``assetline_step_duration_seconds``: durations of the steps of the latest runs;
- ``assetline_asset_freshness_lag_seconds{asset}`` and
  ``assetline_asset_freshness_max_lag_seconds{asset}``: assets with a freshness policy;
- ``assetline_definitions_assets`` and ``assetline_definitions_generation``;
- ``assetline_daemon_up``: 1 while a daemon holds the lease (it starts queued runs);
- ``assetline_tick_duration_seconds{kind}`` and ``assetline_recent_ticks{kind,status}``:
  the latest ticks of schedules, sensors and the automation conditions (failures are
  ``status="FAILURE"``);
- ``assetline_alert_deliveries{result,kind}``: alert deliveries (``result`` ``sent`` or
  ``failed``; ``kind`` ``step_failure``, ``check_failure`` or ``freshness``) of the
  latest runs and the latest freshness alerts.
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
RECENT_TICKS = 500
TICK_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0)


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
        yield self._alerts()
        yield from self._freshness()
        yield from self._automation()
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

    def _alerts(self) -> Metric:
        catalog = self.state.catalog
        recent = [r.id for r in catalog.list_runs(limit=RECENT_RUNS)]
        types = {"ALERT_SENT": "sent", "ALERT_FAILED": "failed"}
        found = catalog.events_of_types_for_runs(recent, tuple(types)) if recent else {}
        counts: dict[tuple[str, str], int] = {}
        facts = [(e.type, e.data) for events in found.values() for e in events]
        for t in types:
            facts += [(e.type, e.data) for e in catalog.asset_events(type=t, limit=RECENT_TICKS)]
        for kind, data in facts:
            label = (types[kind], str((data or {}).get("kind", "")))
            counts[label] = counts.get(label, 0) + 1
        deliveries = GaugeMetricFamily(
            "assetline_alert_deliveries",
            f"Alert deliveries of the latest {RECENT_RUNS} runs and {RECENT_TICKS} freshness "
            "alerts, by result and kind",
            labels=["result", "kind"],
        )
        for (result, kind), n in sorted(counts.items()):
            deliveries.add_metric([result, kind], n)
        return deliveries

    def _automation(self) -> Iterator[Metric]:
        from assets_core.automation.lease import daemon_is_live

        catalog = self.state.catalog
        yield GaugeMetricFamily(
            "assetline_daemon_up",
            "1 while a daemon holds the lease and starts queued runs",
            value=1 if daemon_is_live(catalog) else 0,
        )
        ticks = catalog.tick_durations(RECENT_TICKS)
        by_kind: dict[str, list[float]] = {}
        counts: dict[tuple[str, str], int] = {}
        for kind, status, seconds in ticks:
            by_kind.setdefault(kind, []).append(seconds)
            counts[(kind, status)] = counts.get((kind, status), 0) + 1
        durations = HistogramMetricFamily(
            "assetline_tick_duration_seconds",
            f"Durations of the latest {RECENT_TICKS} ticks, by kind",
            labels=["kind"],
        )
        for kind, values in sorted(by_kind.items()):
            buckets, total = _buckets(values, TICK_BUCKETS)
            durations.add_metric([kind], buckets, total)
        yield durations
        recent = GaugeMetricFamily(
            "assetline_recent_ticks",
            f"The latest {RECENT_TICKS} ticks by kind and status",
            labels=["kind", "status"],
        )
        for (kind, status), n in sorted(counts.items()):
            recent.add_metric([kind, status], n)
        yield recent

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


def _buckets(
    values: list[float], bounds: tuple[float, ...]
) -> tuple[list[tuple[str, float]], float]:
    """Cumulative histogram buckets of ``values`` and their sum."""
    counts = [0] * (len(bounds) + 1)
    for v in values:
        counts[bisect.bisect_left(bounds, v)] += 1
    cumulative, out = 0, []
    for bound, n in zip((*(str(b) for b in bounds), "+Inf"), counts, strict=True):
        cumulative += n
        out.append((bound, float(cumulative)))
    return out, sum(values)


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
