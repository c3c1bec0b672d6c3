// Status → colour/label mapping for assets, runs and steps.
import type { AssetStatus, RunStatus, StepStatus } from '../api/types';

export interface StatusMeta {
  label: string;
  color: string; // strong colour: borders, bars, minimap
  background: string; // tinted background for badges
  description: string;
}

export const ASSET_STATUS_META: Record<AssetStatus, StatusMeta> = {
  MISSING: { label: 'Missing', color: '#8a94a6', background: '#eef0f4', description: 'Never materialized' },
  FRESH: { label: 'Fresh', color: '#1f9d55', background: '#e3f6ea', description: 'Up to date' },
  STALE: { label: 'Stale', color: '#d69e0b', background: '#fdf4dc', description: 'Out of date with its code or upstream data' },
  FAILED: { label: 'Failed', color: '#d64545', background: '#fde8e8', description: 'Last materialization failed' },
  OVERDUE: { label: 'Overdue', color: '#e8720c', background: '#fdeede', description: 'Older than its freshness policy allows' },
  CHECK_FAILED: { label: 'Check failed', color: '#8b3fd9', background: '#f1e7fc', description: 'A check on the latest value failed' },
};

const UNKNOWN: StatusMeta = { label: 'Unknown', color: '#8a94a6', background: '#eef0f4', description: '' };

export function assetStatusMeta(status: string | null | undefined): StatusMeta {
  if (status && status in ASSET_STATUS_META) return ASSET_STATUS_META[status as AssetStatus];
  return UNKNOWN;
}

export function assetStatusColor(status: string | null | undefined): string {
  return assetStatusMeta(status).color;
}

export const RUN_STATUS_META: Record<RunStatus, StatusMeta> = {
  QUEUED: { label: 'Queued', color: '#8a94a6', background: '#eef0f4', description: 'Waiting to start' },
  STARTED: { label: 'Running', color: '#2f6fde', background: '#e3ecfc', description: 'In progress' },
  SUCCESS: { label: 'Success', color: '#1f9d55', background: '#e3f6ea', description: 'Finished successfully' },
  FAILURE: { label: 'Failure', color: '#d64545', background: '#fde8e8', description: 'Finished with failures' },
  CANCELING: { label: 'Canceling', color: '#e8720c', background: '#fdeede', description: 'Cancel requested' },
  CANCELED: { label: 'Canceled', color: '#6b7280', background: '#eceef1', description: 'Canceled' },
};

export function runStatusMeta(status: string | null | undefined): StatusMeta {
  if (status && status in RUN_STATUS_META) return RUN_STATUS_META[status as RunStatus];
  return UNKNOWN;
}

export const STEP_STATUS_META: Record<StepStatus, StatusMeta> = {
  WAITING: { label: 'Waiting', color: '#8a94a6', background: '#eef0f4', description: 'Waiting for a pool slot' },
  STARTED: { label: 'Running', color: '#2f6fde', background: '#e3ecfc', description: 'In progress' },
  SUCCESS: { label: 'Success', color: '#1f9d55', background: '#e3f6ea', description: 'Succeeded' },
  FAILED: { label: 'Failed', color: '#d64545', background: '#fde8e8', description: 'Failed' },
  SKIPPED: { label: 'Skipped', color: '#b0b7c3', background: '#f3f4f6', description: 'Skipped' },
  CANCELED: { label: 'Canceled', color: '#6b7280', background: '#eceef1', description: 'Canceled' },
};

export function stepStatusMeta(status: string | null | undefined): StatusMeta {
  if (status && status in STEP_STATUS_META) return STEP_STATUS_META[status as StepStatus];
  return UNKNOWN;
}

export const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'CANCELED']);

export function isTerminalRunStatus(status: string | null | undefined): boolean {
  return !!status && TERMINAL_RUN_STATUSES.has(status);
}

export function canCancel(status: string | null | undefined): boolean {
  return status === 'QUEUED' || status === 'STARTED';
}

/** Event types that end a run (best effort: the run status is authoritative). */
export function isRunEndEvent(type: string): boolean {
  const t = type.toUpperCase();
  return (
    t === 'RUN_SUCCESS' || t === 'RUN_FAILURE' || t === 'RUN_CANCELED' || t === 'RUN_CANCELLED' ||
    t === 'RUN_FAILED' || t === 'RUN_END' || t === 'RUN_FINISHED' || t === 'RUN_COMPLETED'
  );
}

/** Severity order used to summarise a collapsed group: the worst status wins. */
const SEVERITY: AssetStatus[] = ['FAILED', 'CHECK_FAILED', 'OVERDUE', 'STALE', 'MISSING', 'FRESH'];

export function worstStatus(statuses: Iterable<AssetStatus>): AssetStatus | null {
  let best = Number.POSITIVE_INFINITY;
  for (const s of statuses) {
    const idx = SEVERITY.indexOf(s);
    if (idx >= 0 && idx < best) best = idx;
    if (best === 0) break;
  }
  return Number.isFinite(best) ? SEVERITY[best] : null;
}

/** Turn a stale reason from the server into words. Unknown forms pass through. */
export function describeStaleReason(reason: string): string {
  const trimmed = reason.trim();
  if (/\s/.test(trimmed) && !/^[a-z_]+:/.test(trimmed)) return trimmed; // already prose
  const match = /^([A-Za-z_]+)(?::\s*(.+))?$/.exec(trimmed);
  if (!match) return trimmed;
  const code = match[1].toLowerCase();
  const arg = match[2];
  switch (code) {
    case 'code_version_changed':
    case 'code_changed':
      return arg ? `Code version changed (${arg})` : 'Code version changed since the last materialization';
    case 'upstream_changed':
    case 'upstream_data_changed':
    case 'upstream_newer':
      return arg ? `Upstream ${arg} has newer data` : 'An upstream asset has newer data';
    case 'upstream_stale':
      return arg ? `Upstream ${arg} is stale` : 'An upstream asset is stale';
    case 'upstream_missing':
      return arg ? `Upstream ${arg} has never been materialized` : 'An upstream asset has never been materialized';
    case 'never_materialized':
    case 'missing':
      return 'Never materialized';
    case 'definition_changed':
      return 'Definition changed since the last materialization';
    case 'overdue':
    case 'freshness':
      return arg ? `Overdue: ${arg}` : 'Older than its freshness policy allows';
    case 'check_failed':
      return arg ? `Check ${arg} failed` : 'A check failed';
    case 'failed':
      return 'The last materialization failed';
    default:
      return arg ? `${humanize(code)}: ${arg}` : humanize(code);
  }
}

function humanize(code: string): string {
  const words = code.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
