// Follows a run's server-sent events (GET /api/runs/{id}/events). The
// browser's EventSource reconnects by itself with Last-Event-ID; the server
// ends the stream once the run has ended, and we close it then so the
// browser does not reconnect to a finished run.

import { routeUrl } from './client';
import type { RunEvent } from './types';

const KINDS = ['run', 'step', 'log', 'progress'] as const;
const FINAL = new Set(['completed', 'failed', 'canceled']);

/** Calls onEvent for every event of run `runId`; returns a function that stops. */
export function followRun(
  runId: number,
  onEvent: (e: RunEvent) => void,
  onError?: (message: string) => void,
): () => void {
  const source = new EventSource(routeUrl('GET /api/runs/{id}/events', { id: runId }));
  let ended = false;
  const stop = () => {
    ended = true;
    source.close();
  };
  for (const kind of KINDS) {
    source.addEventListener(kind, (msg) => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse((msg as MessageEvent<string>).data) as Record<string, unknown>;
      } catch {
        return;
      }
      const event = { ...data, event: kind } as RunEvent;
      onEvent(event);
      if (event.event === 'run' && FINAL.has(event.status)) stop();
    });
  }
  source.onerror = () => {
    // EventSource retries on its own while readyState is CONNECTING.
    if (!ended && source.readyState === EventSource.CLOSED) onError?.('the run\'s event stream closed');
  };
  return stop;
}
