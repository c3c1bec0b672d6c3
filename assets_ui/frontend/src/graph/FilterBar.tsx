import { useEffect, useState } from 'react';

interface Props {
  value: string;
  onApply: (selection: string) => void;
  error: Error | null;
  loading: boolean;
}

const EXAMPLES = ['*', 'orders+', '*orders', 'group:sales', 'kind:sql and not tag:tier=gold', 'key:sales/*, +finance/report'];

/** Selection filter (SPEC §2 syntax). Errors from the server are shown inline, caret line included. */
export function FilterBar({ value, onApply, error, loading }: Props) {
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
          Selection
        </label>
        <input
          id="filter-input"
          className={`filter-input${error ? ' invalid' : ''}`}
          placeholder="Filter: selection, e.g. group:sales or *orders+   (Enter to apply)"
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
