import { useEffect, useState } from 'react';
import { ASSET_AUTOMATION_QUERY, rangesText, type AssetAutomation } from '../api/automation';
import { useQuery } from '../hooks/useQuery';
import { runPath } from '../lib/router';
import { formatTimestamp } from '../lib/time';
import { ErrorBox } from './Feedback';
import { Link } from './Link';
import { RelativeTime } from './RelativeTime';

/** The asset's automation condition and why it did or did not run (its latest evaluations). */
export function AutomationPanel({ assetKey }: { assetKey: string }) {
  const [slow, setSlow] = useState(false);
  const { data, error } = useQuery<{ asset: { key: string; automation: AssetAutomation | null } | null }>(
    ASSET_AUTOMATION_QUERY,
    { key: assetKey },
    // an asset without a condition gets one only through a reload: look less often
    { pollMs: slow ? 30000 : 5000 },
  );
  const automation = data?.asset?.automation;
  useEffect(() => setSlow(data !== undefined && !automation), [data, automation]);
  if (error && !data) return <ErrorBox error={error} title="Could not load the automation condition" />;
  if (!automation) return null;
  return (
    <section className="card" data-testid="automation-panel">
      <h2>Automation</h2>
      <p>
        Condition: <code data-testid="automation-condition">{automation.condition}</code>
      </p>
      {automation.lastEvaluations.length === 0 ? (
        <p className="muted" data-testid="no-evaluations">
          Not evaluated yet: the daemon (<code>assetline daemon</code> or <code>assetline dev</code>) evaluates it.
        </p>
      ) : (
        <table className="table compact" data-testid="evaluations">
          <thead>
            <tr>
              <th>When</th>
              <th>Decision</th>
              <th>Partitions</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {automation.lastEvaluations.map((e, i) => (
              <tr key={i} data-testid="evaluation-row" data-requested={e.requested ? 'true' : 'false'}>
                <td title={formatTimestamp(e.timestamp)}>
                  <RelativeTime value={e.timestamp} />
                </td>
                <td>
                  {e.requested ? (
                    <span className="badge pass">requested</span>
                  ) : (
                    <span className="badge neutral">not requested</span>
                  )}
                  {e.runId && (
                    <>
                      {' '}
                      <Link to={runPath(e.runId)} className="mono">
                        {e.runId.slice(0, 8)}
                      </Link>
                    </>
                  )}
                </td>
                <td className="small">{rangesText(e.partitions, e.partitionCount) || '—'}</td>
                <td data-testid="evaluation-reason">{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
