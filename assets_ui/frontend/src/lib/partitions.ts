// Partition helpers: range expansion for the picker, completeness, and the
// status strip built from PartitionStats.ranges.
import type { JSONValue, PartitionStats } from '../api/types';

export type PartitionState = 'materialized' | 'failed' | 'missing';

export interface Segment {
  state: PartitionState;
  /** index of the first partition (inclusive) */
  start: number;
  /** index after the last partition (exclusive) */
  end: number;
  startKey?: string;
  endKey?: string;
}

/** Inclusive list of keys between `from` and `to` (either order). Throws when a key is unknown. */
export function keysInRange(keys: readonly string[], from: string, to: string): string[] {
  const a = keys.indexOf(from);
  const b = keys.indexOf(to);
  if (a < 0) throw new Error(`Unknown partition "${from}"`);
  if (b < 0) throw new Error(`Unknown partition "${to}"`);
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return keys.slice(lo, hi + 1);
}

/** The partition arguments of the materialize mutation. */
export interface PartitionsVariables {
  partitions: string[] | null;
  partitionRange: { from: string; to: string } | null;
}

/**
 * The materialize mutation's partition arguments for a list of keys in partition
 * order: one key as `partitions: [key]`, several (a contiguous range picked in the
 * dialog) as `partitionRange: {from, to}`.
 */
export function partitionsArgument(selected: readonly string[]): PartitionsVariables {
  if (selected.length === 0) return { partitions: null, partitionRange: null };
  if (selected.length === 1) return { partitions: [...selected], partitionRange: null };
  return { partitions: null, partitionRange: { from: selected[0], to: selected[selected.length - 1] } };
}

/**
 * A run's partitions as the server stores them (`Run.partitions`): one key, a range
 * as the single item `"from...to"`, or a list of keys.
 */
export function summarisePartitions(partitions: readonly string[]): string {
  if (partitions.length === 0) return '—';
  if (partitions.length === 1) {
    const range = /^(.+?)\.\.\.(.+)$/.exec(partitions[0]);
    return range ? `${range[1]} … ${range[2]}` : partitions[0];
  }
  if (partitions.length === 2) return `${partitions[0]}, ${partitions[1]}`;
  return `${partitions[0]}, … ${partitions[partitions.length - 1]} (${partitions.length} keys)`;
}

export interface CompletenessParts {
  materialized: number; // fractions 0..1
  failed: number;
  missing: number;
}

export function completeness(stats: PartitionStats | null | undefined): CompletenessParts | null {
  if (!stats || !stats.total || stats.total <= 0) return null;
  const t = stats.total;
  const materialized = clamp01(stats.materialized / t);
  const failed = clamp01(stats.failed / t);
  return { materialized, failed, missing: clamp01(1 - materialized - failed) };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

export function formatCompleteness(stats: PartitionStats | null | undefined): string {
  if (!stats) return '';
  const pct = stats.total ? Math.round((stats.materialized / stats.total) * 100) : 0;
  return `${stats.materialized.toLocaleString()}/${stats.total.toLocaleString()} (${pct}%)`;
}

function normaliseState(raw: unknown): PartitionState {
  const s = String(raw ?? '').toLowerCase();
  if (s.startsWith('mat') || s === 'success' || s === 'ok' || s === 'fresh') return 'materialized';
  if (s.startsWith('fail') || s === 'error') return 'failed';
  return 'missing';
}

function asObject(v: JSONValue): { [k: string]: JSONValue } | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
}

function num(v: JSONValue | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: JSONValue | undefined): string | undefined {
  return typeof v === 'string' ? v : v === null || v === undefined ? undefined : String(v);
}

/**
 * Parse PartitionStats.ranges (JSON) into ordered segments over [0, total).
 * Accepted forms (the schema types ranges as JSON):
 *   [{"status": "materialized", "start": "2024-01-01", "end": "2024-01-31", "startIndex": 0, "endIndex": 30, "count": 31}, ...]
 *   {"materialized": [["2024-01-01", "2024-01-31"], ...], "failed": [...]}
 *   [["2024-01-01", "2024-01-31", "materialized"], ...]
 * Index fields are inclusive; without them, `count` or the position of the keys in
 * `keys` is used. Gaps are filled with "missing".
 */
