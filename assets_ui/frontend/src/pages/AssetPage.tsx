import { useCallback, useEffect, useRef, useState } from 'react';
import { ASSET_PAGE_QUERY } from '../api/queries';
import type { Asset, AssetRef, Check, CheckResult, ColumnSource, JSONValue, Materialization } from '../api/types';
import { AssetMetadataSection } from '../components/AssetMetadata';
import { Empty, ErrorBox, Loading } from '../components/Feedback';
import { Link } from '../components/Link';
import { MaterializeDialog } from '../components/MaterializeDialog';
import { PartitionStrip } from '../components/PartitionBars';
import { RelativeTime } from '../components/RelativeTime';
import { RowCountChart } from '../components/RowCountChart';
import { AssetStatusBadge } from '../components/StatusBadge';
import { AutomationPanel } from '../components/AutomationPanel';
import { useActiveRuns } from '../hooks/useActiveRuns';
import { useQuery } from '../hooks/useQuery';
import { ColumnLineageView } from '../lineage/ColumnLineageView';
import { metadataNumber } from '../lib/chart';
import { isNotFound } from '../lib/graphql';
import { assetPath, graphPath, runPath } from '../lib/router';
import { selectionFor } from '../lib/selection';
import { assetStatusColor, describeStaleReason } from '../lib/status';
import { formatDuration, formatTimestamp } from '../lib/time';

export function AssetPage({ assetKey }: { assetKey: string }) {
  const [dialog, setDialog] = useState(false);
  const refetchRef = useRef<(() => Promise<void>) | null>(null);
  // refetch when a run launched from this tab ends; poll faster while one is active
  const onRunEnd = useCallback(() => void refetchRef.current?.(), []);
  const active = useActiveRuns(onRunEnd);
  const { data, error, loading, refetch } = useQuery<{ asset: Asset | null }>(
    ASSET_PAGE_QUERY,
    { key: assetKey },
    { pollMs: active > 0 ? 3000 : 15000 },
  );
  useEffect(() => {
    refetchRef.current = refetch;
  }, [refetch]);

  const notFound = isNotFound(error);
  if (loading && !data) return <Loading label="Loading asset…" />;
  if (error && !data && !notFound) return <ErrorBox error={error} title={`Could not load ${assetKey}`} />;
  const asset = notFound ? null : data?.asset;
  if (!asset) {
    return (
      <div className="page" data-testid="asset-not-found">
        <h1>Asset not found</h1>
        <p>
          No asset with key <code>{assetKey}</code>. <Link to="/">Back to the graph</Link>
        </p>
        {notFound && <p className="muted" data-testid="not-found-message">{error.message}</p>}
      </div>
    );
  }
  return (
    <div className="page asset-page" data-testid="asset-page">
      <AssetHeader asset={asset} onMaterialize={() => setDialog(true)} />
      {error && <ErrorBox error={error} title="Refresh failed (showing the last data)" />}
      <div className="asset-grid">
        <div className="asset-main">
          <StatusSection asset={asset} />
          {!asset.removed && <AutomationPanel assetKey={asset.key} />}
          {asset.partitionStats && (
            <section className="card">
              <h2>Partitions</h2>
              <PartitionStrip stats={asset.partitionStats} keys={asset.partitionsDef?.keys ?? []} />
              {asset.partitionsDef && <p className="muted small">{asset.partitionsDef.description}</p>}
            </section>
          )}
          <section className="card">
            <h2>Row count</h2>
            <RowCountChart materializations={asset.materializations} />
          </section>
          <MaterializationsSection materializations={asset.materializations} />
          <ChecksSection checks={asset.checks} />
          <AssetMetadataSection metadata={asset.metadata} />
          {(asset.columns.length > 0 || asset.columnLineage.length > 0) && <ColumnsSection asset={asset} />}
          {!asset.removed && columnNames(asset).length > 0 && (
            <ColumnLineageView assetKey={asset.key} columns={columnNames(asset)} />
          )}
        </div>
        <div className="asset-side">
          <FactsSection asset={asset} />
          <RelatedList title="Upstream" items={asset.upstream} testId="upstream-list" />
          <RelatedList title="Downstream" items={asset.downstream} testId="downstream-list" />
        </div>
      </div>
      {dialog && <MaterializeDialog selection={selectionFor([asset.key])} label={asset.key} onClose={() => setDialog(false)} />}
    </div>
  );
}

