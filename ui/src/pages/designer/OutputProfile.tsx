// The profile of a table output: its columns, and the card of the chosen
// one (views/ProfileView), fetched from the run when the tab first shows.

import { lazy, Suspense, useCallback } from 'react';

import { api } from '../../api/client';

const ProfileView = lazy(() => import('../../views/ProfileView').then((m) => ({ default: m.ProfileView })));

interface ProfileProps {
  runId: number;
  node: string;
  port: string;
  /** The column whose card shows; null for the first. */
  column: string | null;
  onColumn: (name: string) => void;
}

export function OutputProfile({ runId, node, port, column, onColumn }: ProfileProps) {
  const load = useCallback(
    (signal: AbortSignal) => api('GET /api/runs/{id}/steps/{node}/outputs/{port}/profile', { params: { id: runId, node, port }, signal }),
    [runId, node, port],
  );
  return (
    <Suspense fallback={<p className="muted">Loading the profile…</p>}>
      <ProfileView load={load} column={column} onColumn={onColumn} />
    </Suspense>
  );
}
