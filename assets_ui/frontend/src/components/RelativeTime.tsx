import { useNow } from '../hooks/useNow';
import { formatRelative, formatTimestamp } from '../lib/time';

export function RelativeTime({ value, testId }: { value: string | null | undefined; testId?: string }) {
  const now = useNow();
  if (!value) return <span className="muted">—</span>;
  return (
    <time dateTime={value} title={formatTimestamp(value)} data-testid={testId}>
      {formatRelative(value, now)}
    </time>
  );
}
