import { useMemo, useState } from 'react';
import { gql } from '../api/client';
import { MATERIALIZE_MUTATION, MATERIALIZE_TARGETS_QUERY } from '../api/queries';
import { runTracker } from '../api/runTracker';
import type { JSONValue, PartitionsDef } from '../api/types';
import { useQuery } from '../hooks/useQuery';
import { buildConfigTemplate, parseConfigText } from '../lib/config';
import { keysInRange, partitionsArgument } from '../lib/partitions';
import { runPath } from '../lib/router';
import { Dialog } from './Dialog';
import { ErrorBox, Loading } from './Feedback';
import { useToasts } from './Toasts';

interface Target {
  key: string;
  partitionsDef: PartitionsDef | null;
  configSchema: JSONValue | null;
}

interface Props {
  selection: string;
  /** what the user sees as the target ("3 assets", "orders") */
  label: string;
  onClose: () => void;
  onLaunched?: (runId: string) => void;
}

export function MaterializeDialog({ selection, label, onClose, onLaunched }: Props) {
  const { data, error, loading } = useQuery<{ assets: Target[] }>(MATERIALIZE_TARGETS_QUERY, { selection });
  return (
    <Dialog title={`Materialize ${label}`} onClose={onClose} testId="materialize-dialog">
      {loading && !data && <Loading />}
      {error && <ErrorBox error={error} testId="materialize-error" />}
      {data && <MaterializeForm selection={selection} targets={data.assets} onClose={onClose} onLaunched={onLaunched} />}
    </Dialog>
  );
}

type Mode = 'single' | 'range';

function MaterializeForm({ selection, targets, onClose, onLaunched }: { selection: string; targets: Target[]; onClose: () => void; onLaunched?: (runId: string) => void }) {
  const toasts = useToasts();
  const { partitioned, configured, template } = useMemo(() => {
    const configured = targets.filter((t) => t.configSchema !== null && t.configSchema !== undefined);
    return {
      partitioned: targets.filter((t) => t.partitionsDef),
      configured,
      template: JSON.stringify(buildConfigTemplate(configured), null, 2),
    };
  }, [targets]);
  const def = partitioned[0]?.partitionsDef ?? null;
  const keys = def?.keys ?? [];
  const mixedDefs = new Set(partitioned.map((t) => t.partitionsDef?.description)).size > 1;

  const [mode, setMode] = useState<Mode>('single');
  const [single, setSingle] = useState(keys[keys.length - 1] ?? '');
  const [from, setFrom] = useState(keys[Math.max(0, keys.length - 7)] ?? '');
  const [to, setTo] = useState(keys[keys.length - 1] ?? '');
  const [configText, setConfigText] = useState(template);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error>();

  let partitions: string[] | null = null;
  let partitionError: string | null = null;
  if (def) {
    if (mode === 'single') {
      if (!single.trim()) partitionError = 'Choose a partition';
      else partitions = [single.trim()];
    } else {
      try {
        partitions = keysInRange(keys, from.trim(), to.trim());
      } catch (e) {
        partitionError = e instanceof Error ? e.message : String(e);
      }
    }
  }
  const parsedConfig = configured.length ? parseConfigText(configText) : ({ ok: true, value: null } as const);
  const canSubmit = !submitting && !partitionError && parsedConfig.ok;

  const submit = async () => {
    if (!canSubmit) return;
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      const data = await gql<{ materialize: { id: string; status: string } }>(MATERIALIZE_MUTATION, {
        selection,
        ...partitionsArgument(partitions ?? []),
        config: parsedConfig.ok ? parsedConfig.value : null,
      });
      const run = data.materialize;
      runTracker.track(run.id);
      toasts.show({ kind: 'success', message: `Run ${run.id.slice(0, 8)} launched`, link: { to: runPath(run.id), label: 'View run' } });
      onLaunched?.(run.id);
      onClose();
    } catch (e) {
      setSubmitError(e instanceof Error ? e : new Error(String(e)));
      setSubmitting(false);
    }
  };

  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p className="muted">
        Selection: <code data-testid="materialize-selection">{selection}</code> ({targets.length} asset{targets.length === 1 ? '' : 's'})
      </p>

      {def && (
        <fieldset className="fieldset" data-testid="partition-picker">
          <legend>Partitions</legend>
          <p className="muted small">
            {def.description} · {def.total.toLocaleString()} partitions
            {keys.length < def.total ? ` (choices limited to the first ${keys.length.toLocaleString()})` : ''}
            {mixedDefs ? ' · selected assets have different partition definitions; keys come from ' + partitioned[0].key : ''}
          </p>
          <div className="segmented" role="radiogroup" aria-label="Partition mode">
            <label>
              <input type="radio" name="pmode" checked={mode === 'single'} onChange={() => setMode('single')} data-testid="partition-mode-single" /> Single
            </label>
            <label>
              <input type="radio" name="pmode" checked={mode === 'range'} onChange={() => setMode('range')} data-testid="partition-mode-range" /> Range
            </label>
          </div>
          <datalist id="partition-keys">
            {keys.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
          {mode === 'single' ? (
            <label className="field">
              <span>Partition</span>
              <input list="partition-keys" value={single} onChange={(e) => setSingle(e.target.value)} data-testid="partition-key" />
            </label>
          ) : (
            <div className="field-row">
              <label className="field">
                <span>From</span>
                <input list="partition-keys" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="partition-from" />
              </label>
              <label className="field">
                <span>To</span>
                <input list="partition-keys" value={to} onChange={(e) => setTo(e.target.value)} data-testid="partition-to" />
              </label>
            </div>
          )}
          {partitionError ? (
            <p className="field-error" data-testid="partition-error">{partitionError}</p>
          ) : (
            <p className="muted small" data-testid="partition-count">
              {partitions?.length ?? 0} partition{partitions?.length === 1 ? '' : 's'} selected
            </p>
          )}
        </fieldset>
      )}

      {configured.length > 0 && (
        <fieldset className="fieldset">
          <legend>Run config</legend>
          <p className="muted small">Prefilled with the defaults of {configured.map((c) => c.key).join(', ')}.</p>
          <textarea
            className="code-editor"
            spellCheck={false}
            rows={Math.min(16, Math.max(5, template.split('\n').length + 1))}
            value={configText}
            onChange={(e) => setConfigText(e.target.value)}
            data-testid="config-editor"
            aria-label="Run config (JSON)"
          />
          {!parsedConfig.ok && <p className="field-error" data-testid="config-error">{parsedConfig.error}</p>}
        </fieldset>
      )}

      {submitError && <ErrorBox error={submitError} testId="materialize-error" />}

      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={!canSubmit} data-testid="materialize-submit">
          {submitting ? 'Launching…' : 'Launch run'}
        </button>
      </div>
    </form>
  );
}
