import { useEffect, useRef, useState } from 'react';
import { gql } from '../api/client';
import { ASSETS_LIVE_QUERY } from '../api/queries';
import { runTracker } from '../api/runTracker';
import type { AssetStatus, PartitionStats } from '../api/types';
import { assetEventEffect } from '../lib/events';
import type { KeyedStore } from '../lib/keyedStore';
import { selectionFor, type GraphFilter } from '../lib/selection';
import type { AssetLive } from './GraphContext';

interface LiveRow {
  key: string;
  status: AssetStatus;
  latestMaterialization: { timestamp: string; runId: string } | null;
  partitionStats: PartitionStats | null;
}

const ACTIVE_POLL_MS = 3000;
const IDLE_POLL_MS = 10000;
const EVENT_DEBOUNCE_MS = 300;

/**
 * Keeps the live store fresh: one `assets` query for the shown filter, re-polled
 * (every 3 s while a run launched here is active, else every 10 s or slower on big
 * graphs), plus targeted refreshes of the assets named in runEvents.
 */
export function useLiveAssets(store: KeyedStore<AssetLive>, filter: GraphFilter, enabled: boolean): { activeRuns: number } {
  const selection = filter.kind === 'selection' ? filter.text || null : null;
  const search = filter.kind === 'search' ? filter.text : null;
  const [activeRuns, setActiveRuns] = useState(runTracker.active().length);
  const lastFetchMs = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    const pending = new Set<string>();

    const apply = (rows: LiveRow[]) => {
      store.setMany(
        rows.map((r): [string, AssetLive] => [
          r.key,
          {
            status: r.status,
            lastMaterializedAt: r.latestMaterialization?.timestamp ?? null,
            partitionStats: r.partitionStats,
            running: store.get(r.key)?.running ?? false,
          },
        ]),
      );
    };

    const fetchAll = async () => {
      const t0 = performance.now();
      try {
        const data = await gql<{ assets: LiveRow[] }>(ASSETS_LIVE_QUERY, { selection, search });
        if (!disposed) apply(data.assets);
      } catch {
        // the graph view shows lineage errors; live refresh failures are retried
      }
      lastFetchMs.current = performance.now() - t0;
    };

    const schedule = () => {
      clearTimeout(timer);
      if (disposed) return;
      const active = runTracker.active().length > 0;
      const delay = active ? ACTIVE_POLL_MS : Math.max(IDLE_POLL_MS, lastFetchMs.current * 10);
      timer = setTimeout(async () => {
        if (document.visibilityState !== 'hidden') await fetchAll();
        schedule();
      }, delay);
    };

    const refreshPending = async () => {
      const keys = [...pending];
      pending.clear();
      if (!keys.length) return;
      try {
        const data = await gql<{ assets: LiveRow[] }>(ASSETS_LIVE_QUERY, { selection: selectionFor(keys) });
        if (!disposed) apply(data.assets);
      } catch {
        // fall back to the poll
      }
    };

    const unlisten = runTracker.listen({
      onEvent: (event) => {
        if (!event.asset) return;
        const effect = assetEventEffect(event.type);
        const prev = store.get(event.asset);
        if (effect === 'start') {
          store.set(event.asset, { status: prev?.status ?? 'MISSING', lastMaterializedAt: prev?.lastMaterializedAt ?? null, partitionStats: prev?.partitionStats ?? null, running: true });
        } else if (effect === 'end') {
          if (prev?.running) store.set(event.asset, { ...prev, running: false });
          pending.add(event.asset);
          clearTimeout(debounce);
          debounce = setTimeout(() => void refreshPending(), EVENT_DEBOUNCE_MS);
        }
      },
      onRunEnd: () => {
        const stillRunning: [string, AssetLive][] = [];
        for (const key of store.keys()) {
          const v = store.get(key);
          if (v?.running) stillRunning.push([key, { ...v, running: false }]);
        }
        store.setMany(stillRunning);
        void fetchAll();
      },
      onChange: (ids) => {
        setActiveRuns(ids.length);
        if (ids.length) schedule();
      },
    });

    void fetchAll().then(schedule);
    return () => {
      disposed = true;
      clearTimeout(timer);
      clearTimeout(debounce);
      unlisten();
    };
  }, [store, selection, search, enabled]);

  return { activeRuns };
}
