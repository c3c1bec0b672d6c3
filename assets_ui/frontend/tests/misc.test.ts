import { describe, expect, it, vi } from 'vitest';
import type { Materialization, RunEvent } from '../src/api/types';
import { compactNumber, metadataNumber, rowCountPoints, scalePlot } from '../src/lib/chart';
import { buildConfigTemplate, defaultsFromConfigSchema, parseConfigText } from '../src/lib/config';
import { assetEventEffect, levelClass, mergeEvents, stepOutputs } from '../src/lib/events';
import { createKeyedStore } from '../src/lib/keyedStore';
import { assetPath, graphPath, parseRoute, runPath, safeNext, signInPath } from '../src/lib/router';
import { isPlainKey, selectionFor } from '../src/lib/selection';

describe('router', () => {
  it('parses the routes', () => {
    expect(parseRoute('/')).toEqual({ name: 'graph' });
    expect(parseRoute('/runs')).toEqual({ name: 'runs' });
    expect(parseRoute('/runs/')).toEqual({ name: 'runs' });
    expect(parseRoute('/runs/abc-123')).toEqual({ name: 'run', id: 'abc-123' });
    expect(parseRoute('/assets/sales/orders')).toEqual({ name: 'asset', key: 'sales/orders' });
    expect(parseRoute('/signin')).toEqual({ name: 'signin' });
    expect(parseRoute('/nope/x')).toEqual({ name: 'notfound', path: '/nope/x' });
  });

  it('round-trips asset keys with odd characters', () => {
    for (const key of ['orders', 'sales/orders', 'a b/c%d', 'x/y/z']) {
      expect(parseRoute(assetPath(key))).toEqual({ name: 'asset', key });
    }
    expect(assetPath('sales/orders')).toBe('/assets/sales/orders');
    expect(runPath('r 1')).toBe('/runs/r%201');
    expect(graphPath('group:sales')).toBe('/?select=group%3Asales');
    expect(graphPath('')).toBe('/');
  });

  it('only follows same-origin paths after sign-in', () => {
    expect(safeNext('/runs/1')).toBe('/runs/1');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/signin?next=/x')).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(signInPath('/runs')).toBe('/signin?next=%2Fruns');
  });
});

describe('selection building', () => {
  it('joins keys and collapsed groups with commas', () => {
    expect(selectionFor(['orders', 'sales/revenue'])).toBe('orders, sales/revenue');
    expect(selectionFor(['a', 'a'], ['finance'])).toBe('a, group:finance');
    expect(isPlainKey('sales/orders_v2')).toBe(true);
    expect(selectionFor(['weird key'])).toBe('key:weird key');
  });
});

describe('config defaults', () => {
  it('reads JSON Schema properties', () => {
    expect(defaultsFromConfigSchema({ type: 'object', properties: { n: { type: 'integer', default: 3 }, name: { type: 'string' } } })).toEqual({ n: 3, name: '' });
  });

  it('reads dataclass field lists', () => {
    expect(defaultsFromConfigSchema({ fields: [{ name: 'limit', type: 'int', default: 10 }, { name: 'dry_run', type: 'bool' }] })).toEqual({ limit: 10, dry_run: false });
    expect(defaultsFromConfigSchema([{ name: 'x', default: 'y' }])).toEqual({ x: 'y' });
  });

  it('reads field maps and plain default maps', () => {
    expect(defaultsFromConfigSchema({ n: { type: 'float', default: 0.5 }, tags: { type: 'list[str]' } })).toEqual({ n: 0.5, tags: [] });
    expect(defaultsFromConfigSchema({ n: 1, s: 'a' })).toEqual({ n: 1, s: 'a' });
    expect(defaultsFromConfigSchema('{"n": {"default": 2}}')).toEqual({ n: 2 });
    expect(defaultsFromConfigSchema(null)).toEqual({});
  });

  it('keys the template by asset and parses the edited text', () => {
    expect(buildConfigTemplate([{ key: 'a', configSchema: { n: { default: 1 } } }, { key: 'b', configSchema: null }])).toEqual({ a: { n: 1 } });
    expect(parseConfigText('{"a": {"n": 2}}')).toEqual({ ok: true, value: { a: { n: 2 } } });
    expect(parseConfigText('  ')).toEqual({ ok: true, value: null });
    expect(parseConfigText('{}')).toEqual({ ok: true, value: null });
    expect(parseConfigText('[1]')).toEqual({ ok: false, error: 'Config must be a JSON object' });
    expect(parseConfigText('{bad').ok).toBe(false);
  });
});

