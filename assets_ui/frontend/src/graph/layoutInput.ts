// Builds the ELK input graph from the visible model and reads positions back.
// Groups are ELK compound nodes laid out separately (each group's inner edges
// inside it), and the groups themselves are ordered left→right by the aggregated
// group-to-group edges at the root. This keeps ELK fast on thousands of nodes.
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { VisibleModel } from './model';
import { assetNodeId } from './model';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 64;
export const COLLAPSED_WIDTH = 240;
export const COLLAPSED_HEIGHT = 84;
export const GROUP_HEADER = 36;
export const GROUP_PADDING = 16;

export function layeredOptions(nodeCount: number): LayoutOptions {
  const large = nodeCount > 400;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'POLYLINE',
    'elk.spacing.nodeNode': '20',
    'elk.layered.spacing.nodeNodeBetweenLayers': '56',
    'elk.spacing.componentComponent': '32',
    'elk.layered.nodePlacement.strategy': large ? 'SIMPLE' : 'BRANDES_KOEPF',
    'elk.layered.crossingMinimization.thoroughness': large ? '1' : '7',
  };
}

/** At most this many incoming edges per node are given to ELK (the heaviest ones). */
export const LAYOUT_MAX_IN_EDGES = 3;

/**
 * Thin out the edges ELK sees: per target keep the LAYOUT_MAX_IN_EDGES edges with the
 * highest count. Dense graphs (and dense group-to-group graphs) otherwise make ELK's
 * layered algorithm explode with long-edge dummies; every edge is still drawn.
 */
export function layoutEdges<E extends { source: string; target: string; count: number }>(edges: readonly E[], maxIn = LAYOUT_MAX_IN_EDGES): E[] {
  const byTarget = new Map<string, E[]>();
  for (const e of edges) {
    let list = byTarget.get(e.target);
    if (!list) byTarget.set(e.target, (list = []));
    list.push(e);
  }
  const out: E[] = [];
  for (const list of byTarget.values()) {
    if (list.length > maxIn) list.sort((a, b) => b.count - a.count);
    for (let i = 0; i < Math.min(maxIn, list.length); i++) out.push(list[i]);
  }
  return out;
}

export function buildElkGraph(model: VisibleModel): ElkNode {
  const children: ElkNode[] = [];
  for (const g of model.groups) {
    if (g.collapsed) {
      children.push({ id: g.id, width: COLLAPSED_WIDTH, height: COLLAPSED_HEIGHT });
      continue;
    }
    const inner = model.innerEdges.get(g.name) ?? [];
    children.push({
      id: g.id,
      layoutOptions: {
        ...layeredOptions(g.members.length),
        'elk.padding': `[top=${GROUP_HEADER + GROUP_PADDING},left=${GROUP_PADDING},bottom=${GROUP_PADDING},right=${GROUP_PADDING}]`,
      },
      children: g.members.map((m) => ({ id: assetNodeId(m.key), width: NODE_WIDTH, height: NODE_HEIGHT })),
      edges: layoutEdges(inner).map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.source], targets: [e.target] })),
    });
  }
  const edges: ElkExtendedEdge[] = layoutEdges(model.groupEdges).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return {
    id: 'root',
    layoutOptions: {
      ...layeredOptions(children.length),
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '96',
      'elk.padding': '[top=20,left=20,bottom=20,right=20]',
    },
    children,
    edges,
  };
}

export interface LayoutBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** id → box; children of a group are positioned relative to the group (as xyflow's parentId expects). */
export type LayoutPositions = Record<string, LayoutBox>;

export function extractPositions(root: ElkNode): LayoutPositions {
  const out: LayoutPositions = {};
  const visit = (node: ElkNode) => {
    for (const child of node.children ?? []) {
      out[child.id] = { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 };
      if (child.children?.length) visit(child);
    }
  };
  visit(root);
  return out;
}

/** Cheap signature of the structure, to skip re-layout when nothing changed. */
export function layoutSignature(model: VisibleModel): string {
  let h = 0;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  };
  for (const g of model.groups) {
    mix(g.id);
    mix(g.collapsed ? 'c' : 'e');
    if (!g.collapsed) for (const m of g.members) mix(m.key);
  }
  for (const e of model.edges) mix(e.id);
  return `${model.groups.length}:${model.assets.length}:${model.edges.length}:${h}`;
}
