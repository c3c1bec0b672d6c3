import { describe, expect, it } from 'vitest';
import { durationBetween, formatDuration, formatRelative, parseTime } from '../src/lib/time';

const NOW = Date.parse('2024-03-10T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

describe('formatRelative', () => {
  it('formats the past', () => {
    expect(formatRelative(ago(2), NOW)).toBe('just now');
    expect(formatRelative(ago(45), NOW)).toBe('45 s ago');
    expect(formatRelative(ago(180), NOW)).toBe('3 min ago');
    expect(formatRelative(ago(2 * 3600 + 5), NOW)).toBe('2 h ago');
    expect(formatRelative(ago(30 * 3600), NOW)).toBe('yesterday');
    expect(formatRelative(ago(5 * 86400), NOW)).toBe('5 d ago');
    expect(formatRelative(ago(90 * 86400), NOW)).toBe('3 mo ago');
    expect(formatRelative(ago(800 * 86400), NOW)).toBe('2 y ago');
  });

  it('formats the future and missing values', () => {
    expect(formatRelative(new Date(NOW + 300000).toISOString(), NOW)).toBe('in 5 min');
    expect(formatRelative(null, NOW)).toBe('—');
    expect(formatRelative('not a date', NOW)).toBe('—');
  });

  it('accepts epoch seconds and milliseconds', () => {
    expect(formatRelative((NOW - 120000) / 1000, NOW)).toBe('2 min ago');
    expect(formatRelative(NOW - 120000, NOW)).toBe('2 min ago');
    expect(parseTime(new Date(NOW))).toBe(NOW);
  });
});

describe('formatDuration', () => {
  it('formats by magnitude', () => {
    expect(formatDuration(0.85)).toBe('850 ms');
    expect(formatDuration(3.456)).toBe('3.46 s');
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(245)).toBe('4 m 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 m');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });

  it('measures between timestamps, open-ended to now', () => {
    expect(durationBetween(ago(10), ago(4), NOW)).toBe(6);
    expect(durationBetween(ago(10), null, NOW)).toBe(10);
    expect(durationBetween(null, null, NOW)).toBeNull();
  });
});
