import { useCallback, useEffect, useRef, useState } from 'react';
import { gql, subscribe } from '../api/client';
import { RUN_EVENTS_PAGE_QUERY, RUN_EVENTS_SUBSCRIPTION, RUN_QUERY, RUN_STATE_QUERY } from '../api/queries';
import type { Run, RunEvent } from '../api/types';
import { mergeEvents } from '../lib/events';
import { isNotFound } from '../lib/graphql';
import { isRunEndEvent, isTerminalRunStatus } from '../lib/status';

export type RunState = Omit<Run, 'events'>;

const EVENT_PAGE = 500;
const MAX_PAGES = 40;
const POLL_MS = 3000;

export interface RunLive {
  run: RunState | null | undefined; // undefined: loading; null: not found
  events: RunEvent[];
  error: Error | null;
  streaming: boolean;
  refresh: () => Promise<void>;
}

/**
 * A run and its log: the stored events first (paged), then the runEvents
 * subscription appends new ones in seq order until the run ends. A poll of the
 * run state (and of events after the last seq) covers a dropped websocket.
 */
export function useRunLive(id: string): RunLive {
  const [run, setRun] = useState<RunState | null | undefined>(undefined);
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [streaming, setStreaming] = useState(false);
  const lastSeq = useRef<number>(-1);
  const terminal = useRef(false);

  const addEvents = useCallback((incoming: RunEvent[]) => {
    if (!incoming.length) return;
    for (const e of incoming) if (e.seq > lastSeq.current) lastSeq.current = e.seq;
    setEvents((prev) => mergeEvents(prev, incoming));
  }, []);

  const refresh = useCallback(async () => {
    try {
      const data = await gql<{ run: RunState | null }>(RUN_STATE_QUERY, { id });
      setRun(data.run);
      if (data.run) terminal.current = isTerminalRunStatus(data.run.status);
      setError(null);
    } catch (e) {
      if (isNotFound(e)) setRun(null);
      else setError(e instanceof Error ? e : new Error(String(e)));
    }
  }, [id]);

  useEffect(() => {
    let disposed = false;
    let unsubscribe: (() => void) | null = null;
    let poll: ReturnType<typeof setInterval> | undefined;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    setRun(undefined);
    setEvents([]);
    setError(null);
    lastSeq.current = -1;
    terminal.current = false;

    const fetchNewEvents = async () => {
      const data = await gql<{ run: { id: string; status: string; events: RunEvent[] } | null }>(RUN_EVENTS_PAGE_QUERY, {
        id,
        after: lastSeq.current >= 0 ? lastSeq.current : null,
        limit: EVENT_PAGE,
      });
      if (!disposed && data.run) addEvents(data.run.events);
      return data.run?.events.length ?? 0;
    };

    const stop = () => {
      unsubscribe?.();
      unsubscribe = null;
      clearInterval(poll);
      setStreaming(false);
    };

    const scheduleRefresh = () => {
      clearTimeout(debounce);
      debounce = setTimeout(async () => {
        await refresh();
        if (terminal.current && !disposed) {
          await fetchNewEvents().catch(() => 0);
          stop();
        }
      }, 400);
    };

    (async () => {
      try {
        const data = await gql<{ run: Run | null }>(RUN_QUERY, { id, limit: EVENT_PAGE });
        if (disposed) return;
        if (!data.run) {
          setRun(null);
          return;
        }
        const { events: first, ...state } = data.run;
        setRun(state);
        addEvents(first);
        terminal.current = isTerminalRunStatus(state.status);
        for (let page = 1, got = first.length; got >= EVENT_PAGE && page < MAX_PAGES && !disposed; page++) {
          got = await fetchNewEvents();
        }
        if (terminal.current || disposed) return;

        setStreaming(true);
        unsubscribe = subscribe<{ runEvents: RunEvent }>(
          RUN_EVENTS_SUBSCRIPTION,
          { runId: id },
          {
            next: ({ runEvents }) => {
              addEvents([runEvents]);
              scheduleRefresh();
              if (isRunEndEvent(runEvents.type)) scheduleRefresh();
            },
            complete: () => scheduleRefresh(),
            error: () => undefined, // the poll keeps the log going
          },
        );
        poll = setInterval(async () => {
          if (disposed) return;
          try {
            await fetchNewEvents();
            await refresh();
            if (terminal.current) stop();
          } catch {
            // retry at the next tick
          }
        }, POLL_MS);
      } catch (e) {
        if (disposed) return;
        // an unknown id is a NOT_FOUND error, not a null run
        if (isNotFound(e)) setRun(null);
        else setError(e instanceof Error ? e : new Error(String(e)));
      }
    })();

    return () => {
      disposed = true;
      unsubscribe?.();
      clearInterval(poll);
      clearTimeout(debounce);
    };
  }, [id, addEvents, refresh]);

  return { run, events, error, streaming, refresh };
}
