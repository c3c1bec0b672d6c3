import { useEffect, useState } from 'react';
import { gql } from '../api/client';
import { LINEAGE_QUERY } from '../api/queries';
import type { Lineage } from '../api/types';

export interface LineageState {
  lineage: Lineage | null;
  /** selection the shown lineage belongs to */
  shownFor: string | null;
  error: Error | null;
  loading: boolean;
}

/** Loads lineage(selection); on error keeps the last good graph so the error can be shown inline. */
export function useLineage(selection: string, reloadToken = 0): LineageState {
  const [state, setState] = useState<LineageState>({ lineage: null, shownFor: null, error: null, loading: true });
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    gql<{ lineage: Lineage }>(LINEAGE_QUERY, { selection: selection || '*' }, ctrl.signal)
      .then((data) => {
        if (!ctrl.signal.aborted) setState({ lineage: data.lineage, shownFor: selection, error: null, loading: false });
      })
      .catch((error: unknown) => {
        if (ctrl.signal.aborted) return;
        setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      });
    return () => ctrl.abort();
  }, [selection, reloadToken]);
  return state;
}
