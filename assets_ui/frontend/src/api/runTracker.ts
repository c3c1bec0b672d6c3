// Tracks runs launched from this tab: subscribes to runEvents (graphql-transport-ws)
// and polls the run status as a fallback, telling listeners about asset events and
// the run's end so views can refresh asset status live.
import { isRunEndEvent, isTerminalRunStatus } from '../lib/status';
import { gql, subscribe } from './client';
import { RUN_EVENTS_SUBSCRIPTION, RUN_STATUS_QUERY } from './queries';
import type { RunEvent, RunStatus } from './types';

export interface RunTrackerListener {
  onEvent?: (event: RunEvent) => void;
  onRunEnd?: (runId: string) => void;
  onChange?: (activeRunIds: string[]) => void;
}

interface Tracked {
  unsubscribe: () => void;
  timer: ReturnType<typeof setInterval>;
}

const POLL_MS = 3000;

class RunTracker {
  private runs = new Map<string, Tracked>();
  private listeners = new Set<RunTrackerListener>();

  listen(listener: RunTrackerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  active(): string[] {
    return [...this.runs.keys()];
  }

  track(runId: string): void {
    if (this.runs.has(runId)) return;
    const unsubscribe = subscribe<{ runEvents: RunEvent }>(
      RUN_EVENTS_SUBSCRIPTION,
      { runId },
      {
        next: ({ runEvents }) => {
          this.listeners.forEach((l) => l.onEvent?.(runEvents));
          if (isRunEndEvent(runEvents.type)) void this.checkStatus(runId);
        },
        complete: () => void this.checkStatus(runId),
        error: () => undefined, // the poll below keeps going
      },
    );
    const timer = setInterval(() => void this.checkStatus(runId), POLL_MS);
    this.runs.set(runId, { unsubscribe, timer });
    this.emitChange();
  }

  private async checkStatus(runId: string): Promise<void> {
    if (!this.runs.has(runId)) return;
    try {
      const data = await gql<{ run: { id: string; status: RunStatus } | null }>(RUN_STATUS_QUERY, { id: runId });
      if (!data.run || isTerminalRunStatus(data.run.status)) this.finish(runId);
    } catch {
      // transient: try again at the next tick
    }
  }

  private finish(runId: string): void {
    const t = this.runs.get(runId);
    if (!t) return;
    this.runs.delete(runId);
    clearInterval(t.timer);
    t.unsubscribe();
    this.listeners.forEach((l) => l.onRunEnd?.(runId));
    this.emitChange();
  }

  private emitChange(): void {
    const ids = this.active();
    this.listeners.forEach((l) => l.onChange?.(ids));
  }
}

export const runTracker = new RunTracker();
