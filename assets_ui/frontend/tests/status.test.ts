import { describe, expect, it } from 'vitest';
import { ASSET_STATUSES } from '../src/api/types';
import {
  ASSET_STATUS_META,
  assetStatusColor,
  assetStatusMeta,
  canCancel,
  describeStaleReason,
  isRunEndEvent,
  isTerminalRunStatus,
  runStatusMeta,
  stepStatusMeta,
  worstStatus,
} from '../src/lib/status';

describe('asset status colours', () => {
  it('maps each status to its colour family', () => {
    expect(assetStatusColor('MISSING')).toBe('#8a94a6'); // grey
    expect(assetStatusColor('FRESH')).toBe('#1f9d55'); // green
    expect(assetStatusColor('STALE')).toBe('#d69e0b'); // amber
    expect(assetStatusColor('FAILED')).toBe('#d64545'); // red
    expect(assetStatusColor('OVERDUE')).toBe('#e8720c'); // orange
    expect(assetStatusColor('CHECK_FAILED')).toBe('#8b3fd9'); // purple
  });

  it('has a distinct colour and a label for every status', () => {
    const colours = ASSET_STATUSES.map((s) => ASSET_STATUS_META[s].color);
    expect(new Set(colours).size).toBe(ASSET_STATUSES.length);
    expect(assetStatusMeta('CHECK_FAILED').label).toBe('Check failed');
  });

  it('falls back for unknown values', () => {
    expect(assetStatusMeta('WEIRD').label).toBe('Unknown');
    expect(assetStatusMeta(null).label).toBe('Unknown');
    expect(runStatusMeta('STARTED').label).toBe('Running');
    expect(stepStatusMeta('SKIPPED').label).toBe('Skipped');
    expect(stepStatusMeta('WAITING').label).toBe('Waiting'); // waits for a pool slot: not running
  });

  it('summarises a group by its worst status', () => {
    expect(worstStatus(['FRESH', 'STALE', 'MISSING'])).toBe('STALE');
    expect(worstStatus(['FRESH', 'CHECK_FAILED', 'FAILED'])).toBe('FAILED');
    expect(worstStatus(['FRESH'])).toBe('FRESH');
    expect(worstStatus([])).toBeNull();
  });
});

describe('run status helpers', () => {
  it('knows terminal and cancellable states', () => {
    expect(isTerminalRunStatus('SUCCESS')).toBe(true);
    expect(isTerminalRunStatus('CANCELING')).toBe(false);
    expect(canCancel('QUEUED')).toBe(true);
    expect(canCancel('STARTED')).toBe(true);
    expect(canCancel('FAILURE')).toBe(false);
    expect(isRunEndEvent('RUN_SUCCESS')).toBe(true);
    expect(isRunEndEvent('STEP_SUCCESS')).toBe(false);
  });
});

describe('describeStaleReason', () => {
  it('turns codes into words', () => {
    expect(describeStaleReason('code_version_changed')).toBe('Code version changed since the last materialization');
    expect(describeStaleReason('upstream_changed:raw/orders')).toBe('Upstream raw/orders has newer data');
    expect(describeStaleReason('never_materialized')).toBe('Never materialized');
    expect(describeStaleReason('some_new_reason')).toBe('Some new reason');
  });

  it('keeps prose as it is', () => {
    expect(describeStaleReason('upstream orders was materialized after this asset')).toBe('upstream orders was materialized after this asset');
  });
});
