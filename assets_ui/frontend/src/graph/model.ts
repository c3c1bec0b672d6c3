// Graph model: which nodes are visible given the collapsed groups, and the edges
// between them (edges into/out of a collapsed group are aggregated, with a count).
// Everything is O(nodes + edges).
import type { AssetStatus, LineageEdge, LineageNode } from '../api/types';

export const DEFAULT_COLLAPSE_THRESHOLD = 2500;

export function assetNodeId(key: string): string {
  return `a:${key}`;
}

export function groupNodeId(group: string): string {
  return `g:${group}`;
}

export function keyFromNodeId(id: string): string | null {
  return id.startsWith('a:') ? id.slice(2) : null;
}

export function groupFromNodeId(id: string): string | null {
  return id.startsWith('g:') ? id.slice(2) : null;
}

export interface GroupSummary {
  name: string;
  id: string;
  collapsed: boolean;
  members: LineageNode[];
}

export interface VisibleEdge {
  id: string;
  source: string; // node id
  target: string; // node id
  count: number; // number of asset edges it stands for
}

export interface VisibleModel {
  groups: GroupSummary[];
  /** assets drawn as their own node (members of expanded groups) */
  assets: LineageNode[];
  /** edges between drawn nodes */
  edges: VisibleEdge[];
  /** edges between different groups (aggregated), to order the groups in the layout */
  groupEdges: VisibleEdge[];
  /** asset edges whose both ends are inside one expanded group, by group name */
  innerEdges: Map<string, VisibleEdge[]>;
}

export function groupAssets(nodes: readonly LineageNode[]): Map<string, LineageNode[]> {
  const groups = new Map<string, LineageNode[]>();
  for (const n of nodes) {
    const g = n.group || 'default';
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(n);
  }
  return groups;
}

/** Above the threshold every group starts collapsed (keeps 10,000-asset graphs fast). */
export function defaultCollapsed(nodes: readonly LineageNode[], threshold = DEFAULT_COLLAPSE_THRESHOLD): Set<string> {
  if (nodes.length <= threshold) return new Set();
  return new Set(groupAssets(nodes).keys());
}

function edgeId(source: string, target: string): string {
  return `e:${source}->${target}`;
}

export function buildVisibleModel(
  nodes: readonly LineageNode[],
  edges: readonly LineageEdge[],
  collapsed: ReadonlySet<string>,
): VisibleModel {
  const byGroup = groupAssets(nodes);
  const groupOf = new Map<string, string>();
  for (const n of nodes) groupOf.set(n.key, n.group || 'default');

  const names = [...byGroup.keys()].sort((a, b) => a.localeCompare(b));
  const groups: GroupSummary[] = names.map((name) => ({
    name,
    id: groupNodeId(name),
    collapsed: collapsed.has(name),
    members: byGroup.get(name) ?? [],
  }));

  const assets: LineageNode[] = [];
  for (const g of groups) if (!g.collapsed) assets.push(...g.members);

  const representative = (key: string): string | null => {
    const g = groupOf.get(key);
    if (g === undefined) return null;
    return collapsed.has(g) ? groupNodeId(g) : assetNodeId(key);
  };

  const visible = new Map<string, VisibleEdge>();
  const between = new Map<string, VisibleEdge>();
  const innerEdges = new Map<string, VisibleEdge[]>();
  for (const e of edges) {
    const s = representative(e.source);
    const t = representative(e.target);
    if (s === null || t === null || s === t) continue;
    const id = edgeId(s, t);
    const existing = visible.get(id);
    if (existing) existing.count += 1;
    else visible.set(id, { id, source: s, target: t, count: 1 });

    const gs = groupOf.get(e.source) as string;
    const gt = groupOf.get(e.target) as string;
    if (gs !== gt) {
      const gid = edgeId(groupNodeId(gs), groupNodeId(gt));
      const ge = between.get(gid);
      if (ge) ge.count += 1;
      else between.set(gid, { id: gid, source: groupNodeId(gs), target: groupNodeId(gt), count: 1 });
    } else if (!collapsed.has(gs)) {
      let list = innerEdges.get(gs);
      if (!list) innerEdges.set(gs, (list = []));
      list.push({ id, source: s, target: t, count: 1 });
    }
  }
  return { groups, assets, edges: [...visible.values()], groupEdges: [...between.values()], innerEdges };
}

export function statusCounts(members: readonly { status: AssetStatus }[]): Partial<Record<AssetStatus, number>> {
  const counts: Partial<Record<AssetStatus, number>> = {};
  for (const m of members) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return counts;
}

export function toggle<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const next = new Set(set);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}

/** Drawn edges per drawn node above which the display is thinned out (dense collapsed-group graphs). */
export const DENSE_EDGES_PER_NODE = 4;
export const DENSE_KEEP_PER_NODE = 3;

/**
 * When the drawn graph is dense (typically collapsed groups that all feed each
 * other), keep for every node only its heaviest few incoming and outgoing edges.
 * Thousands of overlapping curves say nothing and cost seconds to render.
 * Returns the edges to draw and how many were left out.
 */
export function displayEdges(edges: readonly VisibleEdge[], drawnNodes: number): { edges: VisibleEdge[]; hidden: number } {
  if (edges.length <= Math.max(50, drawnNodes * DENSE_EDGES_PER_NODE)) return { edges: edges as VisibleEdge[], hidden: 0 };
  const keep = new Set<string>();
  const pick = (groups: Map<string, VisibleEdge[]>) => {
    for (const list of groups.values()) {
      list.sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
      for (let i = 0; i < Math.min(DENSE_KEEP_PER_NODE, list.length); i++) keep.add(list[i].id);
    }
  };
  const bySource = new Map<string, VisibleEdge[]>();
  const byTarget = new Map<string, VisibleEdge[]>();
  for (const e of edges) {
    (bySource.get(e.source) ?? bySource.set(e.source, []).get(e.source))?.push(e);
    (byTarget.get(e.target) ?? byTarget.set(e.target, []).get(e.target))?.push(e);
  }
  pick(bySource);
  pick(byTarget);
  const kept = edges.filter((e) => keep.has(e.id));
  return { edges: kept, hidden: edges.length - kept.length };
}
