import type { LineageNode } from '../api/types';
import { Link } from '../components/Link';
import { AssetStatusBadge } from '../components/StatusBadge';
import { useKeyed } from '../hooks/useKeyed';
import { assetPath, graphPath } from '../lib/router';
import { useGraphActions } from './GraphContext';

/** Rows drawn at most (a box selection can hold thousands of assets). */
const MAX_ROWS = 300;

function SelectedAsset({ node }: { node: LineageNode }) {
  const { live } = useGraphActions();
  const state = useKeyed(live, node.key);
  return (
    <li className="selection-row" data-testid={`selection-row-${node.key}`}>
      <Link to={assetPath(node.key)} className="selection-key">
        {node.key}
      </Link>
      <AssetStatusBadge status={state?.status ?? node.status} testId={`selection-status-${node.key}`} />
    </li>
  );
}

/** The side panel while several assets (or collapsed groups) are selected: all of them,
 * not only the last one clicked. */
export function SelectionSidePanel({
  nodes,
  groups,
  selection,
  onMaterialize,
  onClear,
}: {
  nodes: readonly LineageNode[];
  groups: readonly string[];
  selection: string;
  onMaterialize: () => void;
  onClear: () => void;
}) {
  const count = nodes.length + groups.length;
  return (
    <aside className="side-panel" data-testid="selection-panel" aria-label={`${count} selected`}>
      <header className="side-panel-header">
        <div>
          <div className="muted small">selection</div>
          <h2 className="side-panel-title" data-testid="selection-count">
            {count.toLocaleString()} selected
          </h2>
        </div>
        <button type="button" className="icon-button" aria-label="Clear the selection" onClick={onClear}>
          ×
        </button>
      </header>
      <div className="side-panel-body">
        <ul className="selection-list" data-testid="selection-list">
          {groups.map((g) => (
            <li key={`g:${g}`} className="selection-row">
              <span className="selection-key">group {g}</span>
            </li>
          ))}
          {nodes.slice(0, MAX_ROWS).map((n) => (
            <SelectedAsset key={n.key} node={n} />
          ))}
          {nodes.length > MAX_ROWS && <li className="muted small">… and {(nodes.length - MAX_ROWS).toLocaleString()} more</li>}
        </ul>
        <div className="side-panel-actions">
          <button type="button" className="button primary" onClick={onMaterialize} data-testid="selection-materialize">
            Materialize {count.toLocaleString()}
          </button>
          <Link to={graphPath(selection)} className="button subtle" data-testid="selection-show-only">
            Show only these
          </Link>
          <button type="button" className="button subtle" onClick={onClear}>
            Clear
          </button>
        </div>
      </div>
    </aside>
  );
}
