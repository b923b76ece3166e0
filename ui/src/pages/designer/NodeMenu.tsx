// The context menu of a node or an output port: preview each output, view
// the log, and the editing actions. Arrow keys move through it; Escape or a
// click elsewhere closes it.

import { useEffect, useRef } from 'react';

export interface MenuItem {
  label: string;
  disabled?: boolean;
  hint?: string;
  action: () => void;
}

interface NodeMenuProps {
  x: number;
  y: number;
  title: string;
  items: MenuItem[];
  onClose: () => void;
}

export function NodeMenu({ x, y, title, items, onClose }: NodeMenuProps) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    box.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
    const away = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [onClose]);

  const move = (delta: number) => {
    const buttons = [...(box.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(at + delta + buttons.length) % buttons.length]?.focus();
  };

  return (
    <div
      ref={box}
      className="context-menu"
      role="menu"
      aria-label={title}
      style={{ left: Math.min(x, window.innerWidth - 240), top: Math.min(y, window.innerHeight - 40 * items.length - 40) }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        else if (e.key === 'ArrowDown') move(1);
        else if (e.key === 'ArrowUp') move(-1);
        else return;
        e.preventDefault();
        e.stopPropagation();
      }}
    >
      <div className="context-title">{title}</div>
      {items.map((it) => (
        <button
          key={it.label}
          type="button"
          role="menuitem"
          disabled={it.disabled}
          title={it.hint}
          onClick={() => {
            onClose();
            it.action();
          }}
        >
          {it.label}
        </button>
      ))}
    </div>
  );
}
