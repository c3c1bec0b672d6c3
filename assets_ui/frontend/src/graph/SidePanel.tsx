import { ASSET_SUMMARY_QUERY } from '../api/queries';
import type { Asset, AssetStatus, LineageNode } from '../api/types';
import { ErrorBox, Loading } from '../components/Feedback';
import { Link } from '../components/Link';
import { RelativeTime } from '../components/RelativeTime';
import { AssetStatusBadge } from '../components/StatusBadge';
import { useEffect, useRef } from 'react';
import { useKeyed } from '../hooks/useKeyed';
import { useQuery } from '../hooks/useQuery';
import { useGraphActions } from './GraphContext';
import { describeStaleReason } from '../lib/status';
import { assetPath, graphPath, runPath } from '../lib/router';
import { formatCompleteness } from '../lib/partitions';
import { ASSET_STATUSES } from '../api/types';
import { assetStatusMeta } from '../lib/status';


type Summary = Pick<Asset, 'key' | 'group' | 'kind' | 'description' | 'status' | 'staleReasons' | 'owners' | 'codeVersion' | 'latestMaterialization' | 'partitionStats' | 'partitionsDef'>;

export function AssetSidePanel({ node, onClose, onMaterialize }: { node: LineageNode; onClose: () => void; onMaterialize: (key: string) => void }) {
  const { data, error, loading, refetch } = useQuery<{ asset: Summary | null }>(ASSET_SUMMARY_QUERY, { key: node.key });
  const asset = data?.asset;
  // The node's live state (run events, polling) changes while the panel is open:
  // show its status and re-read the details when it changes.
  const { live } = useGraphActions();
  const liveState = useKeyed(live, node.key);
  const liveSignature = liveState
    ? `${liveState.status}|${liveState.lastMaterializedAt ?? ''}|${liveState.partitionStats?.materialized ?? ''}|${liveState.partitionStats?.failed ?? ''}`
    : '';
  const seenSignature = useRef(liveSignature);
  useEffect(() => {
    if (seenSignature.current === liveSignature) return;
    seenSignature.current = liveSignature;
    void refetch();
  }, [liveSignature, refetch]);
  return (
    <aside className="side-panel" data-testid="asset-panel" aria-label={`Asset ${node.key}`}>
      <header className="side-panel-header">
        <div>
          <div className="muted small">{node.group} · {node.kind}</div>
          <h2 className="side-panel-title" data-testid="panel-asset-key">{node.key}</h2>
        </div>
        <button type="button" className="icon-button" aria-label="Close panel" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="side-panel-body">
        <AssetStatusBadge status={liveState?.status ?? asset?.status ?? node.status} testId="panel-status" />
        {loading && !asset && <Loading />}
        {error && <ErrorBox error={error} />}
        {asset && (
          <>
            {asset.description && <p className="description">{asset.description}</p>}
            {asset.staleReasons.length > 0 && (
              <ul className="reasons">
                {asset.staleReasons.map((r, i) => (
                  <li key={i}>{describeStaleReason(r)}</li>
                ))}
              </ul>
            )}
            <dl className="facts">
              <dt>Last materialized</dt>
              <dd>
                {asset.latestMaterialization ? (
                  <>
                    <RelativeTime value={asset.latestMaterialization.timestamp} /> ·{' '}
                    <Link to={runPath(asset.latestMaterialization.runId)}>run {asset.latestMaterialization.runId.slice(0, 8)}</Link>
                  </>
                ) : (
                  'never'
                )}
              </dd>
              {asset.owners.length > 0 && (
                <>
                  <dt>Owners</dt>
                  <dd>{asset.owners.join(', ')}</dd>
                </>
              )}
              {asset.codeVersion && (
                <>
                  <dt>Code version</dt>
                  <dd><code>{asset.codeVersion}</code></dd>
                </>
              )}
              {asset.partitionStats && (
                <>
                  <dt>Partitions</dt>
                  <dd>{formatCompleteness(asset.partitionStats)}</dd>
                </>
              )}
            </dl>
          </>
        )}
        <div className="side-panel-actions">
          <Link to={assetPath(node.key)} className="button" data-testid="open-asset-link">
            Open asset page
          </Link>
          <button type="button" className="button primary" onClick={() => onMaterialize(node.key)} data-testid="panel-materialize-button">
            Materialize
          </button>
        </div>
      </div>
    </aside>
  );
}

export function GroupSidePanel({ name, members, onClose, onToggle, collapsed }: { name: string; members: readonly { status: AssetStatus }[]; collapsed: boolean; onClose: () => void; onToggle: () => void }) {
  const counts = new Map<AssetStatus, number>();
  for (const m of members) counts.set(m.status, (counts.get(m.status) ?? 0) + 1);
  return (
    <aside className="side-panel" data-testid="group-panel" aria-label={`Group ${name}`}>
      <header className="side-panel-header">
        <div>
          <div className="muted small">group</div>
          <h2 className="side-panel-title">{name}</h2>
        </div>
        <button type="button" className="icon-button" aria-label="Close panel" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="side-panel-body">
        <p>{members.length.toLocaleString()} assets</p>
        <ul className="status-counts">
          {ASSET_STATUSES.filter((s) => counts.get(s)).map((s) => (
            <li key={s}>
              <span className="badge-dot" style={{ background: assetStatusMeta(s).color }} /> {counts.get(s)} {assetStatusMeta(s).label.toLowerCase()}
            </li>
          ))}
        </ul>
        <div className="side-panel-actions">
          <button type="button" className="button" onClick={onToggle}>
            {collapsed ? 'Expand group' : 'Collapse group'}
          </button>
          <Link to={graphPath(`group:${name}`)} className="button subtle">
            Show only this group
          </Link>
        </div>
      </div>
    </aside>
  );
}
