// A run of the draft, watched live: submit, then each step's status,
// progress and log lines arrive as server-sent events; when the run ends its
// record gives every step's duration and error. Cancel is always at hand.

import { useCallback, useEffect, useRef, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import { followRun } from '../../api/events';
import type { RunEvent, RunStatus, Step, StepStatus } from '../../api/types';

export interface StepState {
  status: StepStatus;
  message?: string;
  progress?: number;
  elapsedMs?: number;
  startedAt?: number;
}

export interface LogLine {
  node: string;
  line: string;
  time: string;
}

export interface RunState {
  id: number;
  status: RunStatus;
  message?: string;
  experiment: string;
  steps: Record<string, StepState>;
  logs: LogLine[];
  canceling: boolean;
}

const LOG_LIMIT = 2000;
const FINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'canceled']);

function fromSteps(steps: Step[]): Record<string, StepState> {
  const out: Record<string, StepState> = {};
  for (const s of steps) {
    const state: StepState = { status: s.status };
    // Only a step that ran has a duration worth showing.
    if (s.started_at && s.elapsed_ms >= 0 && s.status !== 'reused' && s.status !== 'skipped') state.elapsedMs = s.elapsed_ms;
    if (s.error) state.message = s.error;
    out[s.node] = state;
  }
  return out;
}

export function useRun() {
  const [run, setRun] = useState<RunState | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef<(() => void) | null>(null);

  useEffect(() => () => stop.current?.(), []);

  const apply = useCallback((e: RunEvent) => {
    setRun((r) => {
      if (!r || r.id !== e.run_id) return r;
      switch (e.event) {
        case 'run':
          return { ...r, status: e.status, message: e.message };
        case 'step': {
          const prev = r.steps[e.node];
          const next: StepState = { ...prev, status: e.status, message: e.message };
          if (e.status === 'running') next.startedAt = Date.parse(e.time);
          else if (prev?.startedAt !== undefined && FINAL.has(e.status)) {
            next.elapsedMs = Date.parse(e.time) - prev.startedAt;
          }
          return { ...r, steps: { ...r.steps, [e.node]: next } };
        }
        case 'progress': {
          const prev = r.steps[e.node] ?? { status: 'running' as const };
          return { ...r, steps: { ...r.steps, [e.node]: { ...prev, progress: e.progress } } };
        }
        case 'log':
          return { ...r, logs: [...r.logs, { node: e.node, line: e.line, time: e.time }].slice(-LOG_LIMIT) };
      }
    });
  }, []);

  /** Reads the finished run for exact durations and errors. */
  const settle = useCallback(async (id: number) => {
    try {
      const full = await api('GET /api/runs/{id}', { params: { id } });
      setRun((r) =>
        r && r.id === id
          ? {
              ...r,
              status: full.status,
              experiment: full.experiment,
              message: full.error || r.message,
              steps: { ...r.steps, ...fromSteps(full.steps) },
            }
          : r,
      );
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  /** Follows a run (one just submitted, or one already going). */
  const watch = useCallback(
    (id: number, experiment: string) => {
      stop.current?.();
      setRun({ id, status: 'queued', experiment, steps: {}, logs: [], canceling: false });
      stop.current = followRun(
        id,
        (e) => {
          apply(e);
          if (e.event === 'run' && FINAL.has(e.status)) void settle(id);
        },
        (message) => {
          setError(message);
          void settle(id);
        },
      );
    },
    [apply, settle],
  );

  const submit = useCallback(
    async (pipelineId: number, experiment: string, parameters: Record<string, unknown>, compute = 'local') => {
      setSubmitting(true);
      setError(null);
      try {
        const r = await api('POST /api/runs', { body: { pipeline_id: pipelineId, experiment, parameters, compute } });
        watch(r.run_id, experiment);
        return r.run_id;
      } catch (e) {
        setError(errorMessage(e));
        return null;
      } finally {
        setSubmitting(false);
      }
    },
    [watch],
  );

  const cancel = useCallback(async () => {
    if (!run) return;
    setRun((r) => (r ? { ...r, canceling: true } : r));
    try {
      await api('POST /api/runs/{id}/cancel', { params: { id: run.id } });
    } catch (e) {
      setError(errorMessage(e));
      setRun((r) => (r ? { ...r, canceling: false } : r));
    }
  }, [run]);

  const active = run !== null && !FINAL.has(run.status);
  return { run, active, submitting, error, submit, cancel, watch, clearError: () => setError(null) };
}

export type RunApi = ReturnType<typeof useRun>;
