import { describe, expect, it } from 'vitest';
import { rangesText } from '../src/api/automation';
import { automationPath, parseRoute } from '../src/lib/router';

describe('rangesText', () => {
  it('shows single keys, ranges and how many more', () => {
    expect(rangesText(null, 1)).toBe('');
    expect(rangesText([{ start: 'a', end: 'a' }], 1)).toBe('a');
    expect(rangesText([{ start: 'a', end: 'c' }], 3)).toBe('a … c (3 partitions)');
    const many = ['a', 'b', 'c', 'd', 'e'].map((k) => ({ start: k, end: k }));
    expect(rangesText(many, 5)).toBe('a, b, c and 2 more ranges (5 partitions)');
  });
});

describe('automation route', () => {
  it('parses /automation and builds its links', () => {
    expect(parseRoute('/automation')).toEqual({ name: 'automation' });
    expect(automationPath()).toBe('/automation');
    expect(automationPath('new files')).toBe('/automation?name=new%20files');
  });
});