function AssetHeader({ asset, onMaterialize }: { asset: Asset; onMaterialize: () => void }) {
  return (
    <header className="page-header">
      <div>
        <nav className="breadcrumbs" aria-label="Breadcrumbs">
          <Link to="/">Assets</Link> / <Link to={graphPath(`group:${asset.group}`)}>{asset.group}</Link>
        </nav>
        <h1 data-testid="asset-title">{asset.key}</h1>
        {asset.description && <p className="description asset-description" data-testid="asset-description">{asset.description}</p>}
        <div className="header-meta">
          <AssetStatusBadge status={asset.status} testId="asset-status" />
          <span className="kind-badge">{asset.kind}</span>
          {asset.removed && (
            <span className="kind-badge removed-badge" data-testid="asset-removed" title="No longer in the code: shown as the latest definitions snapshot had it">
              removed
            </span>
          )}
          {asset.partitionsDef && <span className="chip static">{asset.partitionsDef.kind} partitions</span>}
        </div>
      </div>
      <div className="header-actions">
        <Link to={graphPath(`+${selectionFor([asset.key])}+`)} className="button subtle" data-testid="show-in-graph">
          Show in graph
        </Link>
        {!asset.removed && (
          <button type="button" className="button primary" onClick={onMaterialize} data-testid="asset-materialize-button">
            Materialize
          </button>
        )}
      </div>
    </header>
  );
}

