// Schedules, sensors, ticks and asset conditions (SPEC §9): operations and types.

export type InstigatorStatus = 'RUNNING' | 'STOPPED';
export type TickStatus = 'SUCCESS' | 'SKIPPED' | 'FAILURE';

export interface TickRun {
  id: string;
  status: string;
  partitions: string[];
}

export interface Tick {
  id: number;
  name: string;
  kind: string;
  timestamp: string;
  status: TickStatus;
  reason: string | null;
  error: string | null;
  runs: TickRun[];
}

export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  select: string;
  partition: string | null;
  status: InstigatorStatus;
  nextTickAt: string | null;
  lastTicks: Pick<Tick, 'status' | 'timestamp'>[];
}

export interface Sensor {
  name: string;
  intervalS: number;
  select: string | null;
  status: InstigatorStatus;
  cursor: string | null;
  lastTickAt: string | null;
  nextTickAt: string | null;
  lastTicks: Pick<Tick, 'status' | 'timestamp'>[];
}

export interface DaemonInfo {
  running: boolean;
  host: string | null;
  pid: number | null;
  since: string | null;
}

export interface Evaluation {
  timestamp: string;
  requested: boolean;
  reason: string;
  partitions: { start: string; end: string }[] | null;
  partitionCount: number;
  runId: string | null;
}

export interface AssetAutomation {
  condition: string;
  lastEvaluations: Evaluation[];
}

export const AUTOMATION_QUERY = /* GraphQL */ `
  query Automation($name: String, $limit: Int, $cursor: String, $statuses: [TickStatus!]) {
    daemon { running host pid since }
    schedules { name cron timezone select partition status nextTickAt lastTicks(limit: 1) { status timestamp } }
    sensors { name intervalS select status cursor lastTickAt nextTickAt lastTicks(limit: 1) { status timestamp } }
    ticks(name: $name, limit: $limit, cursor: $cursor, statuses: $statuses) {
      ticks { id name kind timestamp status reason error runs { id status partitions } }
      nextCursor
    }
  }
`;

export const START_SCHEDULE = /* GraphQL */ `mutation StartSchedule($name: String!) { startSchedule(name: $name) { name status } }`;
export const STOP_SCHEDULE = /* GraphQL */ `mutation StopSchedule($name: String!) { stopSchedule(name: $name) { name status } }`;
export const START_SENSOR = /* GraphQL */ `mutation StartSensor($name: String!) { startSensor(name: $name) { name status } }`;
export const STOP_SENSOR = /* GraphQL */ `mutation StopSensor($name: String!) { stopSensor(name: $name) { name status } }`;

/** The mutation that puts a schedule or sensor in ``status``. */
export const SWITCH_MUTATIONS = {
  schedule: { RUNNING: START_SCHEDULE, STOPPED: STOP_SCHEDULE },
  sensor: { RUNNING: START_SENSOR, STOPPED: STOP_SENSOR },
} as const;

export const ASSET_AUTOMATION_QUERY = /* GraphQL */ `
  query AssetAutomation($key: String!) {
    asset(key: $key) {
      key
      automation {
        condition
        lastEvaluations(limit: 10) { timestamp requested reason partitions { start end } partitionCount runId }
      }
    }
  }
`;

export const LOAD_ERROR_QUERY = /* GraphQL */ `
  query LoadError { loadError }
`;

/** "2024-03-01", "2024-03-01 … 2024-03-07", or several ranges (at most three shown). */
export function rangesText(ranges: { start: string; end: string }[] | null, count: number): string {
  if (!ranges || ranges.length === 0) return '';
  const shown = ranges.slice(0, 3).map((r) => (r.start === r.end ? r.start : `${r.start} … ${r.end}`));
  const more = ranges.length > 3 ? ` and ${ranges.length - 3} more ranges` : '';
  const total = count > 1 ? ` (${count} partitions)` : '';
  return shown.join(', ') + more + total;
}
