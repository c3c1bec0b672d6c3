import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  SelectionMode,
  applyNodeChanges,
  useReactFlow,
  type Node,
  type NodeChange,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import type { LineageNode } from '../api/types';
import { ASSET_STATUSES } from '../api/types';
import { ErrorBox, Loading } from '../components/Feedback';
import { MaterializeDialog } from '../components/MaterializeDialog';
import { FilterBar } from '../graph/FilterBar';
import { buildFlowEdges, buildFlowNodes, preserveSelection, type FlowNode } from '../graph/flowElements';
import { GraphContext, sameLive, type AssetLive, type GraphActions } from '../graph/GraphContext';
import { assetNodeId, buildVisibleModel, DEFAULT_COLLAPSE_THRESHOLD, displayEdges, groupFromNodeId, keyFromNodeId, groupAssets } from '../graph/model';
import { NodeMenu, type NodeMenuAction, type NodeMenuState } from '../graph/NodeMenu';
import { nodeTypes } from '../graph/nodes';
import { related } from '../graph/related';
import { SelectionSidePanel } from '../graph/SelectionPanel';
import { AssetSidePanel, GroupSidePanel } from '../graph/SidePanel';
import { useKeepInView } from '../graph/useKeepInView';
import { useGraphLayout } from '../graph/useGraphLayout';
import { useLineage } from '../graph/useLineage';
import { useLiveAssets } from '../graph/useLiveAssets';
import { useLocation } from '../hooks/useLocation';
import { createKeyedStore } from '../lib/keyedStore';
import { GraphQLRequestError } from '../lib/graphql';
import { graphPath, graphSearchPath, navigate, assetPath } from '../lib/router';
import { graphFilter, selectionFor, type GraphFilter } from '../lib/selection';
import { assetStatusColor, assetStatusMeta } from '../lib/status';

/** Above this many drawn nodes the first view is not zoomed to fit (keeps the first render small). */
const FIT_ALL_MAX_NODES = 400;
const LARGE_GRAPH_ZOOM = 0.6;

type Focus = { type: 'asset'; key: string } | { type: 'group'; name: string } | null;

export function GraphPage() {
  return (
    <ReactFlowProvider>
      <GraphCanvas />
    </ReactFlowProvider>
  );
}

