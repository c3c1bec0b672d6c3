import { useEffect, useState } from 'react';
import { gql } from '../api/client';
import { LINEAGE_QUERY, LINEAGE_SEARCH_QUERY } from '../api/queries';
import type { Lineage } from '../api/types';
import type { GraphFilter } from '../lib/selection';

export interface LineageState {
  lineage: Lineage | null;
  /** the filter the shown lineage belongs to */
  shownFor: GraphFilter | null;
  error: Error | null;
  loading: boolean;
}

/** Loads lineage(selection), or lineage(search) for a free-text filter; on error keeps
 * the last good graph so the error can be shown inline. */
export function useLineage(filter: GraphFilter, reloadToken = 0): LineageState {
  const [state, setState] = useState<LineageState>({ lineage: null, shownFor: null, error: null, loading: true });
  const { kind, text } = filter;
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const request =
      kind === 'search'
        ? gql<{ lineage: Lineage }>(LINEAGE_SEARCH_QUERY, { search: text }, ctrl.signal)
        : gql<{ lineage: Lineage }>(LINEAGE_QUERY, { selection: text || '*' }, ctrl.signal);
    request
      .then((data) => {
        if (!ctrl.signal.aborted) setState({ lineage: data.lineage, shownFor: { kind, text }, error: null, loading: false });
      })
      .catch((error: unknown) => {
        if (ctrl.signal.aborted) return;
        setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      });
    return () => ctrl.abort();
  }, [kind, text, reloadToken]);
  return state;
}
