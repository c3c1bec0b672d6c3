// Axes a reader can read: value ticks at round numbers (1, 2, 5 × 10^k), time ticks at
// calendar-friendly intervals (15 min, 1 h, 1 d, 1 week...). Pure; time zone injectable.

export interface Tick {
  value: number;
  label: string;
}

export interface ValueAxis {
  lo: number;
  hi: number;
  ticks: Tick[];
}

/** The round step near `span / count`: 1, 2 or 5 × 10^k. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function decimals(x: number): number {
  for (let d = 0; d < 6; d++) if (Math.abs(Math.round(x * 10 ** d) - x * 10 ** d) < 1e-6) return d;
  return 6;
}

/** The largest power of ten `v` is a multiple of (10^-d for d decimals): the precision
 * that writes `v` exactly. */
function exactStep(v: number): number {
  const d = decimals(v);
  if (d > 0) return 10 ** -d;
  let step = 1;
  while (step < 1e12 && v % (step * 10) === 0) step *= 10;
  return step;
}

/** `value` in the unit of the axis (k, M, B by its largest value), with as many
 * decimals as the step needs, so neighbouring ticks never read the same. */
export function formatTick(value: number, step: number, largest: number): string {
  if (value === 0) return '0';
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  // Numbers under 10,000 are written out; above, in k, M or B.
  const [unit, suffix] = units.find(([u]) => Math.abs(largest) >= (u === 1e3 ? 1e4 : u)) ?? [1, ''];
  const digits = decimals(step / unit);
  const text = (value / unit).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${text}${suffix}`;
}

/**
 * A value axis over `values`: about `count` round ticks spanning them. A constant series
 * is drawn from 0 (or from its value, if negative) with its value as a tick, so it reads
 * as that value rather than as a band of made-up numbers around it.
 */
export function valueAxis(values: readonly number[], count = 4): ValueAxis {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const v = lo;
    if (v === 0) return { lo: 0, hi: 1, ticks: [{ value: 0, label: '0' }] };
    lo = Math.min(0, v);
    hi = Math.max(0, v);
    const ticks = [lo, hi].map((t) => ({ value: t, label: formatTick(t, exactStep(v), Math.abs(v)) }));
    // headroom above (or below) the line, so it is not drawn on the frame
    const room = Math.abs(v) / 4;
    return { lo: v < 0 ? lo - room : lo, hi: v > 0 ? hi + room : hi, ticks };
  }
  if (lo > 0 && lo < (hi - lo) * 0.5) lo = 0; // close to zero: start at zero
  let step = niceStep(hi - lo, count);
  if (step < 1 && values.every(Number.isInteger)) step = 1; // row counts: no 0.5 rows
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const largest = Math.max(Math.abs(first), Math.abs(last));
  const ticks: Tick[] = [];
  for (let v = first; v <= last + step / 2; v += step) {
    const value = Math.abs(v) < step / 1e6 ? 0 : v;
    ticks.push({ value, label: formatTick(value, step, largest) });
  }
  return { lo: first, hi: last, ticks };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY,
]; // prettier-ignore
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock fields of an instant (`offsetMs(t)`: the zone's offset from UTC at t). */
function fields(t: number, offsetMs: (t: number) => number) {
  const d = new Date(t + offsetMs(t));
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

const localOffset = (t: number) => -new Date(t).getTimezoneOffset() * MINUTE;

/**
 * About `count` time ticks over [t0, t1], at the smallest calendar-friendly interval
 * that gives no more than that many, aligned to it in local time (midnight, the hour,
 * the quarter hour...). Labels carry what changes: the date for day steps, the clock
 * time otherwise (with the date on the first tick and wherever the day changes).
 */
export function timeTicks(t0: number, t1: number, count = 6, offsetMs: (t: number) => number = localOffset): Tick[] {
  const alone = (): Tick[] => {
    const f = fields(t0, offsetMs);
    const seconds = t1 > t0 ? `:${pad(f.s)}` : '';
    return [{ value: t0, label: `${MONTHS[f.mo]} ${f.d} ${pad(f.h)}:${pad(f.mi)}${seconds}` }];
  };
  if (!(t1 > t0)) return alone();
  const span = t1 - t0;
  let step = TIME_STEPS.find((s) => span / s <= count);
  let months = 0;
  if (step === undefined) {
    months = [1, 3, 6, 12, 24, 60, 120].find((m) => span / (m * 30 * DAY) <= count) ?? 120;
    step = months * 30 * DAY;
  }
  const ticks: Tick[] = [];
  let previousDay = '';
  const label = (t: number): string => {
    const f = fields(t, offsetMs);
    const day = `${MONTHS[f.mo]} ${f.d}`;
    if (months) return f.mo === 0 || months >= 6 ? `${MONTHS[f.mo]} ${f.y}` : MONTHS[f.mo];
    if (step >= DAY) return day;
    const clock = step < MINUTE ? `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}` : `${pad(f.h)}:${pad(f.mi)}`;
    const withDay = day !== previousDay ? `${day} ${clock}` : clock;
    previousDay = day;
    return withDay;
  };
  if (months) {
    const f = fields(t0, offsetMs);
    let y = f.y;
    let m = Math.ceil((f.mo + (f.d > 1 || f.h || f.mi || f.s ? 1 : 0)) / months) * months;
    for (;;) {
      y += Math.floor(m / 12);
      m %= 12;
      const wall = Date.UTC(y, m, 1);
      const t = wall - offsetMs(wall);
      if (t > t1) break;
      if (t >= t0) ticks.push({ value: t, label: label(t) });
      m += months;
    }
    return ticks;
  }
  // Align in wall-clock time: the first multiple of the step (from local midnight
  // for steps under a day, from a Monday for weeks) at or after t0.
  const wall0 = t0 + offsetMs(t0);
  const base = step === 7 * DAY || step === 14 * DAY ? 4 * DAY : 0; // 1970-01-05 was a Monday
  let wall = Math.ceil((wall0 - base) / step) * step + base;
  for (let guard = 0; guard < 1000; guard++, wall += step) {
    const t = wall - offsetMs(wall);
    if (t > t1) break;
    ticks.push({ value: t, label: label(t) });
  }
  // Points less than a second apart: no round second between them.
  return ticks.length ? ticks : alone();
}
