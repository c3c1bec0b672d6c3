// A fast layered layout (longest-path layering + one barycenter sweep), O(V + E),
// used to draw large graphs at once while ELK computes the real layout in the worker.
// Same output shape as the ELK layout: group children relative to their group.
import type { LayoutPositions } from './layoutInput';
import {
  COLLAPSED_HEIGHT,
  COLLAPSED_WIDTH,
  GROUP_HEADER,
  GROUP_PADDING,
  NODE_HEIGHT,
  NODE_WIDTH,
} from './layoutInput';
import type { VisibleEdge, VisibleModel } from './model';
import { assetNodeId } from './model';

interface Sized {
  id: string;
  width: number;
  height: number;
}

/** Layer index per node (Kahn's algorithm; cycles are broken at the node with the fewest unresolved inputs). */
export function longestPathLayers(ids: readonly string[], edges: readonly Pick<VisibleEdge, 'source' | 'target'>[]): Map<string, number> {
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const out: number[][] = ids.map(() => []);
  const indeg = new Array<number>(ids.length).fill(0);
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    out[s].push(t);
    indeg[t] += 1;
  }
  const layer = new Array<number>(ids.length).fill(0);
  const done = new Array<boolean>(ids.length).fill(false);
  const queue: number[] = [];
  for (let i = 0; i < ids.length; i++) if (indeg[i] === 0) queue.push(i);
  let processed = 0;
  let head = 0;
  while (processed < ids.length) {
    if (head >= queue.length) {
      // cycle: release the unprocessed node with the smallest in-degree
      let pick = -1;
      for (let i = 0; i < ids.length; i++) if (!done[i] && (pick < 0 || indeg[i] < indeg[pick])) pick = i;
      indeg[pick] = 0;
      queue.push(pick);
    }
    const v = queue[head++];
    if (done[v]) continue;
    done[v] = true;
    processed++;
    for (const w of out[v]) {
      if (done[w]) continue;
      if (layer[v] + 1 > layer[w]) layer[w] = layer[v] + 1;
      indeg[w] -= 1;
      if (indeg[w] === 0) queue.push(w);
    }
  }
  const result = new Map<string, number>();
  ids.forEach((id, i) => result.set(id, layer[i]));
  return result;
}

/** Columns of node ids, ordered within each column by the barycenter of their inputs. */
export function orderLayers(ids: readonly string[], edges: readonly Pick<VisibleEdge, 'source' | 'target'>[], layers: Map<string, number>): string[][] {
  const columns: string[][] = [];
  for (const id of ids) {
    const l = layers.get(id) ?? 0;
    (columns[l] ??= []).push(id);
  }
  const preds = new Map<string, string[]>();
  for (const e of edges) {
    if (!layers.has(e.source) || !layers.has(e.target)) continue;
    let list = preds.get(e.target);
    if (!list) preds.set(e.target, (list = []));
    list.push(e.source);
  }
  const position = new Map<string, number>();
  for (let l = 0; l < columns.length; l++) {
    const col = columns[l] ?? (columns[l] = []);
    if (l > 0) {
      const bary = new Map<string, number>();
      col.forEach((id, i) => {
        const ps = (preds.get(id) ?? []).map((p) => position.get(p)).filter((x): x is number => x !== undefined);
        bary.set(id, ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : i);
      });
      col.sort((a, b) => (bary.get(a) ?? 0) - (bary.get(b) ?? 0));
    }
    col.forEach((id, i) => position.set(id, i));
  }
  return columns;
}

const GAP_X = 56;
const GAP_Y = 20;

function placeColumns(columns: string[][], size: (id: string) => Sized, gapX: number, gapY: number, out: LayoutPositions, offsetX: number, offsetY: number) {
  let x = offsetX;
  let maxY = 0;
  for (const col of columns) {
    let y = offsetY;
    let colWidth = 0;
    for (const id of col) {
      const s = size(id);
      out[id] = { x, y, width: s.width, height: s.height };
      y += s.height + gapY;
      colWidth = Math.max(colWidth, s.width);
    }
    maxY = Math.max(maxY, y - gapY);
    x += colWidth + gapX;
  }
  return { width: x - gapX - offsetX, height: maxY - offsetY };
}

export function quickLayout(model: VisibleModel): LayoutPositions {
  const out: LayoutPositions = {};
  const groupSize = new Map<string, Sized>();
  for (const g of model.groups) {
    if (g.collapsed) {
      groupSize.set(g.id, { id: g.id, width: COLLAPSED_WIDTH, height: COLLAPSED_HEIGHT });
      continue;
    }
    const ids = g.members.map((m) => assetNodeId(m.key));
    const inner = model.innerEdges.get(g.name) ?? [];
    const columns = orderLayers(ids, inner, longestPathLayers(ids, inner));
    const box = placeColumns(
      columns,
      (id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT }),
      GAP_X,
      GAP_Y,
      out,
      GROUP_PADDING,
      GROUP_HEADER + GROUP_PADDING,
    );
    groupSize.set(g.id, {
      id: g.id,
      width: Math.max(box.width, NODE_WIDTH) + 2 * GROUP_PADDING,
      height: Math.max(box.height, NODE_HEIGHT) + GROUP_HEADER + 2 * GROUP_PADDING,
    });
  }
  const groupIds = model.groups.map((g) => g.id);
  const columns = orderLayers(groupIds, model.groupEdges, longestPathLayers(groupIds, model.groupEdges));
  placeColumns(columns, (id) => groupSize.get(id) as Sized, 96, 40, out, 20, 20);
  return out;
}
