import { useEffect, useRef } from 'react';

export type NodeMenuAction = 'upstream' | 'downstream' | 'allUpstream' | 'allDownstream' | 'materializeUpstream' | 'open';

const ITEMS: { action: NodeMenuAction; label: string }[] = [
  { action: 'upstream', label: 'Select upstream' },
  { action: 'downstream', label: 'Select downstream' },
  { action: 'allUpstream', label: 'Select all upstream' },
  { action: 'allDownstream', label: 'Select all downstream' },
  { action: 'materializeUpstream', label: 'Materialize this and upstream…' },
  { action: 'open', label: 'Open asset page' },
];

export interface NodeMenuState {
  key: string;
  /** where it opens, in viewport (client) coordinates */
  x: number;
  y: number;
}

/** The right-click menu of an asset node. Escape, a click elsewhere or scrolling closes it. */
export function NodeMenu({ menu, onPick, onClose }: { menu: NodeMenuState; onPick: (action: NodeMenuAction, key: string) => void; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
        const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
        const n = buttons.length;
        buttons[(i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n]?.focus();
      }
    };
    window.addEventListener('pointerdown', onDown, true);
    window.addEventListener('keydown', onKey);
    window.addEventListener('wheel', onClose, { passive: true });
    return () => {
      window.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('wheel', onClose);
    };
  }, [onClose]);
  // Keep it on screen near the pointer.
  const left = Math.min(menu.x, window.innerWidth - 240);
  const top = Math.min(menu.y, window.innerHeight - ITEMS.length * 34 - 40);
  return (
    <div ref={ref} className="node-menu" role="menu" aria-label={`Actions for ${menu.key}`} style={{ left, top }} data-testid="node-menu">
      <div className="node-menu-title">{menu.key}</div>
      {ITEMS.map((item) => (
        <button
          key={item.action}
          type="button"
          role="menuitem"
          className="node-menu-item"
          data-testid={`node-menu-${item.action}`}
          onClick={() => {
            onPick(item.action, menu.key);
            onClose();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
