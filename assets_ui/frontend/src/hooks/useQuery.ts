import { useCallback, useEffect, useRef, useState } from 'react';
import { gql } from '../api/client';
import type { Variables } from '../lib/graphql';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => Promise<void>;
}

export interface QueryOptions {
  skip?: boolean;
  /** re-fetch every N ms (silently: data stays while refreshing) */
  pollMs?: number;
}

/** Fetch a GraphQL query when its variables change; aborts stale requests. */
export function useQuery<T>(query: string, variables: Variables = {}, options: QueryOptions = {}): QueryState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(!options.skip);
  const varsKey = JSON.stringify(variables);
  const controller = useRef<AbortController | null>(null);
  const current = useRef(varsKey);

  const run = useCallback(
    async (silent: boolean) => {
      controller.current?.abort();
      const ctrl = new AbortController();
      controller.current = ctrl;
      if (!silent) setLoading(true);
      try {
        const result = await gql<T>(query, JSON.parse(varsKey) as Variables, ctrl.signal);
        if (ctrl.signal.aborted) return;
        setData(result);
        setError(undefined);
      } catch (e) {
        if (ctrl.signal.aborted || (e instanceof DOMException && e.name === 'AbortError')) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        if (!ctrl.signal.aborted) setLoading(false);
      }
    },
    [query, varsKey],
  );

  useEffect(() => {
    if (options.skip) return;
    if (current.current !== varsKey) {
      current.current = varsKey;
      setData(undefined);
    }
    void run(false);
    return () => controller.current?.abort();
  }, [run, options.skip, varsKey]);

  useEffect(() => {
    if (options.skip || !options.pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void run(true);
    }, options.pollMs);
    return () => clearInterval(timer);
  }, [run, options.skip, options.pollMs]);

  const refetch = useCallback(() => run(true), [run]);
  return { data, error, loading, refetch };
}
