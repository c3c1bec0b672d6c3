import type { JSONValue, PartitionStats } from '../api/types';
import { completeness, formatCompleteness, parseRanges, segmentsFromCounts, type PartitionState } from '../lib/partitions';

const STATE_COLOR: Record<PartitionState, string> = {
  materialized: 'var(--fresh)',
  failed: 'var(--failed)',
  missing: 'var(--missing-light)',
};

/** Thin completeness bar (materialized / failed / missing) used in graph nodes. */
export function CompletenessBar({ stats }: { stats: PartitionStats }) {
  const parts = completeness(stats);
  if (!parts) return null;
  return (
    <div className="completeness" title={`Partitions: ${formatCompleteness(stats)} materialized, ${stats.failed} failed`}>
      <span style={{ width: `${parts.materialized * 100}%`, background: STATE_COLOR.materialized }} />
      <span style={{ width: `${parts.failed * 100}%`, background: STATE_COLOR.failed }} />
    </div>
  );
}

/** Partition status strip for the asset page, from PartitionStats.ranges (counts as a fallback). */
export function PartitionStrip({ stats, keys }: { stats: PartitionStats; keys: readonly string[] }) {
  const fromRanges = parseRanges(stats.ranges as JSONValue | undefined, stats.total, keys);
  const segments = fromRanges.length ? fromRanges : segmentsFromCounts(stats);
  const total = Math.max(1, stats.total);
  return (
    <div className="partition-strip-wrap" data-testid="partition-strip">
      <svg className="partition-strip" viewBox="0 0 1000 24" preserveAspectRatio="none" role="img" aria-label={`Partitions: ${stats.materialized} materialized, ${stats.failed} failed, ${stats.missing} missing of ${stats.total}`}>
        {segments.map((s, i) => (
          <rect key={i} x={(s.start / total) * 1000} y={0} width={Math.max(0.5, ((s.end - s.start) / total) * 1000)} height={24} fill={STATE_COLOR[s.state]}>
            <title>
              {s.state}: {s.startKey ?? `#${s.start}`}
              {s.end - s.start > 1 ? ` … ${s.endKey ?? `#${s.end - 1}`}` : ''} ({s.end - s.start})
            </title>
          </rect>
        ))}
      </svg>
      <div className="legend">
        <span><i style={{ background: STATE_COLOR.materialized }} /> {stats.materialized.toLocaleString()} materialized</span>
        <span><i style={{ background: STATE_COLOR.failed }} /> {stats.failed.toLocaleString()} failed</span>
        <span><i style={{ background: STATE_COLOR.missing }} /> {stats.missing.toLocaleString()} missing</span>
        <span className="muted">of {stats.total.toLocaleString()}</span>
      </div>
    </div>
  );
}
