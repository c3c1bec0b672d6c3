import { LOAD_ERROR_QUERY } from '../api/automation';
import { useQuery } from '../hooks/useQuery';

/** Shown while the code location's latest reload failed (`assetline dev` reloads on
 *  every change): the server keeps serving the previous definitions. */
export function LoadErrorBanner() {
  const { data } = useQuery<{ loadError: string | null }>(LOAD_ERROR_QUERY, {}, { pollMs: 3000 });
  if (!data?.loadError) return null;
  return (
    <div className="load-error" role="alert" data-testid="load-error">
      <strong>The code location did not load; the previous definitions are shown.</strong>
      <pre>{data.loadError}</pre>
    </div>
  );
}
