// The designer's keyboard shortcuts. They apply while focus is not in a
// text field, so typing a parameter never deletes a node.

import { useEffect, useRef } from 'react';

export interface Shortcut {
  keys: string;
  what: string;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: 'Delete / Backspace', what: 'delete the selection' },
  { keys: 'Ctrl+Z', what: 'undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', what: 'redo' },
  { keys: 'Ctrl+C / Ctrl+X / Ctrl+V', what: 'copy, cut, paste' },
  { keys: 'Ctrl+D', what: 'duplicate the selection' },
  { keys: 'Ctrl+A', what: 'select every node' },
  { keys: 'Shift+drag', what: 'box-select' },
  { keys: 'L', what: 'auto-layout' },
  { keys: 'F', what: 'fit the pipeline to the view' },
  { keys: '+ / −', what: 'zoom in, zoom out' },
  { keys: 'Ctrl+Enter', what: 'submit a run' },
  { keys: 'Escape', what: 'clear the selection' },
  { keys: '?', what: 'this list' },
];

export type ShortcutHandlers = Record<
  'delete' | 'undo' | 'redo' | 'copy' | 'cut' | 'paste' | 'duplicate' | 'selectAll' | 'layout' | 'fit' | 'zoomIn' | 'zoomOut' | 'submit' | 'escape' | 'help',
  () => void
>;

function isEditable(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest?.('.cm-editor, [role="dialog"]');
}

export function useShortcuts(handlers: ShortcutHandlers, enabled: boolean) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      const h = ref.current;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        h.submit();
        return;
      }
      if (isEditable(e.target)) return;
      const k = e.key.toLowerCase();
      let handled = true;
      if (mod && k === 'z' && !e.shiftKey) h.undo();
      else if (mod && (k === 'y' || (k === 'z' && e.shiftKey))) h.redo();
      else if (mod && k === 'c') h.copy();
      else if (mod && k === 'x') h.cut();
      else if (mod && k === 'v') h.paste();
      else if (mod && k === 'd') h.duplicate();
      else if (mod && k === 'a') h.selectAll();
      else if (mod || e.altKey) handled = false;
      else if (e.key === 'Delete' || e.key === 'Backspace') h.delete();
      else if (k === 'l') h.layout();
      else if (k === 'f') h.fit();
      else if (e.key === '+' || e.key === '=') h.zoomIn();
      else if (e.key === '-') h.zoomOut();
      else if (e.key === 'Escape') h.escape();
      else if (e.key === '?') h.help();
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
