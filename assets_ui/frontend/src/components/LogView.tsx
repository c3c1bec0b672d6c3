import { useEffect, useRef } from 'react';
import type { RunEvent } from '../api/types';
import { levelClass } from '../lib/events';
import { formatClock } from '../lib/time';

/** Run log: events in seq order; sticks to the bottom while the user has not scrolled up. */
export function LogView({ events, live }: { events: readonly RunEvent[]; live: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [events.length]);
  return (
    <div
      className="log"
      ref={ref}
      data-testid="run-log"
      tabIndex={0}
      aria-label="Run log"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {events.length === 0 && <div className="muted log-empty">No events yet.</div>}
      {events.map((e) => (
        <div key={e.seq} className={`log-line level-${levelClass(e.level)}`} data-testid="log-line" data-type={e.type}>
          <span className="log-time">{formatClock(e.timestamp)}</span>
          <span className="log-type">{e.type}</span>
          <span className="log-asset">{e.asset ? `${e.asset}${e.partition ? `[${e.partition}]` : ''}` : ''}</span>
          <span className="log-message">{e.message}</span>
        </div>
      ))}
      {live && (
        <div className="log-live" data-testid="log-live">
          <span className="pulse" /> streaming…
        </div>
      )}
    </div>
  );
}
