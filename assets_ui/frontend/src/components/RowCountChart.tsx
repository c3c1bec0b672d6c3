import type { Materialization } from '../api/types';
import { compactNumber, rowCountPoints, scalePlot } from '../lib/chart';
import { formatTimestamp } from '../lib/time';

const BOX = { width: 640, height: 180, padLeft: 56, padRight: 28, padTop: 12, padBottom: 28 };

/** SVG line plot of metadata.row_count over time: round value ticks (a constant series
 * reads as its value), time ticks at round intervals. */
export function RowCountChart({ materializations }: { materializations: readonly Materialization[] }) {
  const points = rowCountPoints(materializations);
  const plot = scalePlot(points, BOX);
  if (!plot) return <p className="muted">No row_count metadata recorded yet.</p>;
  const last = points[points.length - 1];
  return (
    <figure className="chart-figure">
    <figcaption className="muted small">
      Latest: <strong>{last.value.toLocaleString()}</strong> rows · {points.length} point{points.length === 1 ? '' : 's'} · range {compactNumber(Math.min(...points.map((p) => p.value)))}–{compactNumber(Math.max(...points.map((p) => p.value)))}
    </figcaption>
    <svg className="chart" viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label="Row count over time" data-testid="row-count-chart">
      {plot.yTicks.map((t, i) => (
        <g key={i} data-testid="chart-y-tick">
          <line x1={BOX.padLeft} x2={BOX.width - BOX.padRight} y1={t.y} y2={t.y} className="chart-grid" />
          <text x={BOX.padLeft - 6} y={t.y + 4} textAnchor="end" className="chart-label">
            {t.label}
          </text>
        </g>
      ))}
      <path d={plot.path} className="chart-line" fill="none" />
      {plot.dots.map((d, i) => (
        <circle key={i} cx={d.x} cy={d.y} r={3.5} className="chart-dot">
          <title>
            {formatTimestamp(d.point.t)}
            {d.point.label ? ` [${d.point.label}]` : ''}: {d.point.value.toLocaleString()} rows
          </title>
        </circle>
      ))}
      {plot.xTicks.map((t, i) => (
        <g key={i} data-testid="chart-x-tick">
          <line x1={t.x} x2={t.x} y1={BOX.height - BOX.padBottom} y2={BOX.height - BOX.padBottom + 4} className="chart-axis" />
          <text x={t.x} y={BOX.height - 8} textAnchor="middle" className="chart-label">
            {t.label}
          </text>
        </g>
      ))}
      <line x1={BOX.padLeft} x2={BOX.width - BOX.padRight} y1={BOX.height - BOX.padBottom} y2={BOX.height - BOX.padBottom} className="chart-axis" />
    </svg>
    </figure>
  );
}
