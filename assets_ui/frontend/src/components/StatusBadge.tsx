import { assetStatusMeta, runStatusMeta, stepStatusMeta, type StatusMeta } from '../lib/status';

function Badge({ meta, testId, raw }: { meta: StatusMeta; testId?: string; raw: string }) {
  return (
    <span
      className="badge"
      style={{ color: meta.color, background: meta.background, borderColor: meta.color }}
      data-testid={testId}
      data-status={raw}
      title={meta.description}
    >
      <span className="badge-dot" style={{ background: meta.color }} />
      {meta.label}
    </span>
  );
}

export function AssetStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <Badge meta={assetStatusMeta(status)} testId={testId} raw={status} />;
}

export function RunStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <Badge meta={runStatusMeta(status)} testId={testId} raw={status} />;
}

export function StepStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <Badge meta={stepStatusMeta(status)} testId={testId} raw={status} />;
}
