// A run's record, shared by the views that need its pipeline or its steps'
// modules. Ended runs never change, so they are kept once fetched.

import { useEffect, useState } from 'react';

import { api } from './client';
import type { Run } from './types';

const ended = new Map<number, Run>();
const FINAL = new Set(['completed', 'failed', 'canceled']);

export async function fetchRun(id: number, signal?: AbortSignal): Promise<Run> {
  const known = ended.get(id);
  if (known) return known;
  const run = await api('GET /api/runs/{id}', { params: { id }, signal });
  if (FINAL.has(run.status)) ended.set(id, run);
  return run;
}

/** The run, or null while it loads (or when it cannot be read). */
export function useRunRecord(id: number | null): Run | null {
  const [run, setRun] = useState<Run | null>(() => (id !== null ? (ended.get(id) ?? null) : null));
  useEffect(() => {
    if (id === null) return;
    const abort = new AbortController();
    fetchRun(id, abort.signal)
      .then(setRun)
      .catch(() => {
        // The views fall back to what they know without the run.
      });
    return () => abort.abort();
  }, [id]);
  return run && run.id === id ? run : null;
}
