import { useNow } from '../hooks/useNow';
import type { Step } from '../api/types';
import { buildGantt } from '../lib/gantt';
import { stepStatusMeta } from '../lib/status';
import { formatDuration } from '../lib/time';
import { Link } from './Link';
import { assetPath } from '../lib/router';

const ROW = 26;

/** Step timeline: one bar per step from startedAt to endedAt, coloured by status. */
export function Gantt({ steps, startedAt, endedAt }: { steps: readonly Step[]; startedAt: string | null; endedAt: string | null }) {
  useNow(); // re-render periodically so running bars grow
  const model = buildGantt(steps, startedAt, endedAt, Date.now());
  if (!steps.length) return <p className="muted">No steps yet.</p>;
  return (
    <div className="gantt" data-testid="run-gantt">
      <div className="gantt-axis" aria-hidden="true">
        {model.ticks.map((t, i) => (
          <span key={i} className="gantt-tick" style={{ left: `${t.x * 100}%` }}>
            {t.label}
          </span>
        ))}
      </div>
      <div className="gantt-grid" aria-hidden="true">
        {model.ticks.map((t, i) => (
          <span key={i} style={{ left: `${t.x * 100}%` }} />
        ))}
      </div>
      <ol className="gantt-rows">
        {model.bars.map((bar) => {
          const meta = stepStatusMeta(bar.status);
          const duration = bar.startMs !== null && bar.endMs !== null ? (bar.endMs - bar.startMs) / 1000 : null;
          return (
            <li key={bar.id} className="gantt-row" style={{ height: ROW }} data-testid={`gantt-bar-${bar.id}`} data-status={bar.status}>
              <span className="gantt-label" title={bar.label}>
                <Link to={assetPath(bar.asset)}>{bar.label}</Link>
              </span>
              <span className="gantt-track">
                {bar.startMs === null ? (
                  <span className="gantt-pending">{meta.label === 'Unknown' ? bar.status : meta.label.toLowerCase()}</span>
                ) : (
                  <span
                    className={`gantt-bar${bar.running ? ' running' : ''}`}
                    style={{ left: `${bar.x * 100}%`, width: `max(3px, ${bar.width * 100}%)`, background: meta.color }}
                    title={`${bar.label}: ${meta.label}, ${formatDuration(duration)}`}
                  />
                )}
              </span>
              <span className="gantt-duration">{formatDuration(duration)}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
