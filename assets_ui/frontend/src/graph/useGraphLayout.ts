import { useEffect, useRef, useState } from 'react';
import { buildElkGraph, layoutSignature, type LayoutPositions } from './layoutInput';
import { LayoutCancelled, LayoutClient } from './layoutClient';
import type { VisibleModel } from './model';
import { quickLayout } from './quickLayout';

export type LayoutEngine = 'elk' | 'quick';

export interface LayoutState {
  positions: LayoutPositions;
  engine: LayoutEngine;
  signature: string;
  ms: number;
  error?: string;
}

/** Above this many drawn nodes the quick layout is shown at once and ELK refines it later. */
export const QUICK_FIRST_NODES = 300;
/** ELK is skipped above this many drawn nodes (it would take minutes); the quick layout stays. */
export const ELK_MAX_NODES = 6000;
/** Small graphs wait this long for ELK before showing the quick layout. */
const ELK_GRACE_MS = 400;
/** Large graphs start ELK a little after the first paint, to keep the main core free for it. */
const ELK_DEFER_MS = 2000;
/** Give up on ELK after this long and keep the quick layout. */
const ELK_TIMEOUT_MS = 30000;

export function useGraphLayout(model: VisibleModel | null): { layout: LayoutState | null; layingOut: boolean } {
  const client = useRef<LayoutClient | null>(null);
  const [layout, setLayout] = useState<LayoutState | null>(null);
  const [layingOut, setLayingOut] = useState(false);

  useEffect(() => () => client.current?.dispose(), []);

  useEffect(() => {
    if (!model) return;
    const signature = layoutSignature(model);
    const drawn = model.assets.length + model.groups.filter((g) => g.collapsed).length;
    let cancelled = false;
    let elkDone = false;
    setLayingOut(true);

    const showQuick = () => {
      if (cancelled || elkDone) return;
      const t0 = performance.now();
      const positions = quickLayout(model);
      setLayout({ positions, engine: 'quick', signature, ms: performance.now() - t0 });
    };

    const large = drawn > QUICK_FIRST_NODES;
    const quickTimer = setTimeout(showQuick, large ? 0 : ELK_GRACE_MS);
    let elkTimer: ReturnType<typeof setTimeout> | undefined;
    let giveUp: ReturnType<typeof setTimeout> | undefined;

    if (drawn <= ELK_MAX_NODES && typeof Worker !== 'undefined') {
      const runElk = () => {
        if (cancelled) return;
        client.current ??= new LayoutClient();
        const graph = buildElkGraph(model);
        const t0 = performance.now();
        giveUp = setTimeout(() => {
          if (cancelled || elkDone) return;
          client.current?.dispose();
          setLayingOut(false);
        }, ELK_TIMEOUT_MS);
        client.current
          .layout(graph)
          .then((positions) => {
            clearTimeout(giveUp);
            if (cancelled) return;
            elkDone = true;
            clearTimeout(quickTimer);
            setLayout({ positions, engine: 'elk', signature, ms: performance.now() - t0 });
            setLayingOut(false);
          })
          .catch((error: unknown) => {
            clearTimeout(giveUp);
            if (cancelled || error instanceof LayoutCancelled) return;
            clearTimeout(quickTimer);
            showQuick();
            setLayout((prev) => (prev ? { ...prev, error: error instanceof Error ? error.message : String(error) } : prev));
            setLayingOut(false);
          });
      };
      elkTimer = setTimeout(runElk, large ? ELK_DEFER_MS : 0);
    } else {
      clearTimeout(quickTimer);
      showQuick();
      setLayingOut(false);
    }

    return () => {
      cancelled = true;
      clearTimeout(quickTimer);
      clearTimeout(elkTimer);
      clearTimeout(giveUp);
    };
  }, [model]);

  return { layout, layingOut };
}
