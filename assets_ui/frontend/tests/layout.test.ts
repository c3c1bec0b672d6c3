import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { describe, expect, it } from 'vitest';
import type { LineageEdge, LineageNode } from '../src/api/types';
import { buildFlowEdges, buildFlowNodes, preserveSelection } from '../src/graph/flowElements';
import {
  buildElkGraph,
  COLLAPSED_HEIGHT,
  COLLAPSED_WIDTH,
  extractPositions,
  layoutEdges,
  layoutSignature,
  NODE_HEIGHT,
  NODE_WIDTH,
} from '../src/graph/layoutInput';
import { buildVisibleModel } from '../src/graph/model';
import { longestPathLayers, orderLayers, quickLayout } from '../src/graph/quickLayout';

const n = (key: string, group: string): LineageNode => ({ key, group, kind: 'python', status: 'FRESH' });
const e = (source: string, target: string): LineageEdge => ({ source, target });
const nodes = [n('a', 'g1'), n('b', 'g1'), n('c', 'g2'), n('d', 'g2'), n('x', 'g3')];
const edges = [e('a', 'b'), e('b', 'c'), e('c', 'd'), e('a', 'x')];

describe('buildElkGraph', () => {
  it('builds layered left-to-right compound nodes per expanded group', () => {
    const g = buildElkGraph(buildVisibleModel(nodes, edges, new Set(['g3'])));
    expect(g.layoutOptions?.['elk.algorithm']).toBe('layered');
    expect(g.layoutOptions?.['elk.direction']).toBe('RIGHT');
    expect(g.children?.map((c) => c.id)).toEqual(['g:g1', 'g:g2', 'g:g3']);
    const g1 = g.children?.[0] as ElkNode;
    expect(g1.children?.map((c) => [c.id, c.width, c.height])).toEqual([
      ['a:a', NODE_WIDTH, NODE_HEIGHT],
      ['a:b', NODE_WIDTH, NODE_HEIGHT],
    ]);
    expect(g1.edges?.map((x) => [x.sources, x.targets])).toEqual([[['a:a'], ['a:b']]]);
    expect(g1.layoutOptions?.['elk.padding']).toMatch(/top=/);
    const g3 = g.children?.[2] as ElkNode;
    expect(g3.children).toBeUndefined();
    expect([g3.width, g3.height]).toEqual([COLLAPSED_WIDTH, COLLAPSED_HEIGHT]);
    // root edges order the groups: g1→g2 (b→c), g1→g3 (a→x)
    expect(g.edges?.map((x) => `${x.sources[0]}>${x.targets[0]}`).sort()).toEqual(['g:g1>g:g2', 'g:g1>g:g3']);
  });

  it('lays out with the real ELK and reads positions relative to the group', async () => {
    const model = buildVisibleModel(nodes, edges, new Set(['g3']));
    const result = await new ELK().layout(buildElkGraph(model));
    const pos = extractPositions(result as ElkNode);
    for (const id of ['g:g1', 'g:g2', 'g:g3', 'a:a', 'a:b', 'a:c', 'a:d']) expect(pos[id]).toBeDefined();
    expect(pos['a:x']).toBeUndefined();
    // left to right: b after a inside g1, g2 right of g1
    expect(pos['a:b'].x).toBeGreaterThan(pos['a:a'].x);
    expect(pos['g:g2'].x).toBeGreaterThan(pos['g:g1'].x);
    // children sit inside their group box
    expect(pos['a:a'].x + pos['a:a'].width).toBeLessThanOrEqual(pos['g:g1'].width);
  });

  it('changes the signature when structure or collapsing changes, not otherwise', () => {
    const a = layoutSignature(buildVisibleModel(nodes, edges, new Set()));
    const b = layoutSignature(buildVisibleModel(nodes.map((x) => ({ ...x, status: 'STALE' as const })), edges, new Set()));
    const c = layoutSignature(buildVisibleModel(nodes, edges, new Set(['g1'])));
    const d = layoutSignature(buildVisibleModel(nodes, edges.slice(1), new Set()));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(d);
  });
});

describe('layoutEdges', () => {
  it('gives ELK only the heaviest incoming edges per node', () => {
    const es = [
      { id: '1', source: 'a', target: 'z', count: 1 },
      { id: '2', source: 'b', target: 'z', count: 5 },
      { id: '3', source: 'c', target: 'z', count: 3 },
      { id: '4', source: 'd', target: 'z', count: 4 },
      { id: '5', source: 'a', target: 'y', count: 1 },
    ];
    expect(layoutEdges(es, 3).map((e) => e.id).sort()).toEqual(['2', '3', '4', '5']);
    expect(layoutEdges(es, 10)).toHaveLength(5);
  });
});

