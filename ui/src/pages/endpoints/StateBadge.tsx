// An endpoint's state as a coloured badge, and the figures' formats shared
// by the endpoint pages.

import type { EndpointState } from '../../api/production';

const LABEL: Record<EndpointState, string> = {
  deploying: 'Deploying',
  healthy: 'Healthy',
  failed: 'Failed',
};

export function StateBadge({ state, reason }: { state: EndpointState; reason?: string }) {
  return (
    <span className={`state-badge state-${state}`} title={reason || undefined} data-testid="endpoint-state" data-state={state}>
      <span className="state-dot" aria-hidden="true" />
      {LABEL[state] ?? state}
    </span>
  );
}

/** A latency in milliseconds: "0.084 ms", "12.3 ms", "—" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function when(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

/** An absolute URL: the server gives one when the request named its host. */
export function absolute(url: string): string {
  return /^https?:\/\//.test(url) ? url : `${window.location.origin}${url}`;
}
