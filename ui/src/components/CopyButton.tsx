// A button that copies a text to the clipboard and says so for a moment.
// The Clipboard API needs a secure context (https, or loopback); elsewhere
// a hidden text area and execCommand('copy') do it.

import { useEffect, useRef, useState } from 'react';

export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

interface CopyButtonProps {
  text: string;
  /** What is copied, for screen readers and the tooltip: "primary key". */
  what: string;
  label?: string;
  className?: string;
}

export function CopyButton({ text, what, label = 'Copy', className }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const copy = async () => {
    try {
      await copyText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 2000);
  };

  return (
    <button
      type="button"
      className={`copy-button${state === 'copied' ? ' copied' : ''}${className ? ` ${className}` : ''}`}
      onClick={() => void copy()}
      aria-label={`Copy the ${what}`}
      title={`Copy the ${what}`}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
      <span className="sr-only" role="status">
        {state === 'copied' ? `The ${what} is copied` : ''}
      </span>
    </button>
  );
}
