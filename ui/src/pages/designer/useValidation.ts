// Validation as the user edits: each saved revision is checked on the
// server's validate endpoint (every rule of docs/pipelines.md §4, column
// selections against the propagated schemas), and the issues are grouped
// by node and field for the canvas badges and the properties pane.

import { useEffect, useMemo, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { ValidationIssue } from '../../api/types';

export interface ValidationState {
  /** null until the first answer. */
  issues: ValidationIssue[] | null;
  checking: boolean;
  error: string | null;
  byNode: Map<string, ValidationIssue[]>;
}

export function useValidation(draftId: number, revision: number): ValidationState {
  const [issues, setIssues] = useState<ValidationIssue[] | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    setChecking(true);
    api('POST /api/pipelines/{id}/validate', { params: { id: draftId }, signal: abort.signal })
      .then((v) => {
        setIssues(v.issues);
        setError(null);
        setChecking(false);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(errorMessage(e));
        setChecking(false);
      });
    return () => abort.abort();
  }, [draftId, revision]);

  const byNode = useMemo(() => {
    const m = new Map<string, ValidationIssue[]>();
    for (const i of issues ?? []) m.set(i.node, [...(m.get(i.node) ?? []), i]);
    return m;
  }, [issues]);

  return { issues, checking, error, byNode };
}
