import { useLayoutEffect, useRef, useState } from 'react';
import type { RunEvent } from '../api/types';
import { levelClass } from '../lib/events';
import { formatClock } from '../lib/time';

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 24;

/**
 * Run log: events in seq order. It opens at the top (RUN_START in view) and follows new
 * lines only while the reader is scrolled to the bottom; "Follow" jumps there.
 */
export function LogView({ events, live }: { events: readonly RunEvent[]; live: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  // Following: the reader scrolled to the end (never at first: the log opens at the top).
  const following = useRef(false);
  // The height of the content before the lines just added: whether the reader was at
  // its end is read from where the log is scrolled now, not from a scroll event that
  // may not have arrived yet.
  const previousHeight = useRef(0);
  const [behind, setBehind] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const wasAtEnd = previousHeight.current - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
    if (following.current && wasAtEnd) el.scrollTop = el.scrollHeight;
    previousHeight.current = el.scrollHeight;
    setBehind(el.scrollHeight - el.scrollTop - el.clientHeight > BOTTOM_SLACK_PX);
  }, [events.length, live]);
  const follow = () => {
    const el = ref.current;
    if (!el) return;
    following.current = true;
    el.scrollTop = el.scrollHeight;
    previousHeight.current = el.scrollHeight;
    setBehind(false);
  };
  return (
    <div className="log-wrap">
      <div
        className="log"
        ref={ref}
        data-testid="run-log"
        tabIndex={0}
        aria-label="Run log"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
          // At the end of a log that overflows: follow. Scrolled up: stop.
          following.current = atBottom && el.scrollTop > 0;
          setBehind(!atBottom);
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
      {behind && live && (
        <button type="button" className="button log-follow" onClick={follow} data-testid="log-follow">
          Follow new lines ↓
        </button>
      )}
    </div>
  );
}
