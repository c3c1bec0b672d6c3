import { describe, expect, it } from 'vitest';
import { related } from '../src/graph/related';
import { graphFilter } from '../src/lib/selection';

const edges = [
  { source: 'raw/a', target: 'stg/a' },
  { source: 'raw/b', target: 'stg/b' },
  { source: 'stg/a', target: 'mart' },
  { source: 'stg/b', target: 'mart' },
  { source: 'mart', target: 'report' },
];

describe('related', () => {
  it('one level up or down, with the asset', () => {
    expect(related(edges, 'mart', 'upstream').sort()).toEqual(['mart', 'stg/a', 'stg/b']);
    expect(related(edges, 'mart', 'downstream')).toEqual(['mart', 'report']);
  });
  it('all levels', () => {
    expect(related(edges, 'report', 'upstream', Infinity).sort()).toEqual(['mart', 'raw/a', 'raw/b', 'report', 'stg/a', 'stg/b']);
    expect(related(edges, 'raw/a', 'downstream', Infinity)).toEqual(['raw/a', 'stg/a', 'mart', 'report']);
  });
  it('an asset without neighbours is alone', () => {
    expect(related(edges, 'raw/a', 'upstream', Infinity)).toEqual(['raw/a']);
    expect(related([], 'x', 'downstream', Infinity)).toEqual(['x']);
  });
});

describe('graphFilter', () => {
  it('a single word is a search', () => {
    expect(graphFilter(' customers ')).toEqual({ kind: 'search', text: 'customers' });
    expect(graphFilter('stg_customers')).toEqual({ kind: 'search', text: 'stg_customers' });
  });
  it('key paths, syntax and keywords are selections', () => {
    for (const text of ['raw/customers', 'group:raw', '*orders', 'orders+', 'a, b', 'a or b', 'changed', '*', '']) {
      expect(graphFilter(text).kind).toBe('selection');
    }
  });
});
