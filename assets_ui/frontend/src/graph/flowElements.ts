// Visible model + layout positions → xyflow nodes and edges (pure; no DOM).
import { MarkerType, Position, type Edge, type Node } from '@xyflow/react';
import type { AssetStatus } from '../api/types';
import type { LayoutPositions } from './layoutInput';
import { COLLAPSED_HEIGHT, COLLAPSED_WIDTH, NODE_HEIGHT, NODE_WIDTH } from './layoutInput';
import type { VisibleEdge, VisibleModel } from './model';
import { assetNodeId, statusCounts } from './model';

export interface AssetNodeData extends Record<string, unknown> {
  key: string;
  kind: string;
  group: string;
  status: AssetStatus;
}

export interface GroupNodeData extends Record<string, unknown> {
  name: string;
  count: number;
  counts: Partial<Record<AssetStatus, number>>;
}

export type AssetFlowNode = Node<AssetNodeData, 'asset'>;
export type GroupBoxFlowNode = Node<GroupNodeData, 'groupBox'>;
export type CollapsedGroupFlowNode = Node<GroupNodeData, 'collapsedGroup'>;
export type FlowNode = AssetFlowNode | GroupBoxFlowNode | CollapsedGroupFlowNode;

function handlesFor(width: number, height: number): Node['handles'] {
  // Declared up front so edges draw before the nodes are measured.
  return [
    { type: 'target', position: Position.Left, x: -4, y: height / 2 - 4, width: 8, height: 8 },
    { type: 'source', position: Position.Right, x: width - 4, y: height / 2 - 4, width: 8, height: 8 },
  ];
}

export function buildFlowNodes(model: VisibleModel, positions: LayoutPositions): FlowNode[] {
  const nodes: FlowNode[] = [];
  for (const g of model.groups) {
    const box = positions[g.id];
    const data: GroupNodeData = { name: g.name, count: g.members.length, counts: statusCounts(g.members) };
    if (g.collapsed) {
      nodes.push({
        id: g.id,
        type: 'collapsedGroup',
        position: { x: box?.x ?? 0, y: box?.y ?? 0 },
        width: COLLAPSED_WIDTH,
        height: COLLAPSED_HEIGHT,
        measured: { width: COLLAPSED_WIDTH, height: COLLAPSED_HEIGHT },
        handles: handlesFor(COLLAPSED_WIDTH, COLLAPSED_HEIGHT),
        data,
        draggable: false,
        connectable: false,
      });
      continue;
    }
    nodes.push({
      id: g.id,
      type: 'groupBox',
      position: { x: box?.x ?? 0, y: box?.y ?? 0 },
      width: box?.width ?? NODE_WIDTH,
      height: box?.height ?? NODE_HEIGHT,
      measured: { width: box?.width ?? NODE_WIDTH, height: box?.height ?? NODE_HEIGHT },
      data,
      selectable: false,
      draggable: false,
      connectable: false,
      focusable: false,
      zIndex: -1,
    });
    for (const m of g.members) {
      const id = assetNodeId(m.key);
      const p = positions[id];
      nodes.push({
        id,
        type: 'asset',
        parentId: g.id,
        position: { x: p?.x ?? 0, y: p?.y ?? 0 },
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        // sizes are fixed: declaring them as measured lets fitView, the minimap and
        // onlyRenderVisibleElements work on nodes that were never rendered
        measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
        handles: handlesFor(NODE_WIDTH, NODE_HEIGHT),
        data: { key: m.key, kind: m.kind, group: m.group, status: m.status },
        draggable: false,
        connectable: false,
      });
    }
  }
  return nodes;
}

/** Count labels need a DOM measurement each; above this many edges the width alone tells the weight. */
export const MAX_LABELLED_EDGES = 300;

export function buildFlowEdges(edges: readonly VisibleEdge[]): Edge[] {
  const labels = edges.length <= MAX_LABELLED_EDGES;
  return edges.map((e) => {
    const aggregated = e.count > 1 || e.source.startsWith('g:') || e.target.startsWith('g:');
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      type: 'default',
      selectable: false,
      focusable: false,
      markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14, color: '#9aa5b5' },
      label: labels && e.count > 1 ? String(e.count) : undefined,
      interactionWidth: 0,
      className: aggregated ? 'edge-aggregated' : undefined,
      style: aggregated ? { strokeWidth: Math.min(6, 1.5 + Math.log2(e.count)) } : undefined,
    };
  });
}

/** Keep the `selected` flag of nodes that survive a rebuild. */
export function preserveSelection(next: FlowNode[], selectedIds: ReadonlySet<string>): FlowNode[] {
  if (selectedIds.size === 0) return next;
  return next.map((n) => (selectedIds.has(n.id) ? ({ ...n, selected: true } as FlowNode) : n));
}
