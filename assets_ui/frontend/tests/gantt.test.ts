import { describe, expect, it } from 'vitest';
import type { Step } from '../src/api/types';
import { buildGantt, formatOffset, ganttTicks, stepId, stepsInStartOrder } from '../src/lib/gantt';

const T0 = Date.parse('2024-03-01T10:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const step = (asset: string, status: Step['status'], start: number | null, end: number | null, partition: string | null = null): Step => ({
  asset,
  partition,
  status,
  attempts: 1,
  durationS: null,
  startedAt: start === null ? null : iso(start),
  endedAt: end === null ? null : iso(end),
  error: null,
});

describe('buildGantt', () => {
  it('scales bars to the run span', () => {
    const g = buildGantt([step('a', 'SUCCESS', 0, 10), step('b', 'SUCCESS', 10, 40)], iso(0), iso(40));
    expect(g.endMs - g.startMs).toBe(40000);
    expect(g.bars[0]).toMatchObject({ id: 'a', x: 0, width: 0.25, running: false });
    expect(g.bars[1]).toMatchObject({ id: 'b', x: 0.25, width: 0.75 });
  });

  it('extends running steps to now and widens the domain', () => {
    const now = T0 + 20000;
    const g = buildGantt([step('a', 'SUCCESS', 0, 5), step('b', 'STARTED', 5, null)], iso(0), null, now);
    expect(g.endMs).toBe(now);
    const b = g.bars.find((x) => x.id === 'b');
    expect(b?.running).toBe(true);
    expect(b?.x).toBeCloseTo(0.25);
    expect(b?.width).toBeCloseTo(0.75);
  });

  it('keeps not-started steps with zero width, sorted last', () => {
    const g = buildGantt([step('later', 'SKIPPED', null, null), step('a', 'FAILED', 2, 4)], iso(0), iso(4));
    expect(g.bars.map((x) => x.id)).toEqual(['a', 'later']);
    expect(g.bars[1]).toMatchObject({ x: 0, width: 0, startMs: null });
  });

  it('uses the steps when the run has no times yet and never divides by zero', () => {
    const g = buildGantt([step('a', 'SUCCESS', 3, 3)], null, null, T0 + 3000);
    expect(g.endMs).toBeGreaterThan(g.startMs);
    expect(Number.isFinite(g.bars[0].x)).toBe(true);
  });

  it('names partitioned steps with their partition', () => {
    expect(stepId({ asset: 'daily', partition: '2024-03-01' })).toBe('daily[2024-03-01]');
    expect(stepId({ asset: 'daily', partition: null })).toBe('daily');
  });
});

describe('stepsInStartOrder', () => {
  it('orders steps as they started, those not started last in their given order', () => {
    const steps = [
      { asset: 'ops/after_flaky', startedAt: null },
      { asset: 'ops/flaky', startedAt: '2024-03-01T10:00:01+00:00' },
      { asset: 'ops/a', startedAt: '2024-03-01T10:00:00+00:00' },
      { asset: 'ops/b', startedAt: null },
    ];
    expect(stepsInStartOrder(steps).map((s) => s.asset)).toEqual(['ops/a', 'ops/flaky', 'ops/after_flaky', 'ops/b']);
    expect(steps[0].asset).toBe('ops/after_flaky'); // not sorted in place
  });
});

describe('ganttTicks', () => {
  it('picks round steps', () => {
    const ticks = ganttTicks(60000, 6);
    expect(ticks.map((t) => t.label)).toEqual(['+0 s', '+10 s', '+20 s', '+30 s', '+40 s', '+50 s', '+1 min']);
    expect(ticks[ticks.length - 1].x).toBeCloseTo(1);
  });

  it('formats offsets', () => {
    expect(formatOffset(500)).toBe('500 ms');
    expect(formatOffset(90000)).toBe('1.5 min');
    expect(formatOffset(7200000)).toBe('2 h');
  });
});
