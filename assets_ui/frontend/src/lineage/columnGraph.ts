// The column-lineage view's model (pure; no DOM): a `columnGraph` answer → asset
// cards (one per asset, its columns as rows), the ELK graph that places the cards
// left → right, and the xyflow nodes and edges (DIRECT solid, INDIRECT dashed).
import { MarkerType, Position, type Edge, type Node } from '@xyflow/react';
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { ColumnGraph, ColumnGraphEdge } from '../api/types';
import type { LayoutPositions } from '../graph/layoutInput';

export const CARD_WIDTH = 240;
export const CARD_HEADER = 34;
export const ROW_HEIGHT = 26;
export const CARD_PADDING = 6;

export interface AssetCard {
  asset: string;
  /** the asset's columns in the graph, in the order the server listed them */
  columns: string[];
}

export interface ColumnAssetData extends Record<string, unknown> {
  asset: string;
  focus: boolean;
}

export interface ColumnRowData extends Record<string, unknown> {
  asset: string;
  column: string;
  focus: boolean;
}

export type ColumnAssetNode = Node<ColumnAssetData, 'columnAsset'>;
export type ColumnRowNode = Node<ColumnRowData, 'columnRow'>;
export type ColumnFlowNode = ColumnAssetNode | ColumnRowNode;

export const assetCardId = (asset: string) => `asset:${asset}`;
export const columnRowId = (nodeId: string) => `col:${nodeId}`;

/** The cards of a column graph: its nodes grouped by asset, the focus asset first. */
export function assetCards(graph: ColumnGraph): AssetCard[] {
  const cards = new Map<string, AssetCard>();
  for (const node of graph.nodes) {
    let card = cards.get(node.asset);
    if (!card) cards.set(node.asset, (card = { asset: node.asset, columns: [] }));
    if (!card.columns.includes(node.column)) card.columns.push(node.column);
  }
  return [...cards.values()];
}

export function cardHeight(card: AssetCard): number {
  return CARD_HEADER + card.columns.length * ROW_HEIGHT + CARD_PADDING;
}

/** Asset-to-asset edges of a column graph, each once (what ELK lays out). */
export function assetEdges(graph: ColumnGraph): { source: string; target: string }[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n.asset]));
  const seen = new Set<string>();
  const out: { source: string; target: string }[] = [];
  for (const e of graph.edges) {
    const source = byId.get(e.source);
    const target = byId.get(e.target);
    if (!source || !target || source === target) continue;
    const id = `${source}\u0000${target}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ source, target });
  }
  return out;
}

/** ELK input: one node per asset card, sized by its rows; layered, left → right. */
export function columnElkGraph(graph: ColumnGraph): ElkNode {
  const cards = assetCards(graph);
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '150',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: cards.map((c) => ({ id: assetCardId(c.asset), width: CARD_WIDTH, height: cardHeight(c) })),
    edges: assetEdges(graph).map((e, i) => ({
      id: `e${i}`,
      sources: [assetCardId(e.source)],
      targets: [assetCardId(e.target)],
    })),
  };
}

/** Edge classes: the view's CSS draws DIRECT solid and INDIRECT dashed. */
export function edgeClass(edge: ColumnGraphEdge): string {
  return edge.type === 'DIRECT' ? 'column-edge column-edge-direct' : 'column-edge column-edge-indirect';
}

export function flowNodes(graph: ColumnGraph, positions: LayoutPositions, focus: string): ColumnFlowNode[] {
  const focusAsset = graph.nodes.find((n) => n.id === focus)?.asset;
  const nodes: ColumnFlowNode[] = [];
  for (const card of assetCards(graph)) {
    const id = assetCardId(card.asset);
    const box = positions[id];
    const height = cardHeight(card);
    nodes.push({
      id,
      type: 'columnAsset',
      position: { x: box?.x ?? 0, y: box?.y ?? 0 },
      width: CARD_WIDTH,
      height,
      data: { asset: card.asset, focus: card.asset === focusAsset },
      draggable: false,
      connectable: false,
      selectable: false,
    });
    card.columns.forEach((column, i) => {
      const nodeId = `${card.asset}.${column}`;
      nodes.push({
        id: columnRowId(nodeId),
        type: 'columnRow',
        parentId: id,
        extent: 'parent',
        position: { x: 0, y: CARD_HEADER + i * ROW_HEIGHT },
        width: CARD_WIDTH,
        height: ROW_HEIGHT,
        // declared so edges draw before the rows are measured
        handles: [
          { type: 'target', position: Position.Left, x: -3, y: ROW_HEIGHT / 2 - 3, width: 6, height: 6 },
          { type: 'source', position: Position.Right, x: CARD_WIDTH - 3, y: ROW_HEIGHT / 2 - 3, width: 6, height: 6 },
        ],
        data: { asset: card.asset, column, focus: nodeId === focus },
        draggable: false,
        connectable: false,
        selectable: false,
      });
    });
  }
  return nodes;
}

export function flowEdges(graph: ColumnGraph): Edge[] {
  return graph.edges.map((e) => {
    const direct = e.type === 'DIRECT';
    const color = direct ? 'var(--edge-direct, #2563eb)' : 'var(--edge-indirect, #9ca3af)';
    return {
      id: `${e.source}->${e.target}:${e.subtype}`,
      source: columnRowId(e.source),
      target: columnRowId(e.target),
      className: edgeClass(e),
      label: e.subtype.toLowerCase().replace('_', ' '),
      labelShowBg: true,
      style: { stroke: color, strokeWidth: direct ? 1.8 : 1.2, strokeDasharray: direct ? undefined : '5 4' },
      markerEnd: { type: MarkerType.ArrowClosed, color, width: 14, height: 14 },
      data: { type: e.type, subtype: e.subtype },
      selectable: false,
      focusable: false,
    };
  });
}

/** How many DIRECT and INDIRECT edges, for the legend. */
export function edgeCounts(graph: ColumnGraph): { direct: number; indirect: number } {
  let direct = 0;
  for (const e of graph.edges) if (e.type === 'DIRECT') direct++;
  return { direct, indirect: graph.edges.length - direct };
}
