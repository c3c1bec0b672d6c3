import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { describe, expect, it } from 'vitest';
import type { ColumnGraph } from '../src/api/types';
import { extractPositions } from '../src/graph/layoutInput';
import {
  assetCardId,
  assetCards,
  assetEdges,
  CARD_HEADER,
  cardHeight,
  columnElkGraph,
  columnRowId,
  edgeCounts,
  flowEdges,
  flowNodes,
  ROW_HEIGHT,
} from '../src/lineage/columnGraph';

// daily.revenue = sum(clean.amount) GROUP BY clean.day; ranked ranks by it; labels copies it
const GRAPH: ColumnGraph = {
  nodes: [
    { id: 'daily.revenue', asset: 'daily', column: 'revenue' },
    { id: 'clean.amount', asset: 'clean', column: 'amount' },
    { id: 'clean.day', asset: 'clean', column: 'day' },
    { id: 'ranked.position', asset: 'ranked', column: 'position' },
    { id: 'labels.label', asset: 'labels', column: 'label' },
  ],
  edges: [
    { source: 'clean.amount', target: 'daily.revenue', type: 'DIRECT', subtype: 'AGGREGATION' },
    { source: 'clean.day', target: 'daily.revenue', type: 'INDIRECT', subtype: 'GROUP_BY' },
    { source: 'daily.revenue', target: 'ranked.position', type: 'INDIRECT', subtype: 'WINDOW' },
    { source: 'daily.revenue', target: 'labels.label', type: 'DIRECT', subtype: 'TRANSFORMATION' },
  ],
};

describe('column graph model', () => {
  it('groups columns into one card per asset, the focus asset first', () => {
    expect(assetCards(GRAPH)).toEqual([
      { asset: 'daily', columns: ['revenue'] },
      { asset: 'clean', columns: ['amount', 'day'] },
      { asset: 'ranked', columns: ['position'] },
      { asset: 'labels', columns: ['label'] },
    ]);
  });

  it('lays out assets with one edge per asset pair, sized by their rows', () => {
    expect(assetEdges(GRAPH)).toEqual([
      { source: 'clean', target: 'daily' },
      { source: 'daily', target: 'ranked' },
      { source: 'daily', target: 'labels' },
    ]);
    const elk = columnElkGraph(GRAPH);
    const clean = elk.children?.find((c) => c.id === assetCardId('clean'));
    expect(clean?.height).toBe(cardHeight({ asset: 'clean', columns: ['amount', 'day'] }));
    expect(elk.edges).toHaveLength(3);
  });

  it('places upstream cards left of downstream ones with ELK', async () => {
    const result = (await new ELK().layout(columnElkGraph(GRAPH))) as ElkNode;
    const positions = extractPositions(result);
    const x = (asset: string) => positions[assetCardId(asset)].x;
    expect(x('clean')).toBeLessThan(x('daily'));
    expect(x('daily')).toBeLessThan(x('ranked'));
    expect(x('daily')).toBeLessThan(x('labels'));
  });

  it('makes column rows children of their card, the focus marked', () => {
    const positions = { [assetCardId('clean')]: { x: 10, y: 20, width: 240, height: 90 } };
    const nodes = flowNodes(GRAPH, positions, 'daily.revenue');
    const day = nodes.find((n) => n.id === columnRowId('clean.day'));
    expect(day?.parentId).toBe(assetCardId('clean'));
    expect(day?.position).toEqual({ x: 0, y: CARD_HEADER + ROW_HEIGHT });
    expect(nodes.find((n) => n.id === assetCardId('clean'))?.position).toEqual({ x: 10, y: 20 });
    const focus = nodes.filter((n) => n.data.focus).map((n) => n.id);
    expect(focus).toEqual([assetCardId('daily'), columnRowId('daily.revenue')]);
  });

  it('draws DIRECT edges solid and INDIRECT ones dashed', () => {
    const edges = flowEdges(GRAPH);
    const groupBy = edges.find((e) => e.source === columnRowId('clean.day'));
    expect(groupBy?.className).toContain('column-edge-indirect');
    expect(groupBy?.style?.strokeDasharray).toBe('5 4');
    expect(groupBy?.label).toBe('group by');
    const aggregation = edges.find((e) => e.source === columnRowId('clean.amount'));
    expect(aggregation?.className).toContain('column-edge-direct');
    expect(aggregation?.style?.strokeDasharray).toBeUndefined();
    expect(new Set(edges.map((e) => e.id)).size).toBe(edges.length);
    expect(edgeCounts(GRAPH)).toEqual({ direct: 2, indirect: 2 });
  });
});
