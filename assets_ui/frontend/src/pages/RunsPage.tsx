import { RUNS_QUERY } from '../api/queries';
import { RUN_STATUSES, type RunConnection } from '../api/types';
import { Empty, ErrorBox, Loading } from '../components/Feedback';
import { Link } from '../components/Link';
import { RelativeTime } from '../components/RelativeTime';
import { RunStatusBadge } from '../components/StatusBadge';
import { useActiveRuns } from '../hooks/useActiveRuns';
import { useLocation } from '../hooks/useLocation';
import { useQuery } from '../hooks/useQuery';
import { summarisePartitions } from '../lib/partitions';
import { navigate, runPath } from '../lib/router';
import { runStatusMeta } from '../lib/status';
import { durationBetween, formatDuration } from '../lib/time';

export const PAGE_SIZE = 25;

function runsUrl(status: string, cursor: string | null): string {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (cursor) params.set('cursor', cursor);
  const qs = params.toString();
  return qs ? `/runs?${qs}` : '/runs';
}


export function RunsPage() {
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor');
  const active = useActiveRuns();
  const { data, error, loading } = useQuery<{ runs: RunConnection }>(
    RUNS_QUERY,
    { status: status || null, limit: PAGE_SIZE, cursor },
    { pollMs: cursor ? undefined : active > 0 ? 3000 : 10000 },
  );
  return (
    <div className="page" data-testid="runs-page">
      <header className="page-header">
        <h1>Runs</h1>
        <label className="inline-field">
          <span>Status</span>
          <select value={status} onChange={(e) => navigate(runsUrl(e.target.value, null))} data-testid="runs-status-filter">
            <option value="">All</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {runStatusMeta(s).label}
              </option>
            ))}
          </select>
        </label>
      </header>
      {error && <ErrorBox error={error} title="Could not load runs" />}
      {loading && !data && <Loading label="Loading runs…" />}
      {data && data.runs.runs.length === 0 && <Empty>No runs{status ? ` with status ${runStatusMeta(status).label.toLowerCase()}` : ''} yet.</Empty>}
      {data && data.runs.runs.length > 0 && (
        <div className="card flush">
          <table className="table" data-testid="runs-table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Selection</th>
                <th>Partitions</th>
                <th>Launched by</th>
                <th>Started</th>
                <th className="num">Duration</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.runs.map((r) => (
                <tr key={r.id} data-testid={`run-row-${r.id}`}>
                  <td>
                    <Link to={runPath(r.id)} className="mono" data-testid="run-link">
                      {r.id.slice(0, 8)}
                    </Link>
                  </td>
                  <td>
                    <RunStatusBadge status={r.status} />
                    {r.queuePosition != null && (
                      <span className="muted small queue-position" data-testid="queue-position" title="Its place in the run queue">
                        {' '}#{r.queuePosition} in queue
                      </span>
                    )}
                  </td>
                  <td className="ellipsis" title={r.selection}><code>{r.selection}</code></td>
                  <td className="ellipsis">{summarisePartitions(r.partitions)}</td>
                  <td>{r.launchedBy ?? <span className="muted">—</span>}</td>
                  <td><RelativeTime value={r.startedAt} /></td>
                  <td className="num">{formatDuration(durationBetween(r.startedAt, r.endedAt))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" className="button subtle" disabled={!cursor} onClick={() => navigate(runsUrl(status, null))} data-testid="runs-first">
          ⟨ Newest
        </button>
        <button type="button" className="button subtle" disabled={!cursor} onClick={() => window.history.back()} data-testid="runs-prev">
          ‹ Previous
        </button>
        <button
          type="button"
          className="button subtle"
          disabled={!data?.runs.nextCursor}
          onClick={() => data?.runs.nextCursor && navigate(runsUrl(status, data.runs.nextCursor))}
          data-testid="runs-next"
        >
          Next ›
        </button>
      </nav>
    </div>
  );
}
