import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link } from './Link';

export interface Toast {
  id: number;
  message: string;
  kind: 'info' | 'success' | 'error';
  link?: { to: string; label: string };
}

interface ToastApi {
  show: (toast: Omit<Toast, 'id'>, timeoutMs?: number) => void;
}

const ToastContext = createContext<ToastApi>({ show: () => undefined });

export function useToasts(): ToastApi {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (toast: Omit<Toast, 'id'>, timeoutMs = 12000) => {
      const id = nextId.current++;
      setToasts((ts) => [...ts.slice(-3), { ...toast, id }]);
      if (timeoutMs > 0) setTimeout(() => dismiss(id), timeoutMs);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" role={t.kind === 'error' ? 'alert' : 'status'}>
            <span className="toast-message">{t.message}</span>
            {t.link && (
              <Link to={t.link.to} className="toast-link" data-testid="toast-run-link" onClick={() => dismiss(t.id)}>
                {t.link.label}
              </Link>
            )}
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
