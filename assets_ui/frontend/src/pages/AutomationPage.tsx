import { useState } from 'react';
import { gql } from '../api/client';
import { AUTOMATION_QUERY, SWITCH_MUTATIONS, type DaemonInfo, type InstigatorStatus, type Schedule, type Sensor, type Tick } from '../api/automation';
import { Empty, ErrorBox, Loading } from '../components/Feedback';
import { Link } from '../components/Link';
import { RelativeTime } from '../components/RelativeTime';
import { RunStatusBadge } from '../components/StatusBadge';
import { useToasts } from '../components/Toasts';
import { useLocation } from '../hooks/useLocation';
import { useQuery } from '../hooks/useQuery';
import { summarisePartitions } from '../lib/partitions';
import { automationPath, navigate, runPath } from '../lib/router';
import { formatTimestamp } from '../lib/time';

const TICKS_PAGE = 50;

interface AutomationData {
  daemon: DaemonInfo;
  schedules: Schedule[];
  sensors: Sensor[];
  ticks: { ticks: Tick[]; nextCursor: string | null };
}

const TICK_STYLE: Record<string, string> = { SUCCESS: 'pass', FAILURE: 'fail', SKIPPED: 'neutral' };

function TickBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${TICK_STYLE[status] ?? 'neutral'}`} data-testid="tick-status" data-status={status}>
      {status.toLowerCase()}
    </span>
  );
}

function Toggle({ kind, name, status, onChanged }: { kind: 'schedule' | 'sensor'; name: string; status: InstigatorStatus; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const toasts = useToasts();
  const on = status === 'RUNNING';
  return (
    <button
      type="button"
      role="switch"
      aria-checked={on}
      aria-label={`${on ? 'Stop' : 'Start'} ${kind} ${name}`}
      className={`toggle${on ? ' on' : ''}`}
      disabled={busy}
      data-testid={`toggle-${name}`}
      onClick={async () => {
        setBusy(true);
        try {
          await gql(SWITCH_MUTATIONS[kind][on ? 'STOPPED' : 'RUNNING'], { name });
          onChanged();
        } catch (e) {
          toasts.show({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <span className="toggle-knob" aria-hidden="true" />
      <span className="toggle-label">{on ? 'On' : 'Off'}</span>
    </button>
  );
}

function LastTick({ ticks }: { ticks: { status: string; timestamp: string }[] }) {
  const t = ticks[0];
  if (!t) return <span className="muted">never</span>;
  return (
    <span title={formatTimestamp(t.timestamp)}>
      <TickBadge status={t.status} /> <RelativeTime value={t.timestamp} />
    </span>
  );
}

function NextTick({ at }: { at: string | null }) {
  if (!at) return <span className="muted">—</span>;
  return (
    <span title={formatTimestamp(at)} data-testid="next-tick">
      {formatTimestamp(at)} (<RelativeTime value={at} />)
    </span>
  );
}

function NameLink({ name }: { name: string }) {
  return (
    <Link to={automationPath(name)} className="mono" data-testid="instigator-link">
      {name}
    </Link>
  );
}

export function AutomationPage() {
  const { search } = useLocation();
  const name = search.get('name');
  const [cursor, setCursor] = useState<string | null>(null);
  const [hideSkipped, setHideSkipped] = useState(false);
  const statuses = hideSkipped ? ['SUCCESS', 'FAILURE'] : null;
  const { data, error, loading, refetch } = useQuery<AutomationData>(
    AUTOMATION_QUERY,
    { name, limit: TICKS_PAGE, cursor, statuses },
    { pollMs: cursor ? undefined : 3000 },
  );
  const changed = () => void refetch();
  return (
    <div className="page automation-page" data-testid="automation-page">
      <header className="page-header">
        <h1>Automation</h1>
      </header>
      {error && <ErrorBox error={error} title="Could not load the automation" />}
      {loading && !data && <Loading label="Loading schedules and sensors…" />}
      {data && (
        <>
          <DaemonState daemon={data.daemon} />
          <section className="card flush">
            <h2 className="card-title">Schedules</h2>
            {data.schedules.length === 0 ? (
              <Empty>No schedules: add Definitions(schedules=[Schedule(...)]).</Empty>
            ) : (
              <table className="table" data-testid="schedules-table">
                <thead>
                  <tr><th>On</th><th>Name</th><th>Cron</th><th>Selection</th><th>Next tick</th><th>Last tick</th></tr>
                </thead>
                <tbody>
                  {data.schedules.map((s) => (
                    <tr key={s.name} data-testid={`schedule-${s.name}`} data-status={s.status}>
                      <td><Toggle kind="schedule" name={s.name} status={s.status} onChanged={changed} /></td>
                      <td><NameLink name={s.name} /></td>
                      <td><code>{s.cron}</code> <span className="muted small">{s.timezone}</span></td>
                      <td className="ellipsis" title={s.select}>
                        <code>{s.select}</code>
                        {s.partition && <span className="muted small"> · {s.partition}</span>}
                      </td>
                      <td><NextTick at={s.nextTickAt} /></td>
                      <td><LastTick ticks={s.lastTicks} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card flush">
            <h2 className="card-title">Sensors</h2>
            {data.sensors.length === 0 ? (
              <Empty>No sensors: add Definitions(sensors=[...]).</Empty>
            ) : (
              <table className="table" data-testid="sensors-table">
                <thead>
                  <tr><th>On</th><th>Name</th><th>Every</th><th>Selection</th><th>Next tick</th><th>Last tick</th><th>Cursor</th></tr>
                </thead>
                <tbody>
                  {data.sensors.map((s) => (
                    <tr key={s.name} data-testid={`sensor-${s.name}`} data-status={s.status}>
                      <td><Toggle kind="sensor" name={s.name} status={s.status} onChanged={changed} /></td>
                      <td><NameLink name={s.name} /></td>
                      <td>{s.intervalS}s</td>
                      <td className="ellipsis">{s.select ? <code>{s.select}</code> : <span className="muted">any</span>}</td>
                      <td><NextTick at={s.nextTickAt} /></td>
                      <td><LastTick ticks={s.lastTicks} /></td>
                      <td className="ellipsis mono small" title={s.cursor ?? ''}>{s.cursor ?? <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <TickHistory
            ticks={data.ticks.ticks}
            name={name}
            hideSkipped={hideSkipped}
            onHideSkipped={(hide) => {
              setHideSkipped(hide);
              setCursor(null);
            }}
          />
          <nav className="pager" aria-label="Tick pages">
            <button type="button" className="button subtle" disabled={!cursor} onClick={() => setCursor(null)} data-testid="ticks-newest">
              ⟨ Newest
            </button>
            <button
              type="button"
              className="button subtle"
              disabled={!data.ticks.nextCursor}
              onClick={() => setCursor(data.ticks.nextCursor)}
              data-testid="ticks-next"
            >
              Older ›
            </button>
          </nav>
        </>
      )}
    </div>
  );
}

function DaemonState({ daemon }: { daemon: DaemonInfo }) {
  if (!daemon.running) {
    return (
      <div className="notice warn" role="status" data-testid="daemon-state" data-running="false">
        No daemon is running on this catalog: schedules, sensors and conditions do not tick, and queued runs
        wait. Start one with <code>assetline daemon</code> (or run <code>assetline dev</code> for local work).
      </div>
    );
  }
  return (
    <p className="muted small" data-testid="daemon-state" data-running="true">
      Daemon running{daemon.pid != null ? ` (pid ${daemon.pid}${daemon.host ? ` on ${daemon.host}` : ''})` : ''}
      {daemon.since && (
        <>
          {' '}since <RelativeTime value={daemon.since} />
        </>
      )}
      .
    </p>
  );
}

function TickHistory({ ticks, name, hideSkipped, onHideSkipped }: { ticks: Tick[]; name: string | null; hideSkipped: boolean; onHideSkipped: (hide: boolean) => void }) {
  return (
    <section className="card flush">
      <h2 className="card-title">
        Tick history{name ? ` of ${name}` : ''}
        {name && (
          <button type="button" className="button subtle small" onClick={() => navigate(automationPath())} data-testid="ticks-all">
            show all
          </button>
        )}
        <label className="inline-field small">
          <input type="checkbox" checked={hideSkipped} onChange={(e) => onHideSkipped(e.target.checked)} data-testid="hide-skipped" />
          <span>Hide skipped</span>
        </label>
      </h2>
      {ticks.length === 0 ? (
        <Empty>No ticks yet: run <code>assetline daemon</code> (or <code>assetline dev</code>).</Empty>
      ) : (
        <table className="table" data-testid="ticks-table">
          <thead>
            <tr><th>When</th><th>Name</th><th>Status</th><th>Reason or error</th><th>Runs launched</th></tr>
          </thead>
          <tbody>
            {ticks.map((t) => (
              <tr key={t.id} data-testid="tick-row" data-name={t.name}>
                <td title={formatTimestamp(t.timestamp)}><RelativeTime value={t.timestamp} /></td>
                <td>
                  <NameLink name={t.name} /> <span className="muted small">{t.kind}</span>
                </td>
                <td><TickBadge status={t.status} /></td>
                <td className={t.status === 'FAILURE' ? 'error-text' : ''} data-testid="tick-reason">
                  {(t.status === 'FAILURE' ? t.error : t.reason) ?? <span className="muted">—</span>}
                </td>
                <td>
                  {t.runs.length === 0 && <span className="muted">—</span>}
                  {t.runs.map((r) => (
                    <div key={r.id} className="tick-run" data-testid="tick-run">
                      <Link to={runPath(r.id)} className="mono">{r.id.slice(0, 8)}</Link> <RunStatusBadge status={r.status} />{' '}
                      <span className="muted small">{summarisePartitions(r.partitions)}</span>
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
