// Step timeline (Gantt) scaling: one bar per step from startedAt to endedAt
// (running steps extend to `now`), positioned as fractions of the run's time span.
import type { Step } from '../api/types';
import { parseTime } from './time';

export interface GanttBar {
  id: string;
  label: string;
  asset: string;
  partition: string | null;
  status: string;
  startMs: number | null;
  endMs: number | null;
  running: boolean;
  /** left edge as a fraction 0..1 of the domain (0 when not started) */
  x: number;
  /** width as a fraction 0..1 (0 when not started) */
  width: number;
}

export interface GanttTick {
  x: number; // fraction
  label: string; // offset from the start, e.g. "+30 s"
}

export interface GanttModel {
  startMs: number;
  endMs: number;
  bars: GanttBar[];
  ticks: GanttTick[];
}

export function stepId(step: Pick<Step, 'asset' | 'partition'>): string {
  return step.partition ? `${step.asset}[${step.partition}]` : step.asset;
}

export function buildGantt(
  steps: readonly Step[],
  runStartedAt: string | null,
  runEndedAt: string | null,
  now: number = Date.now(),
  tickCount = 6,
): GanttModel {
  let lo = parseTime(runStartedAt);
  let hi = parseTime(runEndedAt);
  const spans = steps.map((s) => {
    const a = parseTime(s.startedAt);
    let b = parseTime(s.endedAt);
    const running = a !== null && b === null && s.status === 'STARTED';
    if (a !== null && b === null) b = running ? now : a;
    return { a, b, running };
  });
  for (const { a, b } of spans) {
    if (a !== null) lo = lo === null ? a : Math.min(lo, a);
    if (b !== null) hi = hi === null ? b : Math.max(hi, b);
  }
  if (lo === null) lo = now;
  if (hi === null || (runEndedAt === null && spans.some((s) => s.running))) hi = Math.max(hi ?? lo, now);
  if (hi <= lo) hi = lo + 1000; // at least one second wide
  const span = hi - lo;
  const bars = steps.map((s, i): GanttBar => {
    const { a, b, running } = spans[i];
    const x = a === null ? 0 : (a - lo) / span;
    const width = a === null || b === null ? 0 : Math.max(0, (b - a) / span);
    return {
      id: stepId(s),
      label: stepId(s),
      asset: s.asset,
      partition: s.partition,
      status: s.status,
      startMs: a,
      endMs: b,
      running,
      x: clamp(x),
      width: Math.min(width, 1 - clamp(x)),
    };
  });
  bars.sort((p, q) => (p.startMs ?? Number.POSITIVE_INFINITY) - (q.startMs ?? Number.POSITIVE_INFINITY));
  return { startMs: lo, endMs: hi, bars, ticks: ganttTicks(span, tickCount) };
}

/** Steps in the order they started (not yet started last, in the server's order), like the Gantt. */
export function stepsInStartOrder<T extends Pick<Step, 'startedAt'>>(steps: readonly T[]): T[] {
  const start = (s: T) => parseTime(s.startedAt) ?? Number.POSITIVE_INFINITY;
  return steps
    .map((step, i) => ({ step, i, t: start(step) }))
    .sort((a, b) => (a.t === b.t ? a.i - b.i : a.t < b.t ? -1 : 1))
    .map(({ step }) => step);
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}

const NICE_STEPS_MS = [
  100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000,
  3600000, 7200000, 14400000, 21600000, 43200000, 86400000,
];

export function ganttTicks(spanMs: number, count = 6): GanttTick[] {
  if (spanMs <= 0) return [{ x: 0, label: '+0 s' }];
  const target = spanMs / Math.max(1, count);
  const step = NICE_STEPS_MS.find((s) => s >= target) ?? Math.ceil(target / 86400000) * 86400000;
  const ticks: GanttTick[] = [];
  for (let t = 0; t <= spanMs + 1e-9; t += step) ticks.push({ x: t / spanMs, label: `+${formatOffset(t)}` });
  return ticks;
}

export function formatOffset(ms: number): string {
  if (ms === 0) return '0 s';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3600000) return `${+(ms / 60000).toFixed(1)} min`;
  if (ms < 86400000) return `${+(ms / 3600000).toFixed(1)} h`;
  return `${+(ms / 86400000).toFixed(1)} d`;
}
