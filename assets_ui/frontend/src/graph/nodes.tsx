import { Handle, Position, useStore, type NodeProps, type ReactFlowState } from '@xyflow/react';
import { memo, type MouseEvent } from 'react';
import type { AssetStatus } from '../api/types';
import { CompletenessBar } from '../components/PartitionBars';
import { useKeyed } from '../hooks/useKeyed';
import { useNow } from '../hooks/useNow';
import { ASSET_STATUSES } from '../api/types';
import { assetStatusMeta, worstStatus } from '../lib/status';
import { formatRelative } from '../lib/time';
import type { AssetFlowNode, CollapsedGroupFlowNode, GroupBoxFlowNode, GroupNodeData } from './flowElements';
import { useGraphActions } from './GraphContext';

function LastTime({ value }: { value: string | null }) {
  const now = useNow();
  return <span className="asset-node-time">{value ? formatRelative(value, now) : 'never'}</span>;
}

/** Below this zoom text is unreadable: nodes draw as plain coloured cards (much cheaper). */
export const LITE_ZOOM = 0.35;
const liteSelector = (s: ReactFlowState) => s.transform[2] < LITE_ZOOM;

function splitKey(key: string): [string, string] {
  const i = key.lastIndexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i + 1), key.slice(i + 1)];
}

function AssetNodeView({ data, selected }: NodeProps<AssetFlowNode>) {
  const { live } = useGraphActions();
  const state = useKeyed(live, data.key);
  const lite = useStore(liteSelector);
  const status: AssetStatus = state?.status ?? data.status;
  const meta = assetStatusMeta(status);
  const running = state?.running ?? false;
  if (lite) {
    return (
      <div
        className={`asset-node lite${selected ? ' selected' : ''}${running ? ' running' : ''}`}
        style={{ borderColor: meta.color, background: meta.background }}
        data-testid={`graph-node-${data.key}`}
        data-status={status}
        data-selected={selected ? 'true' : 'false'}
        title={`${data.key} — ${meta.label}`}
      >
        <Handle type="target" position={Position.Left} isConnectable={false} />
        <span className="asset-node-lite-key">{splitKey(data.key)[1]}</span>
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
  const [prefix, name] = splitKey(data.key);
  return (
    <div
      className={`asset-node${selected ? ' selected' : ''}${running ? ' running' : ''}`}
      style={{ borderColor: meta.color, ['--status-color' as string]: meta.color, ['--status-bg' as string]: meta.background }}
      data-testid={`graph-node-${data.key}`}
      data-status={status}
      data-selected={selected ? 'true' : 'false'}
      title={`${data.key} — ${meta.label}${running ? ' (running)' : ''}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="asset-node-head">
        <span className="asset-node-key">
          {prefix && <span className="asset-node-prefix">{prefix}</span>}
          <span className="asset-node-name">{name}</span>
        </span>
        <span className="kind-badge">{data.kind}</span>
      </div>
      <div className="asset-node-meta">
        <span className="status-pill">
          <span className="badge-dot" />
          {running ? 'Running' : meta.label}
        </span>
        <LastTime value={state?.lastMaterializedAt ?? null} />
      </div>
      {state?.partitionStats && state.partitionStats.total > 0 && <CompletenessBar stats={state.partitionStats} />}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const AssetNode = memo(AssetNodeView);

function StatusStack({ counts, total }: { counts: GroupNodeData['counts']; total: number }) {
  return (
    <div className="status-stack" aria-hidden="true">
      {ASSET_STATUSES.map((s) => {
        const n = counts[s] ?? 0;
        return n ? <span key={s} style={{ width: `${(n / Math.max(1, total)) * 100}%`, background: assetStatusMeta(s).color }} title={`${n} ${assetStatusMeta(s).label}`} /> : null;
      })}
    </div>
  );
}

function GroupBoxView({ data }: NodeProps<GroupBoxFlowNode>) {
  const { toggleGroup } = useGraphActions();
  const onToggle = (e: MouseEvent) => {
    e.stopPropagation();
    toggleGroup(data.name);
  };
  return (
    <div className="group-box" data-testid={`graph-group-box-${data.name}`}>
      <div className="group-box-header">
        <button type="button" className="group-toggle nodrag" onClick={onToggle} aria-label={`Collapse group ${data.name}`} data-testid={`group-toggle-${data.name}`}>
          ▾
        </button>
        <span className="group-name">{data.name}</span>
        <span className="group-count">{data.count}</span>
      </div>
    </div>
  );
}

export const GroupBoxNode = memo(GroupBoxView);

function CollapsedGroupView({ data, selected }: NodeProps<CollapsedGroupFlowNode>) {
  const { toggleGroup } = useGraphActions();
  const worst = worstStatus(Object.keys(data.counts) as AssetStatus[]);
  const meta = assetStatusMeta(worst);
  return (
    <div
      className={`collapsed-group${selected ? ' selected' : ''}`}
      style={{ borderColor: meta.color }}
      data-testid={`graph-group-${data.name}`}
      data-selected={selected ? 'true' : 'false'}
      title={`Group ${data.name}: ${data.count} assets (double-click to expand)`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="collapsed-group-head">
        <button
          type="button"
          className="group-toggle nodrag"
          onClick={(e) => {
            e.stopPropagation();
            toggleGroup(data.name);
          }}
          aria-label={`Expand group ${data.name}`}
          data-testid={`group-toggle-${data.name}`}
        >
          ▸
        </button>
        <span className="group-name">{data.name}</span>
      </div>
      <div className="collapsed-group-meta">{data.count.toLocaleString()} assets</div>
      <StatusStack counts={data.counts} total={data.count} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const CollapsedGroupNode = memo(CollapsedGroupView);

export const nodeTypes = {
  asset: AssetNode,
  groupBox: GroupBoxNode,
  collapsedGroup: CollapsedGroupNode,
};