describe('quickLayout', () => {
  it('layers by longest path', () => {
    const layers = longestPathLayers(['a', 'b', 'c', 'd'], [e('a', 'b'), e('b', 'c'), e('a', 'c'), e('d', 'c')]);
    expect(Object.fromEntries(layers)).toEqual({ a: 0, b: 1, c: 2, d: 0 });
  });

  it('survives cycles (possible between groups)', () => {
    const layers = longestPathLayers(['p', 'q', 'r'], [e('p', 'q'), e('q', 'p'), e('q', 'r')]);
    expect(layers.size).toBe(3);
    expect(layers.get('r')).toBeGreaterThan(layers.get('q') as number);
  });

  it('orders each layer by the barycenter of its inputs', () => {
    const ids = ['a1', 'a2', 'b1', 'b2'];
    const es = [e('a1', 'b2'), e('a2', 'b1')];
    const cols = orderLayers(ids, es, longestPathLayers(ids, es));
    expect(cols).toEqual([
      ['a1', 'a2'],
      ['b2', 'b1'],
    ]);
  });

  it('positions every drawn node, children inside their group', () => {
    const model = buildVisibleModel(nodes, edges, new Set(['g3']));
    const pos = quickLayout(model);
    for (const id of ['g:g1', 'g:g2', 'g:g3', 'a:a', 'a:b', 'a:c', 'a:d']) expect(pos[id]).toBeDefined();
    expect(pos['a:b'].x).toBeGreaterThan(pos['a:a'].x);
    expect(pos['g:g2'].x).toBeGreaterThan(pos['g:g1'].x);
    expect(pos['a:b'].x + NODE_WIDTH).toBeLessThanOrEqual(pos['g:g1'].width);
  });

  it('lays out 2,000 nodes quickly', () => {
    const big: LineageNode[] = [];
    const bigEdges: LineageEdge[] = [];
    for (let i = 0; i < 2000; i++) big.push(n(`n${i}`, `g${i % 10}`));
    for (let i = 100; i < 2000; i++) bigEdges.push(e(`n${i - 100}`, `n${i}`), e(`n${(i * 7) % i}`, `n${i}`));
    const model = buildVisibleModel(big, bigEdges, new Set());
    const t0 = performance.now();
    const pos = quickLayout(model);
    expect(performance.now() - t0).toBeLessThan(300);
    expect(Object.keys(pos)).toHaveLength(2010);
  });
});

describe('flow elements', () => {
  it('puts group boxes before their children and sizes nodes up front', () => {
    const model = buildVisibleModel(nodes, edges, new Set(['g3']));
    const flow = buildFlowNodes(model, quickLayout(model));
    const ids = flow.map((f) => f.id);
    expect(ids.indexOf('g:g1')).toBeLessThan(ids.indexOf('a:a'));
    const a = flow.find((f) => f.id === 'a:a');
    expect(a?.parentId).toBe('g:g1');
    expect(a?.type).toBe('asset');
    expect([a?.width, a?.height]).toEqual([NODE_WIDTH, NODE_HEIGHT]);
    expect(a?.handles).toHaveLength(2);
    expect(flow.find((f) => f.id === 'g:g3')?.type).toBe('collapsedGroup');
    expect(flow.find((f) => f.id === 'g:g1')?.selectable).toBe(false);
  });

  it('labels aggregated edges with their count', () => {
    const model = buildVisibleModel([...nodes, n('y', 'g3')], [...edges, e('b', 'y')], new Set(['g3']));
    const flowEdges = buildFlowEdges(model.edges);
    const agg = flowEdges.find((x) => x.source === 'a:a' && x.target === 'g:g3');
    expect(agg?.label).toBeUndefined();
    expect(agg?.className).toBe('edge-aggregated');
    const collapsedAll = buildFlowEdges(buildVisibleModel(nodes, [...edges, e('b', 'x')], new Set(['g1', 'g3'])).edges);
    expect(collapsedAll.find((x) => x.source === 'g:g1' && x.target === 'g:g3')?.label).toBe('2');
  });

  it('keeps the selection across rebuilds', () => {
    const model = buildVisibleModel(nodes, edges, new Set());
    const flow = preserveSelection(buildFlowNodes(model, quickLayout(model)), new Set(['a:b']));
    expect(flow.filter((f) => f.selected).map((f) => f.id)).toEqual(['a:b']);
  });
});
