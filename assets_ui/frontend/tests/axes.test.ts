import { describe, expect, it } from 'vitest';
import { formatTick, niceStep, timeTicks, valueAxis } from '../src/lib/axes';
import { scalePlot } from '../src/lib/chart';

const UTC = () => 0;
const at = (iso: string) => Date.parse(iso);

describe('value axis', () => {
  it('a constant series reads as its value', () => {
    expect(valueAxis([2040, 2040, 2040]).ticks.map((t) => t.label)).toEqual(['0', '2,040']);
    expect(valueAxis([1_250_000]).ticks.map((t) => t.label)).toEqual(['0', '1.25M']);
    expect(valueAxis([3.5, 3.5]).ticks.map((t) => t.label)).toEqual(['0', '3.5']);
    expect(valueAxis([0, 0]).ticks.map((t) => t.label)).toEqual(['0']);
    const axis = valueAxis([500]);
    expect(axis.lo).toBe(0);
    expect(axis.hi).toBeGreaterThan(500); // the line is not drawn on the frame
  });

  it('round steps, distinct labels', () => {
    expect(niceStep(100, 4)).toBe(50);
    expect(niceStep(7, 4)).toBe(2);
    const axis = valueAxis([2040, 2047]);
    const labels = axis.ticks.map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toEqual(['2,040', '2,042', '2,044', '2,046', '2,048']);
    expect(valueAxis([1_200_000, 1_300_000]).ticks.map((t) => t.label)).toEqual(['1.20M', '1.25M', '1.30M']);
    expect(valueAxis([10, 100]).ticks[0].value).toBe(0); // near zero: from zero
    expect(valueAxis([0, 3]).ticks.map((t) => t.value)).toEqual([0, 1, 2, 3]); // whole rows
  });

  it('units', () => {
    expect(formatTick(15_000, 5_000, 15_000)).toBe('15k');
    expect(formatTick(9_500, 500, 9_500)).toBe('9,500');
    expect(formatTick(1_250_000, 250_000, 2_000_000)).toBe('1.25M');
  });
});

describe('time ticks', () => {
  it('a day of runs: ticks at round hours, the date once', () => {
    const ticks = timeTicks(at('2024-03-01T00:10:00Z'), at('2024-03-01T23:40:00Z'), 6, UTC);
    expect(ticks.map((t) => t.label)).toEqual(['Mar 1 06:00', '12:00', '18:00']);
    for (const t of ticks) expect(new Date(t.value).getUTCMinutes()).toBe(0);
  });

  it('minutes apart: quarter hours; a new day is labelled', () => {
    const ticks = timeTicks(at('2024-03-01T23:20:00Z'), at('2024-03-02T00:40:00Z'), 6, UTC);
    expect(ticks.map((t) => t.label)).toEqual(['Mar 1 23:30', '23:45', 'Mar 2 00:00', '00:15', '00:30']);
  });

  it('weeks of daily runs: days', () => {
    const ticks = timeTicks(at('2024-03-01T06:00:00Z'), at('2024-03-10T06:00:00Z'), 6, UTC);
    expect(ticks[0].label).toBe('Mar 2');
    expect(ticks.every((t) => new Date(t.value).getUTCHours() === 0)).toBe(true);
  });

  it('a year: months', () => {
    const ticks = timeTicks(at('2024-01-15T00:00:00Z'), at('2024-12-20T00:00:00Z'), 6, UTC);
    expect(ticks.map((t) => t.label)).toEqual(['Apr', 'Jul', 'Oct']);
    const years = timeTicks(at('2022-03-01T00:00:00Z'), at('2024-12-20T00:00:00Z'), 6, UTC);
    expect(years.map((t) => t.label)).toEqual(['Jul 2022', 'Jan 2023', 'Jul 2023', 'Jan 2024', 'Jul 2024']);
  });

  it('one point: one tick at it', () => {
    const t = at('2024-03-01T12:34:00Z');
    expect(timeTicks(t, t, 6, UTC)).toEqual([{ value: t, label: 'Mar 1 12:34' }]);
  });

  it('points within a second: one tick, to the second', () => {
    const t = at('2024-03-01T12:34:56.100Z');
    expect(timeTicks(t, t + 700, 6, UTC)).toEqual([{ value: t, label: 'Mar 1 12:34:56' }]);
  });

  it('the plot places them inside the box', () => {
    const box = { width: 640, height: 180, padLeft: 56, padRight: 28, padTop: 12, padBottom: 28 };
    const points = [
      { t: at('2024-03-01T00:10:00Z'), value: 100, label: '' },
      { t: at('2024-03-01T05:40:00Z'), value: 100, label: '' },
    ];
    const plot = scalePlot(points, box, UTC);
    expect(plot?.yTicks.map((t) => t.label)).toEqual(['0', '100']);
    expect(plot?.xTicks.length).toBeGreaterThanOrEqual(2);
    for (const t of plot?.xTicks ?? []) {
      expect(t.x).toBeGreaterThanOrEqual(56);
      expect(t.x).toBeLessThanOrEqual(640 - 28);
    }
    // the constant line sits at its tick
    expect(plot?.dots[0].y).toBeCloseTo(plot?.yTicks[1].y as number);
  });
});
