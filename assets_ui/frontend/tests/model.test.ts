import { describe, expect, it } from 'vitest';
import type { LineageEdge, LineageNode } from '../src/api/types';
import { assetNodeId, buildVisibleModel, defaultCollapsed, DENSE_KEEP_PER_NODE, displayEdges, groupNodeId, keyFromNodeId, groupFromNodeId, statusCounts, toggle, type VisibleEdge } from '../src/graph/model';

const n = (key: string, group: string, status: LineageNode['status'] = 'FRESH'): LineageNode => ({ key, group, kind: 'python', status });
const e = (source: string, target: string): LineageEdge => ({ source, target });

const nodes = [n('raw/orders', 'raw'), n('raw/customers', 'raw'), n('orders', 'sales', 'STALE'), n('revenue', 'sales', 'FAILED'), n('report', 'finance')];
const edges = [e('raw/orders', 'orders'), e('raw/customers', 'orders'), e('orders', 'revenue'), e('revenue', 'report'), e('orders', 'report')];

describe('buildVisibleModel', () => {
  it('draws every asset when nothing is collapsed', () => {
    const m = buildVisibleModel(nodes, edges, new Set());
    expect(m.groups.map((g) => g.name)).toEqual(['finance', 'raw', 'sales']);
    expect(m.assets).toHaveLength(5);
    expect(m.edges).toHaveLength(5);
    expect(m.edges.every((x) => x.count === 1)).toBe(true);
    expect(m.edges.map((x) => x.source)).toContain(assetNodeId('raw/orders'));
  });

  it('aggregates edges into and out of a collapsed group and drops its inner edges', () => {
    const m = buildVisibleModel(nodes, edges, new Set(['raw', 'sales']));
    expect(m.assets.map((a) => a.key)).toEqual(['report']);
    const byId = new Map(m.edges.map((x) => [`${x.source}>${x.target}`, x.count]));
    // raw/orders→orders and raw/customers→orders become one raw→sales edge of weight 2
    expect(byId.get(`${groupNodeId('raw')}>${groupNodeId('sales')}`)).toBe(2);
    // revenue→report and orders→report become sales→report (weight 2)
    expect(byId.get(`${groupNodeId('sales')}>${assetNodeId('report')}`)).toBe(2);
    // orders→revenue is inside the collapsed sales group: gone
    expect(m.edges).toHaveLength(2);
  });

  it('collapses everything into group-level edges', () => {
    const m = buildVisibleModel(nodes, edges, new Set(['raw', 'sales', 'finance']));
    expect(m.assets).toHaveLength(0);
    expect(m.edges.map((x) => [x.source, x.target, x.count])).toEqual([
      ['g:raw', 'g:sales', 2],
      ['g:sales', 'g:finance', 2],
    ]);
  });

  it('computes group edges and inner edges for the layout', () => {
    const m = buildVisibleModel(nodes, edges, new Set(['raw']));
    expect(m.groupEdges.map((x) => [x.source, x.target, x.count])).toEqual([
      ['g:raw', 'g:sales', 2],
      ['g:sales', 'g:finance', 2],
    ]);
    expect(m.innerEdges.get('sales')?.map((x) => x.id)).toEqual([`e:${assetNodeId('orders')}->${assetNodeId('revenue')}`]);
    expect(m.innerEdges.has('raw')).toBe(false);
  });

  it('ignores edges to assets that are not in the node list', () => {
    const m = buildVisibleModel([n('a', 'g')], [e('a', 'missing'), e('ghost', 'a')], new Set());
    expect(m.edges).toHaveLength(0);
  });

  it('puts assets without a group into "default"', () => {
    const m = buildVisibleModel([{ key: 'a', group: '', kind: 'x', status: 'MISSING' }], [], new Set());
    expect(m.groups[0].name).toBe('default');
  });

  it('is linear-ish on a large graph', () => {
    const big: LineageNode[] = [];
    const bigEdges: LineageEdge[] = [];
    for (let i = 0; i < 10000; i++) big.push(n(`a${i}`, `g${i % 50}`));
    for (let i = 100; i < 10000; i++) bigEdges.push(e(`a${i - 100}`, `a${i}`), e(`a${i - 37}`, `a${i}`));
    const t0 = performance.now();
    const m = buildVisibleModel(big, bigEdges, new Set(Array.from({ length: 50 }, (_, i) => `g${i}`)));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(m.groups).toHaveLength(50);
    expect(m.assets).toHaveLength(0);
  });
});

describe('collapse defaults and helpers', () => {
  it('collapses all groups above the threshold only', () => {
    expect(defaultCollapsed(nodes, 10).size).toBe(0);
    expect([...defaultCollapsed(nodes, 3)].sort()).toEqual(['finance', 'raw', 'sales']);
  });

  it('maps node ids back to keys and groups', () => {
    expect(keyFromNodeId(assetNodeId('sales/orders'))).toBe('sales/orders');
    expect(keyFromNodeId(groupNodeId('sales'))).toBeNull();
    expect(groupFromNodeId(groupNodeId('sales'))).toBe('sales');
  });

  it('counts statuses and toggles sets', () => {
    expect(statusCounts(nodes)).toEqual({ FRESH: 3, STALE: 1, FAILED: 1 });
    expect([...toggle(new Set(['a']), 'a')]).toEqual([]);
    expect([...toggle(new Set(['a']), 'b')]).toEqual(['a', 'b']);
  });
});

describe('displayEdges', () => {
  it('keeps every edge of a sparse graph', () => {
    const m = buildVisibleModel(nodes, edges, new Set());
    expect(displayEdges(m.edges, m.assets.length)).toEqual({ edges: m.edges, hidden: 0 });
  });

  it('keeps the heaviest in/out links per node of a dense graph', () => {
    const dense: VisibleEdge[] = [];
    for (let s = 0; s < 20; s++) for (let t = 0; t < 20; t++) if (s !== t) dense.push({ id: `${s}>${t}`, source: `g:${s}`, target: `g:${t}`, count: s === 0 ? 100 : 1 + ((s * t) % 5) });
    const { edges: kept, hidden } = displayEdges(dense, 20);
    expect(kept.length + hidden).toBe(dense.length);
    expect(kept.length).toBeLessThanOrEqual(20 * DENSE_KEEP_PER_NODE * 2);
    // g:0's edges are the heaviest into every node: each target keeps one from g:0
    for (let t = 1; t < 20; t++) expect(kept.some((e) => e.source === 'g:0' && e.target === `g:${t}`)).toBe(true);
    // every node still has a link
    for (let n = 0; n < 20; n++) expect(kept.some((e) => e.source === `g:${n}` || e.target === `g:${n}`)).toBe(true);
  });
});
