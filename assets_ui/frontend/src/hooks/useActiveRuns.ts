import { useEffect, useState } from 'react';
import { runTracker } from '../api/runTracker';

/** Number of runs launched from this tab that are still going; calls onRunEnd when one finishes. */
export function useActiveRuns(onRunEnd?: (runId: string) => void): number {
  const [count, setCount] = useState(runTracker.active().length);
  useEffect(
    () =>
      runTracker.listen({
        onChange: (ids) => setCount(ids.length),
        onRunEnd: (id) => onRunEnd?.(id),
      }),
    [onRunEnd],
  );
  return count;
}
