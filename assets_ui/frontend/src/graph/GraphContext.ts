import { createContext, useContext } from 'react';
import type { AssetStatus, PartitionStats } from '../api/types';
import { createKeyedStore, type KeyedStore } from '../lib/keyedStore';

/** Live per-asset state, updated by polling and run events without touching the xyflow node list. */
export interface AssetLive {
  status: AssetStatus;
  lastMaterializedAt: string | null;
  partitionStats: PartitionStats | null;
  running: boolean;
}

export function sameLive(a: AssetLive, b: AssetLive): boolean {
  return (
    a.status === b.status &&
    a.lastMaterializedAt === b.lastMaterializedAt &&
    a.running === b.running &&
    a.partitionStats?.materialized === b.partitionStats?.materialized &&
    a.partitionStats?.failed === b.partitionStats?.failed &&
    a.partitionStats?.total === b.partitionStats?.total
  );
}

export interface GraphActions {
  live: KeyedStore<AssetLive>;
  toggleGroup: (group: string) => void;
}

export const GraphContext = createContext<GraphActions>({
  live: createKeyedStore<AssetLive>(sameLive),
  toggleGroup: () => undefined,
});

export function useGraphActions(): GraphActions {
  return useContext(GraphContext);
}
