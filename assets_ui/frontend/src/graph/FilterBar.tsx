import { useEffect, useState } from 'react';

interface Props {
  value: string;
  /** the shown graph is a free-text search for `value` */
  searching?: boolean;
  onApply: (selection: string) => void;
  error: Error | null;
  loading: boolean;
}

const EXAMPLES = ['*', 'orders+', '*orders', 'group:sales', 'kind:sql and not tag:tier=gold', 'key:sales/*, +finance/report'];

/** The graph's filter: a single word searches asset keys for it (`customers` finds
 * `raw/customers` and `staging/stg_customers`); anything else is a selection (SPEC §2
 * syntax). Errors from the server are shown inline, caret line included. */
export function FilterBar({ value, searching = false, onApply, error, loading }: Props) {
  const [text, setText] = useState(value);
  const [help, setHelp] = useState(false);
  useEffect(() => setText(value), [value]);
  return (
    <div className="filter">
      <form
        className="filter-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onApply(text.trim());
        }}
      >
        <label htmlFor="filter-input" className="visually-hidden">
          Search or selection
        </label>
        <input
          id="filter-input"
          className={`filter-input${error ? ' invalid' : ''}`}
          placeholder="Search a name, or a selection such as group:sales or *orders+ (Enter)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          data-testid="filter-input"
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? 'filter-error' : undefined}
        />
        <button type="submit" className="button" data-testid="filter-apply" disabled={loading && text.trim() === value}>
          Apply
        </button>
        {value && (
          <button
            type="button"
            className="button subtle"
            data-testid="filter-clear"
            onClick={() => {
              setText('');
              onApply('');
            }}
          >
            Clear
          </button>
        )}
        <button type="button" className="button subtle" aria-expanded={help} onClick={() => setHelp((h) => !h)}>
          Syntax
        </button>
      </form>
      {searching && !error && (
        <div className="filter-hint muted small" data-testid="filter-search-hint">
          Assets whose key contains “{value}”. To filter exactly, type a key path (<code>raw/{value}</code>) or a selection (Syntax).
        </div>
      )}
      {error && (
        <pre className="filter-error" id="filter-error" role="alert" data-testid="filter-error">
          {error.message}
        </pre>
      )}
      {help && (
        <div className="filter-help">
          <span className="muted small">Examples:</span>{' '}
          {EXAMPLES.map((ex) => (
            <button
              key={ex}
              type="button"
              className="chip"
              onClick={() => {
                setText(ex);
                onApply(ex);
              }}
            >
              {ex}
            </button>
          ))}
          <span className="muted small">
            {' '}
            · <code>+a</code>/<code>a+</code> one level up/down, <code>*a</code>/<code>a*</code> all, <code>and</code> <code>or</code> <code>not</code> <code>( )</code>, comma = or
          </span>
        </div>
      )}
    </div>
  );
}
