// Upstream / downstream of one asset within the drawn lineage (the node menu's
// "select upstream" etc.). O(nodes + edges) per call.
import type { LineageEdge } from '../api/types';

export type Direction = 'upstream' | 'downstream';

/** `key` and the assets `depth` levels up or down from it (Infinity: all), in BFS order. */
export function related(edges: readonly LineageEdge[], key: string, direction: Direction, depth = 1): string[] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [from, to] = direction === 'upstream' ? [e.target, e.source] : [e.source, e.target];
    let list = next.get(from);
    if (!list) next.set(from, (list = []));
    list.push(to);
  }
  const found = [key];
  const seen = new Set(found);
  let frontier = [key];
  for (let level = 0; level < depth && frontier.length; level++) {
    const following: string[] = [];
    for (const k of frontier) {
      for (const n of next.get(k) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        found.push(n);
        following.push(n);
      }
    }
    frontier = following;
  }
  return found;
}