export function parseRanges(ranges: JSONValue | undefined, total: number, keys: readonly string[] = []): Segment[] {
  if (ranges === undefined || ranges === null || total <= 0) return [];
  const raw: { state: PartitionState; startKey?: string; endKey?: string; startIndex: number | null; endIndex: number | null; count: number | null }[] = [];

  const obj = asObject(ranges);
  if (obj) {
    for (const [state, list] of Object.entries(obj)) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (Array.isArray(item)) {
          raw.push({ state: normaliseState(state), startKey: str(item[0]), endKey: str(item[1] ?? item[0]), startIndex: null, endIndex: null, count: null });
        } else {
          const o = asObject(item);
          if (o) raw.push(fromObject(o, state));
        }
      }
    }
  } else if (Array.isArray(ranges)) {
    for (const item of ranges) {
      if (Array.isArray(item)) {
        raw.push({ state: normaliseState(item[2]), startKey: str(item[0]), endKey: str(item[1] ?? item[0]), startIndex: null, endIndex: null, count: null });
      } else {
        const o = asObject(item);
        if (o) raw.push(fromObject(o));
      }
    }
  }

  const keyIndex = new Map<string, number>();
  keys.forEach((k, i) => keyIndex.set(k, i));
  const segments: Segment[] = [];
  let cursor = 0;
  for (const r of raw) {
    let start = r.startIndex ?? (r.startKey !== undefined ? keyIndex.get(r.startKey) ?? null : null);
    let endIncl = r.endIndex ?? (r.endKey !== undefined ? keyIndex.get(r.endKey) ?? null : null);
    if (start === null && r.count !== null) start = cursor;
    if (start !== null && endIncl === null && r.count !== null) endIncl = start + r.count - 1;
    if (start === null || endIncl === null) continue;
    const s = Math.max(0, Math.min(total, start));
    const e = Math.max(s, Math.min(total, endIncl + 1));
    if (e > s) segments.push({ state: r.state, start: s, end: e, startKey: r.startKey, endKey: r.endKey });
    cursor = e;
  }
  segments.sort((a, b) => a.start - b.start);
  return fillGaps(segments, total);
}

function fromObject(o: { [k: string]: JSONValue }, stateFallback?: string) {
  return {
    state: normaliseState(o.status ?? o.state ?? stateFallback),
    startKey: str(o.start ?? o.from ?? o.startKey),
    endKey: str(o.end ?? o.to ?? o.endKey ?? o.start ?? o.from),
    startIndex: num(o.startIndex ?? o.start_index),
    endIndex: num(o.endIndex ?? o.end_index),
    count: num(o.count ?? o.size),
  };
}

/** Fill the holes between segments with "missing" and merge adjacent equal states. */
export function fillGaps(segments: Segment[], total: number): Segment[] {
  const out: Segment[] = [];
  let cursor = 0;
  const push = (seg: Segment) => {
    const last = out[out.length - 1];
    if (last && last.state === seg.state && last.end === seg.start) {
      last.end = seg.end;
      last.endKey = seg.endKey;
    } else out.push({ ...seg });
  };
  for (const seg of segments) {
    const start = Math.max(seg.start, cursor);
    if (start >= seg.end) continue;
    if (start > cursor) push({ state: 'missing', start: cursor, end: start });
    push({ ...seg, start });
    cursor = seg.end;
  }
  if (cursor < total) push({ state: 'missing', start: cursor, end: total });
  return out;
}

/** Fallback strip when ranges are absent: materialized, failed, missing blocks proportional to the counts. */
export function segmentsFromCounts(stats: PartitionStats): Segment[] {
  const out: Segment[] = [];
  let cursor = 0;
  for (const [state, count] of [
    ['materialized', stats.materialized],
    ['failed', stats.failed],
    ['missing', stats.missing],
  ] as const) {
    if (count > 0) {
      out.push({ state, start: cursor, end: cursor + count });
      cursor += count;
    }
  }
  return out;
}