function StatusSection({ asset }: { asset: Asset }) {
  return (
    <section className="card">
      <h2>Status</h2>
      {asset.staleReasons.length > 0 ? (
        <>
          <p className="muted small">Why it is {asset.status === 'FRESH' ? 'flagged' : asset.status.toLowerCase().replace('_', ' ')}:</p>
          <ul className="reasons" data-testid="asset-stale-reasons">
            {asset.staleReasons.map((r, i) => (
              <li key={i}>{describeStaleReason(r)}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted" data-testid="asset-stale-reasons">
          {asset.status === 'FRESH' ? 'Up to date.' : asset.status === 'MISSING' ? 'Never materialized.' : 'No reasons reported.'}
        </p>
      )}
      {asset.freshness && (
        <p className="small">
          Freshness: allowed lag {formatDuration(asset.freshness.maxLagS)}, current lag {formatDuration(asset.freshness.lagS)}
          {asset.freshness.overdue ? <strong className="text-overdue"> — overdue</strong> : ''}
        </p>
      )}
    </section>
  );
}

function tagEntries(tags: JSONValue): [string, string][] {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return [];
  return Object.entries(tags).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

function FactsSection({ asset }: { asset: Asset }) {
  const latest = asset.latestMaterialization;
  const tags = tagEntries(asset.tags);
  return (
    <section className="card">
      <h2>About</h2>
      <dl className="facts">
        <dt>Key</dt>
        <dd><code>{asset.path.join(' / ') || asset.key}</code></dd>
        <dt>Group</dt>
        <dd>{asset.group}</dd>
        <dt>Kind</dt>
        <dd>{asset.kind}</dd>
        <dt>Owners</dt>
        <dd data-testid="asset-owners">{asset.owners.length ? asset.owners.join(', ') : <span className="muted">none</span>}</dd>
        <dt>Tags</dt>
        <dd data-testid="asset-tags">
          {tags.length ? tags.map(([k, v]) => <span key={k} className="chip static">{k}={v}</span>) : <span className="muted">none</span>}
        </dd>
        <dt>Code version</dt>
        <dd><code data-testid="asset-code-version">{asset.codeVersion ?? '—'}</code></dd>
        <dt>Data version</dt>
        <dd><code data-testid="asset-data-version">{latest?.dataVersion ?? '—'}</code></dd>
        <dt>Last materialized</dt>
        <dd>
          {latest ? (
            <>
              <RelativeTime value={latest.timestamp} /> · <Link to={runPath(latest.runId)}>run {latest.runId.slice(0, 8)}</Link>
            </>
          ) : (
            'never'
          )}
        </dd>
      </dl>
    </section>
  );
}

function MaterializationsSection({ materializations }: { materializations: Materialization[] }) {
  return (
    <section className="card">
      <h2>Materializations</h2>
      {materializations.length === 0 ? (
        <Empty>Never materialized.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="materializations-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Run</th>
                <th>Partition</th>
                <th>Data version</th>
                <th className="num">Rows</th>
              </tr>
            </thead>
            <tbody>
              {materializations.map((m) => {
                const rows = metadataNumber(m.metadata);
                return (
                  <tr key={m.id} data-testid="materialization-row">
                    <td title={m.timestamp}>{formatTimestamp(m.timestamp)}</td>
                    <td><Link to={runPath(m.runId)}>{m.runId.slice(0, 8)}</Link></td>
                    <td>{m.partition ?? <span className="muted">—</span>}</td>
                    <td><code>{m.dataVersion ? m.dataVersion.slice(0, 12) : '—'}</code></td>
                    <td className="num">{rows === null ? '—' : rows.toLocaleString()}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CheckResultBadge({ result }: { result: CheckResult | null }) {
  if (!result) return <span className="badge neutral">not run</span>;
  return (
    <span className={`badge ${result.passed ? 'pass' : 'fail'}`} title={result.error ?? undefined}>
      {result.passed ? 'passed' : result.status.toLowerCase() || 'failed'}
    </span>
  );
}

function metadataSummary(metadata: JSONValue): string {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return '';
  return Object.entries(metadata)
    .slice(0, 4)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

function ChecksSection({ checks }: { checks: Check[] }) {
  return (
    <section className="card">
      <h2>Checks</h2>
      {checks.length === 0 ? (
        <Empty>No checks defined.</Empty>
      ) : (
        <ul className="checks" data-testid="checks-list">
          {checks.map((c) => (
            <li key={c.name} className="check" data-testid={`check-${c.name}`}>
              <details>
                <summary>
                  <CheckResultBadge result={c.lastResult} />
                  <strong>{c.name}</strong>
                  <span className="muted small">
                    {c.severity}
                    {c.blocking ? ' · blocking' : ''}
                  </span>
                  {c.lastResult && <RelativeTime value={c.lastResult.timestamp} />}
                </summary>
                {c.description && <p className="small">{c.description}</p>}
                {c.lastResult?.error && <pre className="error-message small">{c.lastResult.error}</pre>}
                {c.history.length > 0 ? (
                  <table className="table compact">
                    <thead>
                      <tr>
                        <th>Time</th>
                        <th>Result</th>
                        <th>Partition</th>
                        <th>Run</th>
                        <th>Details</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.history.map((h, i) => (
                        <tr key={i}>
                          <td>{formatTimestamp(h.timestamp)}</td>
                          <td><CheckResultBadge result={h} /></td>
                          <td>{h.partition ?? '—'}</td>
                          <td>{h.runId ? <Link to={runPath(h.runId)}>{h.runId.slice(0, 8)}</Link> : '—'}</td>
                          <td className="small">{h.error ?? metadataSummary(h.metadata)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : (
                  <p className="muted small">No history yet.</p>
                )}
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function columnNames(asset: Asset): string[] {
  return asset.columns.length ? asset.columns.map((c) => c.name) : asset.columnLineage.map((c) => c.column);
}

function SourceList({ sources }: { sources: ColumnSource[] }) {
  return (
    <>
      {sources.map((src, i) => (
        <span key={i} className="col-ref">
          <Link to={assetPath(src.asset)}>{src.asset}</Link>.<code>{src.column}</code>
          <span className="source-subtype">{src.subtype.toLowerCase().replace('_', ' ')}</span>
        </span>
      ))}
    </>
  );
}

function ColumnsSection({ asset }: { asset: Asset }) {
  const lineageByColumn = new Map(asset.columnLineage.map((c) => [c.column, c]));
  const names = columnNames(asset);
  const types = new Map(asset.columns.map((c) => [c.name, c.type]));
  return (
    <section className="card">
      <h2>Columns</h2>
      <table className="table" data-testid="columns-table">
        <thead>
          <tr>
            <th>Column</th>
            <th>Type</th>
            <th>Derived from</th>
            <th>Depends on (rows, order, conditions)</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr key={name} data-testid={`column-${name}`}>
              <td><code>{name}</code></td>
              <td className="muted">{types.get(name) ?? '—'}</td>
              <td><SourceList sources={lineageByColumn.get(name)?.sources ?? []} /></td>
              <td className="small"><SourceList sources={lineageByColumn.get(name)?.indirect ?? []} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RelatedList({ title, items, testId }: { title: string; items: AssetRef[]; testId: string }) {
  return (
    <section className="card">
      <h2>
        {title} <span className="muted small">{items.length}</span>
      </h2>
      {items.length === 0 ? (
        <p className="muted small">None</p>
      ) : (
        <ul className="related" data-testid={testId}>
          {items.map((a) => (
            <li key={a.key}>
              <span className="badge-dot" style={{ background: assetStatusColor(a.status) }} title={a.status} />
              <Link to={assetPath(a.key)}>{a.key}</Link>
              {a.kind && <span className="kind-badge small">{a.kind}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
