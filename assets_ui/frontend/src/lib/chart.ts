// Row-count plot: extract (time, row_count) points from materialization metadata
// and scale them into an SVG viewport.
import type { JSONValue, Materialization } from '../api/types';
import { timeTicks, valueAxis } from './axes';
import { parseTime } from './time';

export interface Point {
  t: number;
  value: number;
  label: string;
}

export const ROW_COUNT_KEYS = ['row_count', 'rows', 'num_rows', 'dagster/row_count'];

/** metadata.row_count may be a number, a numeric string, or a typed value {"value": n} / {"type": "int", "value": n}. */
export function metadataNumber(metadata: JSONValue | undefined, keys: readonly string[] = ROW_COUNT_KEYS): number | null {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return null;
  for (const key of keys) {
    const n = toNumber(metadata[key]);
    if (n !== null) return n;
  }
  return null;
}

function toNumber(v: JSONValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return toNumber(v.value ?? v.raw_value ?? v.int ?? v.float);
  }
  return null;
}

export function rowCountPoints(materializations: readonly Materialization[]): Point[] {
  const pts: Point[] = [];
  for (const m of materializations) {
    const t = parseTime(m.timestamp);
    const value = metadataNumber(m.metadata);
    if (t !== null && value !== null) pts.push({ t, value, label: m.partition ?? '' });
  }
  return pts.sort((a, b) => a.t - b.t);
}

export interface ScaledPlot {
  path: string;
  dots: { x: number; y: number; point: Point }[];
  yTicks: { y: number; label: string }[];
  /** time ticks (at round intervals; one at the point when there is one point) */
  xTicks: { x: number; label: string }[];
  minValue: number;
  maxValue: number;
}

export interface PlotBox {
  width: number;
  height: number;
  padLeft: number;
  padRight: number;
  padTop: number;
  padBottom: number;
}

export function scalePlot(points: readonly Point[], box: PlotBox, offsetMs?: (t: number) => number): ScaledPlot | null {
  if (points.length === 0) return null;
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const axis = valueAxis(points.map((p) => p.value));
  const { lo, hi } = axis;
  const innerW = box.width - box.padLeft - box.padRight;
  const innerH = box.height - box.padTop - box.padBottom;
  const sx = (t: number) => box.padLeft + (t1 === t0 ? innerW / 2 : ((t - t0) / (t1 - t0)) * innerW);
  const sy = (v: number) => box.padTop + innerH - ((v - lo) / (hi - lo)) * innerH;
  const dots = points.map((p) => ({ x: sx(p.t), y: sy(p.value), point: p }));
  const path = dots.map((d, i) => `${i === 0 ? 'M' : 'L'}${d.x.toFixed(1)},${d.y.toFixed(1)}`).join(' ');
  const yTicks = axis.ticks.map((t) => ({ y: sy(t.value), label: t.label }));
  const xTicks = timeTicks(t0, t1, Math.max(2, Math.floor(innerW / 110)), offsetMs).map((t) => ({ x: sx(t.value), label: t.label }));
  return { path, dots, yTicks, xTicks, minValue: lo, maxValue: hi };
}

export function compactNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${+(n / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return `${+n.toFixed(abs < 10 ? 1 : 0)}`;
}
