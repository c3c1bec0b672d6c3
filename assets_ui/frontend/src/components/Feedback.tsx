import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Error message; multi-line messages (selection errors with a caret line) keep their whitespace. */
export function ErrorBox({ error, title, testId = 'error', children }: { error: Error | string; title?: string; testId?: string; children?: ReactNode }) {
  const message = typeof error === 'string' ? error : error.message;
  return (
    <div className="error-box" role="alert" data-testid={testId}>
      {title && <strong className="error-title">{title}</strong>}
      <pre className="error-message">{message}</pre>
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
