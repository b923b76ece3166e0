// Submit: pick or name an experiment, choose where the run executes (a
// compute target, #12), and give the pipeline parameters their values for
// this run (their defaults to start with).

import { useEffect, useState } from 'react';

import { api } from '../../api/client';
import type { PipelineParameter } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import type { ComputeTarget } from '../compute/types';

interface SubmitDialogProps {
  parameters: Record<string, PipelineParameter>;
  submitting: boolean;
  error: string | null;
  onSubmit: (experiment: string, values: Record<string, unknown>, compute: string) => void;
  onClose: () => void;
}

const LAST_EXPERIMENT = 'weft.experiment';
const LAST_COMPUTE = 'weft.compute';

function parseValue(type: string, text: string): unknown {
  if (type === 'number' || type === 'int') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (type === 'bool') return text === 'true';
  if (type === 'column-selection') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function SubmitDialog({ parameters, submitting, error, onSubmit, onClose }: SubmitDialogProps) {
  const [experiment, setExperiment] = useState(() => localStorage.getItem(LAST_EXPERIMENT) ?? 'Default');
  const [known, setKnown] = useState<string[]>([]);
  const [compute, setCompute] = useState(() => localStorage.getItem(LAST_COMPUTE) ?? 'local');
  // null until the list arrives: meanwhile the remembered target stands.
  const [targets, setTargets] = useState<ComputeTarget[] | null>(null);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(parameters).map(([k, p]) => [k, show(p.default)])),
  );

  useEffect(() => {
    const abort = new AbortController();
    api('GET /api/runs', { query: { limit: 200 }, signal: abort.signal })
      .then((r) => setKnown([...new Set(r.runs.map((x) => x.experiment))].sort()))
      .catch(() => {
        // the list only helps; typing a name works without it
      });
    api('GET /api/compute', { signal: abort.signal })
      .then((r) => setTargets(r.targets))
      .catch(() => {
        // without the list, the run goes to the built-in target
      });
    return () => abort.abort();
  }, []);
  // A remembered target that was removed since falls back to "local".
  const where = targets === null || targets.some((t) => t.name === compute) ? compute : 'local';
  const shown: Pick<ComputeTarget, 'name' | 'kind'>[] = targets?.length
    ? targets
    : [{ name: 'local', kind: 'local' }, ...(where === 'local' ? [] : [{ name: where, kind: 'local' as const }])];

  const valid = experiment.trim().length >= 1 && experiment.trim().length <= 100;
  const submit = () => {
    if (!valid) return;
    localStorage.setItem(LAST_EXPERIMENT, experiment.trim());
    localStorage.setItem(LAST_COMPUTE, where);
    const bound: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(parameters)) {
      const text = values[k] ?? '';
      if (text !== show(p.default)) bound[k] = parseValue(p.type, text);
    }
    onSubmit(experiment.trim(), bound, where);
  };

  return (
    <Dialog
      title="Submit a run"
      onClose={onClose}
      testId="submit-dialog"
      footer={
        <>
          {error ? (
            <span className="error small" role="alert">
              {error}
            </span>
          ) : null}
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="submit-form" className="primary" disabled={!valid || submitting}>
            {submitting ? 'Submitting…' : 'Submit'}
          </button>
        </>
      }
    >
      <form
        id="submit-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span className="field-label">Experiment</span>
          <input type="text" list="experiments" value={experiment} onChange={(e) => setExperiment(e.target.value)} maxLength={100} required />
          <datalist id="experiments">
            {known.map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
          <span className="field-help">Pick an experiment, or type a new name to create one.</span>
        </label>
        <label className="field">
          <span className="field-label">Compute</span>
          <select value={where} onChange={(e) => setCompute(e.target.value)} data-testid="submit-compute">
            {shown.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name === 'local'
                  ? 'local (this machine)'
                  : targets === null
                    ? t.name
                    : `${t.name} (${t.kind === 'slurm' ? 'Slurm' : 'local'})`}
              </option>
            ))}
          </select>
          <span className="field-help">Where the steps run; a node’s own compute setting wins over this.</span>
        </label>
        {Object.keys(parameters).length > 0 ? <h3 className="props-sub">Pipeline parameters</h3> : null}
        {Object.entries(parameters).map(([k, p]) => (
          <label className="field" key={k}>
            <span className="field-label">
              {k} <span className="muted small">({p.type})</span>
            </span>
            <input
              type="text"
              value={values[k] ?? ''}
              placeholder={p.default === undefined || p.default === null ? 'required' : ''}
              onChange={(e) => setValues({ ...values, [k]: e.target.value })}
            />
          </label>
        ))}
      </form>
    </Dialog>
  );
}
