import { describe, expect, it } from 'vitest';
import { completeness, fillGaps, formatCompleteness, keysInRange, parseRanges, partitionsArgument, segmentsFromCounts, summarisePartitions } from '../src/lib/partitions';

const days = ['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05'];

describe('partitionsArgument', () => {
  it('sends one key as partitions, several as partitionRange {from, to}', () => {
    expect(partitionsArgument([])).toEqual({ partitions: null, partitionRange: null });
    expect(partitionsArgument(['2024-03-03'])).toEqual({ partitions: ['2024-03-03'], partitionRange: null });
    expect(partitionsArgument(['2024-03-02', '2024-03-03'])).toEqual({
      partitions: null,
      partitionRange: { from: '2024-03-02', to: '2024-03-03' },
    });
    expect(partitionsArgument(['2024-03-02', '2024-03-03', '2024-03-04'])).toEqual({
      partitions: null,
      partitionRange: { from: '2024-03-02', to: '2024-03-04' },
    });
  });
});

describe('summarisePartitions', () => {
  it('shows the stored forms of a run\'s partitions', () => {
    expect(summarisePartitions([])).toBe('—');
    expect(summarisePartitions(['2024-01-03'])).toBe('2024-01-03');
    expect(summarisePartitions(['2024-01-01...2024-01-14'])).toBe('2024-01-01 … 2024-01-14');
    expect(summarisePartitions(['2024-01-05|eu...2024-01-07|apac'])).toBe('2024-01-05|eu … 2024-01-07|apac');
    // A list of keys (materialize(partitions: [...])) is not a range.
    expect(summarisePartitions(['2024-01-01', '2024-01-14'])).toBe('2024-01-01, 2024-01-14');
    expect(summarisePartitions(['a', 'b', 'c'])).toBe('a, … c (3 keys)');
  });
});

describe('keysInRange', () => {
  it('returns the inclusive range in key order', () => {
    expect(keysInRange(days, '2024-03-02', '2024-03-04')).toEqual(['2024-03-02', '2024-03-03', '2024-03-04']);
    expect(keysInRange(days, '2024-03-03', '2024-03-03')).toEqual(['2024-03-03']);
  });

  it('accepts the ends in either order', () => {
    expect(keysInRange(days, '2024-03-04', '2024-03-02')).toEqual(['2024-03-02', '2024-03-03', '2024-03-04']);
  });

  it('rejects unknown keys by name', () => {
    expect(() => keysInRange(days, '2024-02-01', '2024-03-02')).toThrow('Unknown partition "2024-02-01"');
    expect(() => keysInRange(days, '2024-03-01', 'nope')).toThrow('"nope"');
  });
});

describe('completeness', () => {
  it('gives fractions of the total', () => {
    expect(completeness({ total: 10, materialized: 6, failed: 1, missing: 3 })).toEqual({ materialized: 0.6, failed: 0.1, missing: expect.closeTo(0.3, 5) });
    expect(completeness({ total: 0, materialized: 0, failed: 0, missing: 0 })).toBeNull();
    expect(completeness(null)).toBeNull();
    expect(formatCompleteness({ total: 4, materialized: 1, failed: 0, missing: 3 })).toBe('1/4 (25%)');
  });
});

describe('parseRanges', () => {
  it('reads index-based objects and fills the gaps with missing', () => {
    const segs = parseRanges(
      [
        { status: 'MATERIALIZED', start: '2024-03-01', end: '2024-03-02', startIndex: 0, endIndex: 1 },
        { status: 'FAILED', start: '2024-03-04', end: '2024-03-04', startIndex: 3, endIndex: 3 },
      ],
      5,
    );
    expect(segs.map((s) => [s.state, s.start, s.end])).toEqual([
      ['materialized', 0, 2],
      ['missing', 2, 3],
      ['failed', 3, 4],
      ['missing', 4, 5],
    ]);
  });

  it('reads key-based ranges through the key list', () => {
    const segs = parseRanges([{ status: 'materialized', start: '2024-03-02', end: '2024-03-03' }], 5, days);
    expect(segs.map((s) => [s.state, s.start, s.end])).toEqual([
      ['missing', 0, 1],
      ['materialized', 1, 3],
      ['missing', 3, 5],
    ]);
  });

  it('reads a map of state → [start, end] pairs', () => {
    const segs = parseRanges({ materialized: [['2024-03-01', '2024-03-01']], failed: [['2024-03-05', '2024-03-05']] }, 5, days);
    expect(segs.map((s) => s.state)).toEqual(['materialized', 'missing', 'failed']);
  });

  it('reads run-length encoded counts', () => {
    const segs = parseRanges([{ status: 'materialized', count: 3 }, { status: 'failed', count: 2 }], 5);
    expect(segs.map((s) => [s.state, s.start, s.end])).toEqual([
      ['materialized', 0, 3],
      ['failed', 3, 5],
    ]);
  });

  it('reads [start, end, state] triples and clamps to the total', () => {
    const segs = parseRanges([['2024-03-04', '2024-03-05', 'materialized']], 5, days);
    expect(segs.at(-1)).toMatchObject({ state: 'materialized', start: 3, end: 5 });
  });

  it('returns nothing for absent ranges', () => {
    expect(parseRanges(null, 5)).toEqual([]);
    expect(parseRanges([], 0)).toEqual([]);
  });

  it('merges adjacent equal segments', () => {
    expect(fillGaps([{ state: 'materialized', start: 0, end: 2 }, { state: 'materialized', start: 2, end: 4 }], 4)).toEqual([{ state: 'materialized', start: 0, end: 4 }]);
  });

  it('falls back to blocks from the counts', () => {
    expect(segmentsFromCounts({ total: 10, materialized: 7, failed: 0, missing: 3 }).map((s) => [s.state, s.start, s.end])).toEqual([
      ['materialized', 0, 7],
      ['missing', 7, 10],
    ]);
  });

  it('handles 100,000 partitions in compact ranges fast', () => {
    const ranges = Array.from({ length: 1000 }, (_, i) => ({ status: i % 2 ? 'missing' : 'materialized', startIndex: i * 100, endIndex: i * 100 + 99 }));
    const t0 = performance.now();
    const segs = parseRanges(ranges, 100000);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(segs).toHaveLength(1000);
  });
});
