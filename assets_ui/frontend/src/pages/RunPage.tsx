import { useMemo, useState } from 'react';
import { gql } from '../api/client';
import { CANCEL_RUN_MUTATION, REEXECUTE_RUN_MUTATION } from '../api/queries';
import { runTracker } from '../api/runTracker';
import type { JSONValue, RunEvent, StepError } from '../api/types';
import { ErrorBox, Loading } from '../components/Feedback';
import { Gantt } from '../components/Gantt';
import { Link } from '../components/Link';
import { LogView } from '../components/LogView';
import { RelativeTime } from '../components/RelativeTime';
import { RunStatusBadge, StepStatusBadge } from '../components/StatusBadge';
import { useToasts } from '../components/Toasts';
import { STEP_OUTPUT, stepOutputs } from '../lib/events';
import { stepId, stepsInStartOrder } from '../lib/gantt';
import { summarisePartitions } from '../lib/partitions';
import { assetPath, graphPath, navigate, runPath } from '../lib/router';
import { canCancel } from '../lib/status';
import { durationBetween, formatDuration, formatTimestamp } from '../lib/time';
import { useRunLive, type RunState } from './useRunLive';

export function RunPage({ runId }: { runId: string }) {
  const { run, events, error, streaming, refresh } = useRunLive(runId);
  if (run === undefined && !error) return <Loading label="Loading run…" />;
  if (run === undefined && error) return <ErrorBox error={error} title={`Could not load run ${runId}`} />;
  if (!run) {
    return (
      <div className="page" data-testid="run-not-found">
        <h1>Run not found</h1>
        <p>
          No run with id <code>{runId}</code>. <Link to="/runs">All runs</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="page run-page" data-testid="run-page">
      <RunHeader run={run} onChanged={refresh} />
      {error && <ErrorBox error={error} title="Refresh failed (showing the last data)" />}
      <section className="card">
        <h2>Timeline</h2>
        <Gantt steps={run.steps} startedAt={run.startedAt} endedAt={run.endedAt} />
      </section>
      <StepsSection run={run} />
      <LogSection events={events} live={streaming} />
    </div>
  );
}

/** The structured log, and beside it (a tab) each step's captured stdout/stderr, live. */
function LogSection({ events, live }: { events: readonly RunEvent[]; live: boolean }) {
  const [tab, setTab] = useState<'log' | 'output'>('log');
  const [picked, setPicked] = useState<string | null>(null);
  const structured = useMemo(() => events.filter((e) => e.type !== STEP_OUTPUT), [events]);
  const outputs = useMemo(() => stepOutputs(events), [events]);
  const steps = [...outputs.keys()];
  const step = picked !== null && outputs.has(picked) ? picked : (steps[0] ?? null);
  return (
    <section className="card">
      <div className="log-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'log'} className={`tab ${tab === 'log' ? 'active' : ''}`} onClick={() => setTab('log')} data-testid="log-tab">
          Log <span className="muted small">{structured.length} events</span>
        </button>
        <button type="button" role="tab" aria-selected={tab === 'output'} className={`tab ${tab === 'output' ? 'active' : ''}`} onClick={() => setTab('output')} data-testid="output-tab">
          Output <span className="muted small">{steps.length} steps</span>
        </button>
        {tab === 'output' && steps.length > 0 && (
          <select aria-label="Step" value={step ?? ''} onChange={(e) => setPicked(e.target.value)} data-testid="output-step">
            {steps.map((k) => (
              <option key={k} value={k}>{k}</option>
            ))}
          </select>
        )}
      </div>
      {tab === 'log' ? (
        <LogView events={structured} live={live} />
      ) : (
        <pre className="log step-output" data-testid="step-output">
          {step === null ? 'No step has written to stdout or stderr yet.' : outputs.get(step)}
        </pre>
      )}
    </section>
  );
}

function StepErrorCell({ error }: { error: StepError | null }) {
  if (!error) return null;
  return (
    <div data-testid="step-error">
      <pre className="error-message small">
        {error.location ? `at ${error.location}: ` : ''}
        {error.message}
      </pre>
      {error.traceback && (
        <details className="traceback" data-testid="step-traceback">
          <summary>Traceback</summary>
          <pre className="small">{error.traceback}</pre>
        </details>
      )}
    </div>
  );
}

function tagText(tags: JSONValue): string {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return '';
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function RunHeader({ run, onChanged }: { run: RunState; onChanged: () => Promise<void> }) {
  const toasts = useToasts();
  const [busy, setBusy] = useState<'cancel' | 'reexecute' | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);

  const cancel = async () => {
    setBusy('cancel');
    setActionError(null);
    try {
      await gql(CANCEL_RUN_MUTATION, { id: run.id });
      toasts.show({ kind: 'info', message: `Cancel requested for run ${run.id.slice(0, 8)}` });
      await onChanged();
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(null);
    }
  };

  const reexecute = async (fromFailure: boolean) => {
    setBusy('reexecute');
    setActionError(null);
    try {
      const data = await gql<{ reexecuteRun: { id: string } }>(REEXECUTE_RUN_MUTATION, { id: run.id, fromFailure });
      const id = data.reexecuteRun.id;
      runTracker.track(id);
      toasts.show({ kind: 'success', message: `Run ${id.slice(0, 8)} launched`, link: { to: runPath(id), label: 'View run' } });
      navigate(runPath(id));
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(null);
    }
  };

  const tags = tagText(run.tags);
  return (
    <>
      <header className="page-header">
        <div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link to="/runs">Runs</Link> / <span className="mono">{run.id.slice(0, 8)}</span>
          </nav>
          <h1>
            Run <span className="mono" data-testid="run-id">{run.id}</span>
          </h1>
          <div className="header-meta">
            <RunStatusBadge status={run.status} testId="run-status" />
            <span className="muted small">
              {run.startedAt ? (
                <>
                  started <RelativeTime value={run.startedAt} />
                </>
              ) : (
                'not started'
              )}
              {' · '}
              {formatDuration(durationBetween(run.startedAt, run.endedAt))}
            </span>
          </div>
        </div>
        <div className="header-actions">
          {canCancel(run.status) && (
            <button type="button" className="button danger" onClick={() => void cancel()} disabled={busy !== null} data-testid="cancel-run-button">
              {busy === 'cancel' ? 'Canceling…' : 'Cancel run'}
            </button>
          )}
          {run.status === 'FAILURE' && (
            <button type="button" className="button primary" onClick={() => void reexecute(true)} disabled={busy !== null} data-testid="reexecute-button">
              {busy === 'reexecute' ? 'Launching…' : 'Re-execute from failure'}
            </button>
          )}
          {(run.status === 'SUCCESS' || run.status === 'FAILURE' || run.status === 'CANCELED') && (
            <button type="button" className="button subtle" onClick={() => void reexecute(false)} disabled={busy !== null} data-testid="reexecute-all-button">
              Re-execute all
            </button>
          )}
        </div>
      </header>
      {actionError && <ErrorBox error={actionError} testId="run-action-error" />}
      <section className="card">
        <dl className="facts wide" data-testid="run-facts">
          <dt>Selection</dt>
          <dd>
            <Link to={graphPath(run.selection)}>
              <code data-testid="run-selection">{run.selection}</code>
            </Link>
          </dd>
          <dt>Partitions</dt>
          <dd data-testid="run-partitions">{summarisePartitions(run.partitions)}</dd>
          <dt>Started</dt>
          <dd>{formatTimestamp(run.startedAt)}</dd>
          <dt>Ended</dt>
          <dd>{formatTimestamp(run.endedAt)}</dd>
          <dt>Launched by</dt>
          <dd data-testid="run-launched-by">{run.launchedBy ?? '—'}</dd>
          {run.executor && (
            <>
              <dt>Executor</dt>
              <dd>{run.executor}</dd>
            </>
          )}
          {tags && (
            <>
              <dt>Tags</dt>
              <dd>{tags}</dd>
            </>
          )}
        </dl>
      </section>
    </>
  );
}

function StepsSection({ run }: { run: RunState }) {
  if (!run.steps.length) return null;
  return (
    <section className="card">
      <h2>Steps</h2>
      <div className="table-wrap">
        <table className="table" data-testid="steps-table">
          <thead>
            <tr>
              <th>Asset</th>
              <th>Partition</th>
              <th>Status</th>
              <th className="num">Attempts</th>
              <th className="num">Duration</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {stepsInStartOrder(run.steps).map((s) => (
              <tr key={stepId(s)} data-testid={`step-row-${stepId(s)}`}>
                <td><Link to={assetPath(s.asset)}>{s.asset}</Link></td>
                <td>{s.partition ?? '—'}</td>
                <td><StepStatusBadge status={s.status} testId="step-status" /></td>
                <td className="num">{s.attempts}</td>
                <td className="num">{formatDuration(s.durationS ?? durationBetween(s.startedAt, s.endedAt))}</td>
                <td><StepErrorCell error={s.error} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
