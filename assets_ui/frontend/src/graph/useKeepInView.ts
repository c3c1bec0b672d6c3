import { useReactFlow, useStore, type ReactFlowState } from '@xyflow/react';
import { useEffect } from 'react';

const sizeSelector = (s: ReactFlowState) => `${s.width}x${s.height}`;

/**
 * Keeps the given nodes inside the visible canvas: when they change, or the canvas
 * is resized (a side panel opening narrows it), and one of them is (partly) out of
 * view, the view moves to show them all, never zooming in past the current zoom.
 */
export function useKeepInView(ids: readonly string[], enabled: boolean): void {
  const flow = useReactFlow();
  const size = useStore(sizeSelector);
  const signature = ids.join('\n');
  useEffect(() => {
    if (!enabled || !signature) return;
    const wanted = signature.split('\n');
    const frame = requestAnimationFrame(() => {
      const [width, height] = size.split('x').map(Number);
      if (!width || !height) return;
      const { x, y, zoom } = flow.getViewport();
      const margin = 12;
      const drawn = wanted.filter((id) => flow.getInternalNode(id));
      const outside = drawn.some((id) => {
        const node = flow.getInternalNode(id);
        if (!node) return false;
        const { x: nx, y: ny } = node.internals.positionAbsolute;
        const w = node.measured.width ?? node.width ?? 0;
        const h = node.measured.height ?? node.height ?? 0;
        const left = nx * zoom + x;
        const top = ny * zoom + y;
        return left < margin || top < margin || left + w * zoom > width - margin || top + h * zoom > height - margin;
      });
      if (!outside) return;
      void flow.fitView({ nodes: drawn.map((id) => ({ id })), padding: 0.2, maxZoom: zoom, minZoom: Math.min(zoom, 0.2), duration: 200 });
    });
    return () => cancelAnimationFrame(frame);
  }, [signature, size, enabled, flow]);
}