const ev = (seq: number, type = 'LOG'): RunEvent => ({ seq, runId: 'r', timestamp: '2024-01-01T00:00:00Z', type, asset: null, partition: null, level: 'INFO', message: `m${seq}` });

describe('run events', () => {
  it('appends in order and de-duplicates out-of-order deliveries', () => {
    const a = mergeEvents([], [ev(1), ev(2)]);
    expect(a.map((e) => e.seq)).toEqual([1, 2]);
    expect(mergeEvents(a, [ev(3)]).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(mergeEvents(a, [ev(2), ev(4), ev(3)]).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(mergeEvents(a, [])).toBe(a);
  });

  it('reads what an event means for an asset', () => {
    expect(assetEventEffect('STEP_START')).toBe('start');
    expect(assetEventEffect('STEP_SUCCESS')).toBe('end');
    expect(assetEventEffect('ASSET_MATERIALIZATION')).toBe('end');
    expect(assetEventEffect('STEP_FAILURE')).toBe('end');
    expect(assetEventEffect('RUN_START')).toBeNull();
    expect(assetEventEffect('LOG')).toBeNull();
    expect(levelClass('ERROR')).toBe('error');
    expect(levelClass('warning')).toBe('warning');
    expect(levelClass('INFO')).toBe('info');
  });
});

describe('row count chart', () => {
  const mats: Materialization[] = [
    { id: '2', runId: 'r', timestamp: '2024-01-02T00:00:00Z', partition: null, dataVersion: null, codeVersion: null, metadata: { row_count: { type: 'int', value: 200 } } },
    { id: '1', runId: 'r', timestamp: '2024-01-01T00:00:00Z', partition: null, dataVersion: null, codeVersion: null, metadata: { row_count: 100 } },
    { id: '3', runId: 'r', timestamp: '2024-01-03T00:00:00Z', partition: null, dataVersion: null, codeVersion: null, metadata: { other: 1 } },
  ];

  it('extracts numeric row counts in time order', () => {
    expect(rowCountPoints(mats).map((p) => p.value)).toEqual([100, 200]);
    expect(metadataNumber({ row_count: '42' })).toBe(42);
    expect(metadataNumber({ row_count: 'x' })).toBeNull();
    expect(metadataNumber(null as never)).toBeNull();
  });

  it('scales into the box', () => {
    const box = { width: 100, height: 100, padLeft: 10, padRight: 10, padTop: 10, padBottom: 10 };
    const plot = scalePlot(rowCountPoints(mats), box);
    expect(plot?.dots[0].x).toBe(10);
    expect(plot?.dots[1].x).toBe(90);
    expect(plot?.dots[1].y).toBeLessThan(plot?.dots[0].y as number);
    expect(plot?.path.startsWith('M10.0,')).toBe(true);
    expect(scalePlot([], box)).toBeNull();
    expect(compactNumber(1234567)).toBe('1.2M');
    expect(compactNumber(950)).toBe('950');
  });
});

describe('keyed store', () => {
  it('notifies only the keys whose value changed', () => {
    const store = createKeyedStore<{ v: number }>((a, b) => a.v === b.v);
    const a = vi.fn();
    const b = vi.fn();
    store.subscribe('a', a);
    store.subscribe('b', b);
    expect(store.setMany([['a', { v: 1 }], ['b', { v: 1 }]])).toEqual(['a', 'b']);
    expect(store.setMany([['a', { v: 1 }], ['b', { v: 2 }]])).toEqual(['b']);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    expect(store.get('b')).toEqual({ v: 2 });
    store.update('a', (prev) => ({ v: (prev?.v ?? 0) + 1 }));
    expect(store.get('a')?.v).toBe(2);
  });
});

describe('stepOutputs', () => {
  it('joins each step\'s STEP_OUTPUT chunks in order and ignores other events', () => {
    const ev = (seq: number, type: string, asset: string | null, partition: string | null, message: string): RunEvent => ({
      seq, runId: 'r', timestamp: '2024-01-01T00:00:00Z', type, asset, partition, level: 'INFO', message,
    });
    const out = stepOutputs([
      ev(1, 'STEP_START', 'a', null, 'Started a'),
      ev(2, 'STEP_OUTPUT', 'a', null, 'one\n'),
      ev(3, 'STEP_OUTPUT', 'b', '2024-01-01', 'bee\n'),
      ev(4, 'STEP_OUTPUT', 'a', null, 'two\n'),
    ]);
    expect([...out.entries()]).toEqual([
      ['a', 'one\ntwo\n'],
      ['b[2024-01-01]', 'bee\n'],
    ]);
  });
});