function GraphCanvas() {
  const { search } = useLocation();
  // ?search=<word> (free text typed in the filter box) or ?select=<selection>
  const searchText = search.get('search');
  const selectText = search.get('select') ?? '';
  const filter: GraphFilter = useMemo(
    () => (searchText ? { kind: 'search', text: searchText } : { kind: 'selection', text: selectText }),
    [searchText, selectText],
  );
  const [reloadToken, setReloadToken] = useState(0);
  const { lineage, error, loading, shownFor } = useLineage(filter, reloadToken);
  const live = useMemo(() => createKeyedStore<AssetLive>(sameLive), []);
  useLiveAssets(live, shownFor ?? filter, lineage !== null);

  // Collapsing: above the threshold every group starts collapsed; the user's choices override.
  const [overrides, setOverrides] = useState<Map<string, boolean>>(new Map());
  const large = (lineage?.nodes.length ?? 0) > DEFAULT_COLLAPSE_THRESHOLD;
  const groups = useMemo(() => (lineage ? groupAssets(lineage.nodes) : new Map<string, LineageNode[]>()), [lineage]);
  const collapsed = useMemo(() => {
    const set = new Set<string>();
    for (const g of groups.keys()) if (overrides.get(g) ?? large) set.add(g);
    return set;
  }, [groups, overrides, large]);
  const toggleGroup = useCallback(
    (group: string) => setOverrides((prev) => new Map(prev).set(group, !collapsed.has(group))),
    [collapsed],
  );
  const setAllCollapsed = (value: boolean) => setOverrides(new Map([...groups.keys()].map((g) => [g, value])));

  const model = useMemo(() => (lineage ? buildVisibleModel(lineage.nodes, lineage.edges, collapsed) : null), [lineage, collapsed]);
  const { layout, layingOut } = useGraphLayout(model);
  const shownEdges = useMemo(
    () => (model ? displayEdges(model.edges, model.assets.length + model.groups.filter((g) => g.collapsed).length) : { edges: [], hidden: 0 }),
    [model],
  );
  const flowEdges = useMemo(() => (layout ? buildFlowEdges(shownEdges.edges) : []), [shownEdges, layout]);

  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const selectedIds = useRef<Set<string>>(new Set());
  useEffect(() => {
    if (!model || !layout) return;
    setNodes(preserveSelection(buildFlowNodes(model, layout.positions), selectedIds.current));
  }, [model, layout]);
  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => setNodes((ns) => applyNodeChanges(changes, ns)), []);

  const [selectedKeys, setSelectedKeys] = useState<string[]>([]);
  const [selectedGroups, setSelectedGroups] = useState<string[]>([]);
  const onSelectionChange = useCallback(({ nodes: sel }: OnSelectionChangeParams) => {
    selectedIds.current = new Set(sel.map((n) => n.id));
    setSelectedKeys(sel.map((n) => keyFromNodeId(n.id)).filter((k): k is string => k !== null));
    setSelectedGroups(sel.map((n) => (n.type === 'collapsedGroup' ? groupFromNodeId(n.id) : null)).filter((g): g is string => g !== null));
  }, []);

  const [focus, setFocus] = useState<Focus>(null);
  const [dialog, setDialog] = useState<{ selection: string; label: string } | null>(null);
  const [boxSelect, setBoxSelect] = useState(false);

  // Zoom to fit whenever a new layout arrives, unless the user already moved the view.
  const flow = useReactFlow();
  const userMoved = useRef(false);
  // Set once the first layout's nodes are drawn and the view placed on them
  // (data-view-ready on the canvas: what tests and the ui_2000 bench wait for).
  const [viewReady, setViewReady] = useState(false);
  const lastSignature = useRef<string | null>(null);
  useEffect(() => {
    if (!layout || nodes.length === 0) return;
    const structural = lastSignature.current?.split('#')[0] !== layout.signature;
    const key = `${layout.signature}#${layout.engine}`;
    if (key === lastSignature.current) return;
    lastSignature.current = key;
    if (structural) userMoved.current = false;
    if (userMoved.current) return;
    requestAnimationFrame(() => {
      if (nodes.length <= FIT_ALL_MAX_NODES) {
        void flow.fitView({ padding: 0.08, duration: 0, maxZoom: 1 });
      } else {
        // Big graphs open at a readable zoom on their upstream (left) end: only the
        // visible part is rendered (onlyRenderVisibleElements); "fit view" shows all.
        void flow.setViewport({ x: 24, y: 24, zoom: LARGE_GRAPH_ZOOM }, { duration: 0 });
      }
      setViewReady(true);
    });
  }, [layout, nodes.length, flow]);

  const actions: GraphActions = useMemo(() => ({ live, toggleGroup }), [live, toggleGroup]);
  const nodeByKey = useMemo(() => new Map((lineage?.nodes ?? []).map((n) => [n.key, n])), [lineage]);

  const onNodeClick = useCallback((event: ReactMouseEvent, node: Node) => {
    // A plain click on one of several selected nodes selects it alone (xyflow would
    // keep them all selected).
    if (!(event.shiftKey || event.metaKey || event.ctrlKey) && node.selected && selectedIds.current.size > 1) {
      selectedIds.current = new Set([node.id]);
      setNodes((ns) => ns.map((n) => (Boolean(n.selected) === (n.id === node.id) ? n : ({ ...n, selected: n.id === node.id } as FlowNode))));
    }
    const key = keyFromNodeId(node.id);
    if (key) setFocus({ type: 'asset', key });
    else if (node.type === 'collapsedGroup') setFocus({ type: 'group', name: groupFromNodeId(node.id) ?? '' });
  }, []);
  const onNodeDoubleClick = useCallback(
    (_: unknown, node: Node) => {
      const key = keyFromNodeId(node.id);
      if (key) navigate(assetPath(key));
      else if (node.type === 'collapsedGroup') toggleGroup(groupFromNodeId(node.id) ?? '');
    },
    [toggleGroup],
  );

  // The minimap draws from a colour callback: a new callback (at most every 250 ms)
  // when live statuses change makes it redraw in the new colours.
  const [liveVersion, setLiveVersion] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = live.subscribeAll(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setLiveVersion(live.version());
      }, 250);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [live]);
  const minimapColor = useCallback(
    (node: Node) => {
      const key = keyFromNodeId(node.id);
      if (key) return assetStatusColor(live.get(key)?.status ?? nodeByKey.get(key)?.status);
      return node.type === 'collapsedGroup' ? '#c3cad6' : 'transparent';
    },
    [live, nodeByKey, liveVersion], // liveVersion: a new function when statuses change
  );

  const applyFilter = (text: string) => {
    const f = graphFilter(text);
    navigate(f.kind === 'search' ? graphSearchPath(f.text) : graphPath(f.text));
  };
  const selectionExpr = selectionFor(selectedKeys, selectedGroups);
  const selectedCount = selectedKeys.length + selectedGroups.length;

  // Select assets from code (the node menu): groups holding some of them that are
  // collapsed open, so every one is drawn and selected.
  const selectAssets = useCallback(
    (keys: readonly string[]) => {
      const ids = new Set(keys.map(assetNodeId));
      selectedIds.current = ids;
      const closed = new Set(keys.map((k) => nodeByKey.get(k)?.group ?? '').filter((g) => collapsed.has(g)));
      if (closed.size) setOverrides((prev) => new Map([...prev, ...[...closed].map((g): [string, boolean] => [g, false])]));
      setNodes((ns) => ns.map((n) => (Boolean(n.selected) === ids.has(n.id) ? n : ({ ...n, selected: ids.has(n.id) } as FlowNode))));
    },
    [nodeByKey, collapsed],
  );
  const clearSelection = useCallback(() => {
    selectAssets([]);
    setFocus(null);
  }, [selectAssets]);
  const [menu, setMenu] = useState<NodeMenuState | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const onNodeContextMenu = useCallback((event: ReactMouseEvent, node: Node) => {
    const key = keyFromNodeId(node.id);
    if (!key) return;
    event.preventDefault();
    // From the keyboard (the context-menu key on a focused node) there is no pointer
    // position: open it under the node.
    const rect = (event.target as Element).closest('.react-flow__node')?.getBoundingClientRect();
    const fromKeyboard = event.clientX === 0 && event.clientY === 0 && rect !== undefined;
    setMenu(fromKeyboard ? { key, x: rect.left + 12, y: rect.bottom + 4 } : { key, x: event.clientX, y: event.clientY });
  }, []);
  const onMenuPick = (action: NodeMenuAction, key: string) => {
    const edges = lineage?.edges ?? [];
    const pick = (keys: string[]) => {
      selectAssets(keys);
      setFocus({ type: 'asset', key });
    };
    if (action === 'upstream') pick(related(edges, key, 'upstream', 1));
    else if (action === 'downstream') pick(related(edges, key, 'downstream', 1));
    else if (action === 'allUpstream') pick(related(edges, key, 'upstream', Infinity));
    else if (action === 'allDownstream') pick(related(edges, key, 'downstream', Infinity));
    else if (action === 'materializeUpstream') setDialog({ selection: `*${selectionFor([key])}`, label: `${key} and everything upstream` });
    else navigate(assetPath(key));
  };

  // Several selected: the panel lists them all. The panel's assets stay in the
  // visible part of the canvas (it narrows when the panel opens).
  const multiple = selectedCount > 1;
  const focusedKey = focus?.type === 'asset' && nodeByKey.has(focus.key) ? focus.key : null;
  const panelKeys = multiple ? selectedKeys : focusedKey ? [focusedKey] : [];
  useKeepInView(panelKeys.map(assetNodeId), viewReady);
  // A bad selection is shown under the filter (caret line included), also when it
  // is the first thing loaded (a deep link); other errors fill the canvas.
  const badSelection = error instanceof GraphQLRequestError && error.code === 'INVALID_SELECTION';
  const showFilterError = error !== null && (lineage !== null || badSelection);

  return (
    <GraphContext.Provider value={actions}>
      <div className="graph-page">
        <div className="graph-toolbar">
          <FilterBar value={filter.text} searching={filter.kind === 'search'} onApply={applyFilter} error={showFilterError ? error : null} loading={loading} />
          <div className="toolbar-actions">
            <button type="button" className={`button subtle${boxSelect ? ' active' : ''}`} aria-pressed={boxSelect} onClick={() => setBoxSelect((b) => !b)} data-testid="box-select-toggle" title="Drag to select a box of nodes (or hold Shift while dragging)">
              Box select
            </button>
            <button type="button" className="button subtle" onClick={() => setAllCollapsed(true)} data-testid="collapse-all">
              Collapse all
            </button>
            <button type="button" className="button subtle" onClick={() => setAllCollapsed(false)} data-testid="expand-all">
              Expand all
            </button>
            <button
              type="button"
              className="button primary"
              disabled={selectedCount === 0}
              onClick={() => setDialog({ selection: selectionExpr, label: selectedCount === 1 && selectedKeys.length === 1 ? selectedKeys[0] : `${selectedCount} selected` })}
              data-testid="materialize-button"
              title={selectedCount === 0 ? 'Select assets first (click, shift-click or box select)' : selectionExpr}
            >
              Materialize selected{selectedCount ? ` (${selectedCount})` : ''}
            </button>
          </div>
        </div>

        <div className="graph-main">
          <div
            className="graph-canvas"
            data-testid="graph-canvas"
            data-layout-engine={layout?.engine ?? 'none'}
            data-node-count={lineage?.nodes.length ?? 0}
            data-drawn-count={nodes.length}
            data-view-ready={viewReady && nodes.length > 0 ? 'true' : 'false'}
          >
            {!lineage && loading && <Loading label="Loading asset graph…" />}
            {!lineage && error && (
              <div className="center-pad">
                {badSelection ? (
                  <div className="muted" data-testid="graph-error">
                    Fix the selection above, or{' '}
                    <button type="button" className="button subtle" onClick={() => applyFilter('')}>
                      show every asset
                    </button>
                  </div>
                ) : (
                  <ErrorBox error={error} title="Could not load the asset graph" testId="graph-error">
                    <button type="button" className="button" onClick={() => setReloadToken((t) => t + 1)}>
                      Retry
                    </button>
                  </ErrorBox>
                )}
              </div>
            )}
            {lineage && lineage.nodes.length === 0 && (
              <div className="center-pad muted" data-testid="graph-empty">
                {shownFor?.kind === 'search' ? `No asset key contains “${shownFor.text}”.` : 'No assets match this selection.'}
              </div>
            )}
            {lineage && !layout && <Loading label="Laying out…" />}
            <ReactFlow<FlowNode>
              nodes={nodes}
              edges={flowEdges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onSelectionChange={onSelectionChange}
              onNodeClick={onNodeClick}
              onNodeDoubleClick={onNodeDoubleClick}
              onNodeContextMenu={onNodeContextMenu}
              onPaneClick={() => setFocus(null)}
              onMoveStart={(event) => {
                if (event) userMoved.current = true;
              }}
              onlyRenderVisibleElements
              nodesDraggable={false}
              nodesConnectable={false}
              edgesFocusable={false}
              elementsSelectable
              selectionOnDrag={boxSelect}
              panOnDrag={boxSelect ? [1, 2] : true}
              selectionMode={SelectionMode.Partial}
              multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
              selectionKeyCode="Shift"
              deleteKeyCode={null}
              minZoom={0.02}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#d5dae3" />
              <Controls showInteractive={false} position="bottom-left" fitViewOptions={{ padding: 0.08, maxZoom: 1 }} />
              <MiniMap pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} position="bottom-right" ariaLabel="Minimap" />
              {lineage && (
                <Panel position="top-left" className="graph-stats" data-testid="graph-stats">
                  {`${lineage.nodes.length.toLocaleString()} assets · ${lineage.edges.length.toLocaleString()} edges`}
                  {collapsed.size > 0 ? ` · ${collapsed.size} group${collapsed.size === 1 ? '' : 's'} collapsed` : ''}
                  {shownEdges.hidden > 0 ? ` · strongest ${shownEdges.edges.length.toLocaleString()} of ${(shownEdges.edges.length + shownEdges.hidden).toLocaleString()} links drawn` : ''}
                  {layingOut ? ' · laying out…' : ''}
                  {loading ? ' · loading…' : ''}
                </Panel>
              )}
              <Panel position="bottom-center" className="legend-panel">
                {ASSET_STATUSES.map((s) => (
                  <span key={s} className="legend-item">
                    <i style={{ background: assetStatusMeta(s).color }} />
                    {assetStatusMeta(s).label}
                  </span>
                ))}
              </Panel>
            </ReactFlow>
          </div>
          {multiple && (
            <SelectionSidePanel
              nodes={selectedKeys.map((k) => nodeByKey.get(k)).filter((n): n is LineageNode => n !== undefined)}
              groups={selectedGroups}
              selection={selectionExpr}
              onClear={clearSelection}
              onMaterialize={() => setDialog({ selection: selectionExpr, label: `${selectedCount} selected` })}
            />
          )}
          {!multiple && focus?.type === 'asset' && nodeByKey.get(focus.key) && (
            <AssetSidePanel
              key={focus.key}
              node={nodeByKey.get(focus.key) as LineageNode}
              onClose={() => setFocus(null)}
              onMaterialize={(key) => setDialog({ selection: selectionFor([key]), label: key })}
            />
          )}
          {!multiple && focus?.type === 'group' && groups.get(focus.name) && (
            <GroupSidePanel
              name={focus.name}
              members={groups.get(focus.name) ?? []}
              collapsed={collapsed.has(focus.name)}
              onClose={() => setFocus(null)}
              onToggle={() => toggleGroup(focus.name)}
            />
          )}
        </div>
        {menu && <NodeMenu menu={menu} onPick={onMenuPick} onClose={closeMenu} />}
        {dialog && <MaterializeDialog selection={dialog.selection} label={dialog.label} onClose={() => setDialog(null)} />}
      </div>
    </GraphContext.Provider>
  );
}
