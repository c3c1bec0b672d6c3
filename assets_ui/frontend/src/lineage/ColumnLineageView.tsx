// The asset page's column lineage: pick a column, see the columns it derives from
// and those derived from it, across assets, as cards laid out by ELK (in the layout
// worker) and drawn by xyflow. DIRECT edges are solid, INDIRECT ones dashed; a card's
// header opens that asset, a row of this asset picks that column.
import { Background, Controls, Handle, Position, ReactFlow, ReactFlowProvider, useReactFlow, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { COLUMN_GRAPH_QUERY } from '../api/queries';
import type { ColumnGraph } from '../api/types';
import { ErrorBox, Loading } from '../components/Feedback';
import { LayoutCancelled, LayoutClient } from '../graph/layoutClient';
import type { LayoutPositions } from '../graph/layoutInput';
import { useQuery } from '../hooks/useQuery';
import { assetPath, navigate } from '../lib/router';
import {
  columnElkGraph,
  edgeCounts,
  flowEdges,
  flowNodes,
  type ColumnAssetNode,
  type ColumnFlowNode,
  type ColumnRowNode,
} from './columnGraph';

const DEPTHS = [1, 2, 3, 5, 10];

interface Props {
  assetKey: string;
  columns: string[];
}

export function ColumnLineageView({ assetKey, columns }: Props) {
  const [column, setColumn] = useState(columns[0] ?? '');
  const [depth, setDepth] = useState(3);
  useEffect(() => {
    if (!columns.includes(column)) setColumn(columns[0] ?? '');
  }, [columns, column]);
  const { data, error, loading } = useQuery<{ columnGraph: ColumnGraph }>(
    COLUMN_GRAPH_QUERY,
    { asset: assetKey, column, upstreamDepth: depth, downstreamDepth: depth },
    { skip: !column },
  );
  const graph = data?.columnGraph;
  const counts = graph ? edgeCounts(graph) : null;
  return (
    <section className="card" data-testid="column-lineage">
      <div className="card-title-row">
        <h2>Column lineage</h2>
        <div className="column-lineage-controls">
          <label>
            Column{' '}
            <select data-testid="column-lineage-column" value={column} onChange={(e) => setColumn(e.target.value)}>
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            Depth{' '}
            <select data-testid="column-lineage-depth" value={depth} onChange={(e) => setDepth(Number(e.target.value))}>
              {DEPTHS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <p className="muted small column-lineage-legend">
        <span className="legend-direct" /> direct: the value flows in
        {counts ? ` (${counts.direct})` : ''} · <span className="legend-indirect" /> indirect: decides which rows or how
        {counts ? ` (${counts.indirect})` : ''}
      </p>
      {error && <ErrorBox error={error} title="Could not load the column lineage" />}
      {loading && !graph && <Loading label="Loading column lineage…" />}
      {graph && (
        <ReactFlowProvider>
          <ColumnCanvas graph={graph} focus={`${assetKey}.${column}`} onPick={setColumn} assetKey={assetKey} />
        </ReactFlowProvider>
      )}
    </section>
  );
}

interface CanvasProps {
  graph: ColumnGraph;
  focus: string;
  assetKey: string;
  onPick: (column: string) => void;
}

function ColumnCanvas({ graph, focus, assetKey, onPick }: CanvasProps) {
  const [positions, setPositions] = useState<LayoutPositions | null>(null);
  const [layoutError, setLayoutError] = useState<Error | null>(null);
  const client = useRef<LayoutClient | null>(null);
  const flow = useReactFlow();
  useEffect(() => {
    const c = (client.current ??= new LayoutClient());
    let live = true;
    setLayoutError(null);
    c.layout(columnElkGraph(graph)).then(
      (p) => live && setPositions(p),
      (e: unknown) => {
        if (live && !(e instanceof LayoutCancelled)) setLayoutError(e instanceof Error ? e : new Error(String(e)));
      },
    );
    return () => {
      live = false;
    };
  }, [graph]);
  useEffect(() => () => client.current?.dispose(), []);
  const nodes = useMemo(() => (positions ? flowNodes(graph, positions, focus) : []), [graph, positions, focus]);
  const edges = useMemo(() => (positions ? flowEdges(graph) : []), [graph, positions]);
  useEffect(() => {
    if (nodes.length) void flow.fitView({ padding: 0.1, duration: 0, maxZoom: 1 });
  }, [nodes, flow]);
  const onNodeClick = (_: unknown, node: ColumnFlowNode) => {
    if (node.type === 'columnRow' && node.data.asset === assetKey) onPick(node.data.column);
    else navigate(assetPath(node.data.asset));
  };
  if (layoutError) return <ErrorBox error={layoutError} title="Could not lay out the column lineage" />;
  return (
    <div
      className="column-lineage-canvas"
      data-testid="column-lineage-canvas"
      data-node-count={graph.nodes.length}
      data-edge-count={graph.edges.length}
      data-ready={positions ? 'true' : 'false'}
    >
      <ReactFlow<ColumnFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={columnNodeTypes}
        onNodeClick={onNodeClick}
        nodesDraggable={false}
        nodesConnectable={false}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </div>
  );
}

const AssetCardView = memo(function AssetCardView({ data }: NodeProps<ColumnAssetNode>) {
  return (
    <div className={`column-card${data.focus ? ' focus' : ''}`} data-testid={`column-card-${data.asset}`}>
      <a
        className="column-card-title"
        href={assetPath(data.asset)}
        onClick={(e) => e.preventDefault()}
        title={`Open ${data.asset}`}
      >
        {data.asset}
      </a>
    </div>
  );
});

const ColumnRowView = memo(function ColumnRowView({ data }: NodeProps<ColumnRowNode>) {
  return (
    <div
      className={`column-row${data.focus ? ' focus' : ''}`}
      data-testid={`column-node-${data.asset}.${data.column}`}
      title={`${data.asset}.${data.column}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <code>{data.column}</code>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const columnNodeTypes = { columnAsset: AssetCardView, columnRow: ColumnRowView };
