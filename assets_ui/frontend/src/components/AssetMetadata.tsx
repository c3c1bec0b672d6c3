import type { JSONValue } from '../api/types';

type Obj = { [key: string]: JSONValue };

function isObject(value: JSONValue | undefined): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: JSONValue): string {
  if (value === null) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A preview as the engine records it: `{columns: [...], rows: [[...], ...]}`. */
function previewOf(value: JSONValue | undefined): { columns: string[]; rows: JSONValue[][] } | null {
  if (!isObject(value) || !Array.isArray(value.columns) || !Array.isArray(value.rows)) return null;
  const rows = value.rows.filter((r): r is JSONValue[] => Array.isArray(r));
  return { columns: value.columns.map((c) => String(c)), rows };
}

/**
 * The asset's `metadata` (GraphQL `Asset.metadata`): its static `metadata=` as a list,
 * the query of a SQL asset, and the first rows of its latest materialization.
 */
export function AssetMetadataSection({ metadata }: { metadata: JSONValue | undefined }) {
  if (!isObject(metadata)) return null;
  const { sql, preview, ...rest } = metadata;
  const entries = Object.entries(rest);
  const table = previewOf(preview);
  if (!entries.length && typeof sql !== 'string' && !table) return null;
  return (
    <section className="card" data-testid="asset-metadata">
      <h2>Metadata</h2>
      {entries.length > 0 && (
        <dl className="facts" data-testid="asset-metadata-static">
          {entries.map(([k, v]) => [<dt key={`t-${k}`}>{k}</dt>, <dd key={`d-${k}`}><code>{show(v)}</code></dd>])}
        </dl>
      )}
      {typeof sql === 'string' && (
        <>
          <h3>SQL</h3>
          <pre className="metadata-sql" data-testid="asset-metadata-sql">{sql}</pre>
        </>
      )}
      {table && (
        <>
          <h3>Preview <span className="muted small">(first rows of the latest materialization)</span></h3>
          <div className="table-wrap">
            <table className="table" data-testid="asset-metadata-preview">
              <thead>
                <tr>{table.columns.map((c) => <th key={c}>{c}</th>)}</tr>
              </thead>
              <tbody>
                {table.rows.map((row, i) => (
                  <tr key={i}>{row.map((v, j) => <td key={j}>{show(v)}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
