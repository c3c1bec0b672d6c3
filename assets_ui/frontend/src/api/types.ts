// TypeScript mirror of assets_ui/schema.graphql (the server contract).
// Only the shapes the UI reads; every query selects a subset of these.

export type JSONValue =
  | string
  | number
  | boolean
  | null
  | JSONValue[]
  | { [key: string]: JSONValue };

export type JSONObject = { [key: string]: JSONValue };

export type RunStatus = 'QUEUED' | 'STARTED' | 'SUCCESS' | 'FAILURE' | 'CANCELING' | 'CANCELED';
export type StepStatus = 'SUCCESS' | 'FAILED' | 'SKIPPED' | 'CANCELED' | 'STARTED' | 'WAITING';
export type AssetStatus = 'MISSING' | 'FRESH' | 'STALE' | 'FAILED' | 'OVERDUE' | 'CHECK_FAILED';

export const RUN_STATUSES: RunStatus[] = ['QUEUED', 'STARTED', 'SUCCESS', 'FAILURE', 'CANCELING', 'CANCELED'];
export const ASSET_STATUSES: AssetStatus[] = ['MISSING', 'FRESH', 'STALE', 'FAILED', 'OVERDUE', 'CHECK_FAILED'];

export interface PartitionsDef {
  kind: string;
  description: string;
  keys: string[];
  total: number;
}

export interface PartitionStats {
  total: number;
  materialized: number;
  failed: number;
  missing: number;
  ranges?: JSONValue;
}

export interface Freshness {
  maxLagS: number;
  lagS: number | null;
  overdue: boolean;
}

export interface CheckResult {
  status: string;
  passed: boolean;
  partition: string | null;
  runId: string | null;
  timestamp: string;
  metadata: JSONValue;
  error: string | null;
}

export interface Check {
  name: string;
  severity: string;
  blocking: boolean;
  description: string | null;
  lastResult: CheckResult | null;
  history: CheckResult[];
}

export interface Column {
  name: string;
  type: string | null;
}

export interface ColumnRef {
  asset: string;
  column: string;
}

export type ColumnLineageType = 'DIRECT' | 'INDIRECT';

/** A source of a column: DIRECT (IDENTITY, TRANSFORMATION, AGGREGATION) or INDIRECT
 * (FILTER, JOIN, GROUP_BY, SORT, WINDOW, CONDITIONAL). */
export interface ColumnSource {
  asset: string;
  column: string;
  type: ColumnLineageType;
  subtype: string;
}

export interface ColumnLineage {
  column: string;
  sources: ColumnSource[];
  indirect: ColumnSource[];
}

export interface ColumnGraphNode {
  id: string;
  asset: string;
  column: string;
}

export interface ColumnGraphEdge {
  source: string;
  target: string;
  type: ColumnLineageType;
  subtype: string;
}

export interface ColumnGraph {
  nodes: ColumnGraphNode[];
  edges: ColumnGraphEdge[];
}

export interface Materialization {
  id: string;
  assetKey?: string;
  runId: string;
  timestamp: string;
  partition: string | null;
  dataVersion: string | null;
  codeVersion: string | null;
  metadata: JSONValue;
}

export interface AssetRef {
  key: string;
  group?: string;
  kind?: string;
  status?: AssetStatus;
}

export interface Asset {
  key: string;
  path: string[];
  group: string;
  description: string | null;
  owners: string[];
  tags: JSONValue;
  kind: string;
  codeVersion: string | null;
  /** no longer in the code: shown from the latest definitions snapshot that had it */
  removed: boolean;
  partitionsDef: PartitionsDef | null;
  upstream: AssetRef[];
  downstream: AssetRef[];
  status: AssetStatus;
  staleReasons: string[];
  freshness: Freshness | null;
  latestMaterialization: Materialization | null;
  materializations: Materialization[];
  partitionStats: PartitionStats | null;
  checks: Check[];
  columns: Column[];
  columnLineage: ColumnLineage[];
  configSchema: JSONValue | null;
  /** static metadata=, "sql" of a SQL asset, "preview" of the latest materialization */
  metadata?: JSONValue;
}

export interface LineageNode {
  key: string;
  group: string;
  kind: string;
  status: AssetStatus;
  depth?: number | null;
}

export interface LineageEdge {
  source: string;
  target: string;
}

export interface Lineage {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface Step {
  asset: string;
  partition: string | null;
  status: StepStatus;
  attempts: number;
  durationS: number | null;
  startedAt: string | null;
  endedAt: string | null;
  error: StepError | null;
}

/** Why a step did not succeed; a failure in code has the user's traceback and file:line. */
export interface StepError {
  message: string;
  traceback: string | null;
  location: string | null;
}

export interface RunEvent {
  seq: number;
  runId: string;
  timestamp: string;
  type: string;
  asset: string | null;
  partition: string | null;
  level: string;
  message: string;
}

export interface Run {
  id: string;
  status: RunStatus;
  selection: string;
  partitions: string[];
  tags: JSONValue;
  launchedBy: string | null;
  executor: string | null;
  startedAt: string | null;
  endedAt: string | null;
  steps: Step[];
  events: RunEvent[];
}

export type RunSummary = Pick<
  Run,
  'id' | 'status' | 'selection' | 'partitions' | 'launchedBy' | 'startedAt' | 'endedAt'
> & {
  /** its place in the run queue while QUEUED (1: next to start) */
  queuePosition?: number | null;
};

export interface RunConnection {
  runs: RunSummary[];
  nextCursor: string | null;
}
