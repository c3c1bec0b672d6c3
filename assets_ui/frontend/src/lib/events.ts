// Run-event helpers: ordered merge of the log, and what an event means for an
// asset's live state in the graph.
import type { RunEvent } from '../api/types';

/** Merge incoming events into an ordered, de-duplicated (by seq) list. Fast path for in-order appends. */
export function mergeEvents(existing: readonly RunEvent[], incoming: readonly RunEvent[]): RunEvent[] {
  if (incoming.length === 0) return existing as RunEvent[];
  const last = existing.length ? existing[existing.length - 1].seq : Number.NEGATIVE_INFINITY;
  let inOrder = true;
  let prev = last;
  for (const e of incoming) {
    if (e.seq <= prev) {
      inOrder = false;
      break;
    }
    prev = e.seq;
  }
  if (inOrder) return [...existing, ...incoming];
  const bySeq = new Map<number, RunEvent>();
  for (const e of existing) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export type AssetEventEffect = 'start' | 'end' | null;

/** Best-effort reading of event types such as STEP_START, ASSET_MATERIALIZATION, STEP_FAILURE. */
export function assetEventEffect(type: string): AssetEventEffect {
  const t = type.toUpperCase();
  if (t.startsWith('RUN_')) return null;
  if (/(SUCCESS|MATERIALI[SZ]|FAIL|ERROR|SKIP|CANCEL|END|DONE|COMPLETE|CHECK)/.test(t)) return 'end';
  if (/(START|BEGIN|RUNNING|RETRY)/.test(t)) return 'start';
  return null;
}

export function levelClass(level: string): 'error' | 'warning' | 'debug' | 'info' {
  const l = level.toLowerCase();
  if (l.startsWith('err') || l === 'critical' || l === 'fatal') return 'error';
  if (l.startsWith('warn')) return 'warning';
  if (l === 'debug' || l === 'trace') return 'debug';
  return 'info';
}

/** Type of the events that carry a step's captured stdout/stderr. */
export const STEP_OUTPUT = 'STEP_OUTPUT';

/** The step an event belongs to: `asset` or `asset[partition]`. */
export function eventStep(e: Pick<RunEvent, 'asset' | 'partition'>): string {
  return e.partition ? `${e.asset}[${e.partition}]` : (e.asset ?? '');
}

/** Each step's captured output, its STEP_OUTPUT chunks joined in seq order (events are ordered). */
export function stepOutputs(events: readonly RunEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.type !== STEP_OUTPUT || !e.asset) continue;
    const key = eventStep(e);
    out.set(key, (out.get(key) ?? '') + e.message);
  }
  return out;
}
