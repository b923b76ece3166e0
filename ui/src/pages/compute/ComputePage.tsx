// Compute targets: where runs execute. "local" (this machine) is built in;
// a Slurm target submits each step as a batch job (docs/slurm.md). The page
// lists the targets and adds or removes them; a run picks one when it is
// submitted, and a node can override it in the designer's document.

import { useCallback, useState, type ChangeEvent, type ReactNode } from 'react';

import { api, errorMessage } from '../../api/client';
import { PageFrame } from '../../components/PageFrame';
import { useLoad } from '../../components/useLoad';
import type { ComputeKind, ComputeTarget, SlurmSettings } from './types';
import './compute.css';

/** The settings as a short line: "partition debug · 4 CPUs · 8192 MB". */
export function settingsSummary(t: ComputeTarget): string {
  if (t.builtin) return 'This machine: each step in a process of its own';
  const c = t.config;
  const parts: string[] = [];
  if (c.partition) parts.push(`partition ${c.partition}`);
  if (c.account) parts.push(`account ${c.account}`);
  if (c.time_limit !== undefined) parts.push(`time ${c.time_limit}`);
  if (c.cpus !== undefined) parts.push(`${c.cpus} CPU${c.cpus === 1 ? '' : 's'}`);
  if (c.memory_mb !== undefined) parts.push(`${c.memory_mb} MB`);
  if (c.sbatch_args?.length) parts.push(c.sbatch_args.join(' '));
  if (c.workspace) parts.push(`workspace ${c.workspace}`);
  if (c.retries) parts.push(`${c.retries} retr${c.retries === 1 ? 'y' : 'ies'}`);
  if (c.max_jobs !== undefined) parts.push(`at most ${c.max_jobs} jobs`);
  if (c.job_arrays === false) parts.push('no job arrays');
  return parts.length ? parts.join(' · ') : 'the cluster’s defaults';
}

interface FormState {
  name: string;
  kind: ComputeKind;
  partition: string;
  account: string;
  time_limit: string;
  cpus: string;
  memory_mb: string;
  sbatch_args: string;
  workspace: string;
  weft: string;
  retries: string;
  max_jobs: string;
  job_arrays: boolean;
}

/** The fields typed as text. */
type TextKey = Exclude<keyof FormState, 'job_arrays'>;

const EMPTY: FormState = {
  name: '',
  kind: 'slurm',
  partition: '',
  account: '',
  time_limit: '',
  cpus: '',
  memory_mb: '',
  sbatch_args: '',
  workspace: '',
  weft: '',
  retries: '',
  max_jobs: '',
  job_arrays: true,
};

/** The settings the form holds; numbers stay text when they are not numbers, so the server says what is wrong. */
function settingsOf(f: FormState): SlurmSettings {
  const c: Record<string, unknown> = {};
  const num = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());
  if (f.kind === 'slurm') {
    if (f.partition.trim()) c.partition = f.partition.trim();
    if (f.account.trim()) c.account = f.account.trim();
    if (f.time_limit.trim()) c.time_limit = f.time_limit.trim();
    if (f.cpus.trim()) c.cpus = num(f.cpus);
    if (f.memory_mb.trim()) c.memory_mb = num(f.memory_mb);
    const args = f.sbatch_args.split(/\s+/).filter((a) => a !== '');
    if (args.length) c.sbatch_args = args;
    if (f.workspace.trim()) c.workspace = f.workspace.trim();
    if (f.weft.trim()) c.weft = f.weft.trim();
    if (f.max_jobs.trim()) c.max_jobs = num(f.max_jobs);
    // On is the server's default: only "off" is written.
    if (!f.job_arrays) c.job_arrays = false;
  }
  if (f.retries.trim()) c.retries = num(f.retries);
  return c as SlurmSettings;
}

function Field({ label, help, children }: { label: string; help?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {help ? <span className="field-help">{help}</span> : null}
    </label>
  );
}

function AddTarget({ onAdded }: { onAdded: () => void }) {
  const [f, setF] = useState<FormState>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (k: TextKey) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setF({ ...f, [k]: e.target.value });
  const text = (k: TextKey, placeholder = '') => (
    <input type="text" value={f[k]} onChange={set(k)} placeholder={placeholder} />
  );

  const submit = async () => {
    setSaving(true);
    setError(null);
    try {
      await api('POST /api/compute', { body: { name: f.name.trim(), kind: f.kind, config: settingsOf(f) } });
      setF(EMPTY);
      onAdded();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="compute-form"
      aria-label="Add a compute target"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>Add a target</h2>
      <div className="compute-grid">
        <Field label="Name" help="Letters, digits, '-', '_' and '.'">
          <input type="text" value={f.name} onChange={set('name')} required maxLength={100} />
        </Field>
        <Field label="Kind">
          <select value={f.kind} onChange={set('kind')}>
            <option value="slurm">Slurm cluster</option>
            <option value="local">This machine</option>
          </select>
        </Field>
        {f.kind === 'slurm' ? (
          <>
            <Field label="Partition">{text('partition', 'the cluster’s default')}</Field>
            <Field label="Account">{text('account')}</Field>
            <Field label="Time limit per step" help="Minutes, or HH:MM:SS">
              {text('time_limit', 'the run’s limit')}
            </Field>
            <Field label="CPUs per step">{text('cpus')}</Field>
            <Field label="Memory per step (MB)">{text('memory_mb')}</Field>
            <Field label="More sbatch options" help="Separated by spaces: --qos=low --gres=gpu:1">
              {text('sbatch_args')}
            </Field>
            <Field label="Workspace on the compute nodes" help="Where the shared filesystem puts this workspace">
              {text('workspace', 'the same path as here')}
            </Field>
            <Field label="weft on the compute nodes">{text('weft', 'this server’s binary')}</Field>
            <Field label="Jobs at once">{text('max_jobs', '256')}</Field>
            <label className="field field-check">
              <span className="field-label">
                <input
                  type="checkbox"
                  checked={f.job_arrays}
                  onChange={(e) => setF({ ...f, job_arrays: e.target.checked })}
                />{' '}
                Job arrays
              </span>
              <span className="field-help">
                Cross Validate Model’s folds and Tune Model Hyperparameters’ runs as one Slurm job array, a task each
              </span>
            </label>
          </>
        ) : null}
        <Field label="Retries per step" help="How often a failed step is tried again">
          {text('retries', '0')}
        </Field>
      </div>
      <div className="compute-actions">
        {error ? (
          <span className="error small" role="alert">
            {error}
          </span>
        ) : null}
        <button type="submit" className="primary" disabled={saving || f.name.trim() === ''}>
          {saving ? 'Adding…' : 'Add target'}
        </button>
      </div>
    </form>
  );
}

export function ComputePage() {
  const list = useLoad(useCallback((signal: AbortSignal) => api('GET /api/compute', { signal }).then((r) => r.targets), []));
  const [error, setError] = useState<string | null>(null);

  const remove = async (name: string) => {
    if (!window.confirm(`Remove compute target ${name}? Runs that used it keep its name.`)) return;
    setError(null);
    try {
      await api('DELETE /api/compute/{name}', { params: { name } });
      list.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <PageFrame title="Compute">
      <div className="compute-page">
        <h1>Compute targets</h1>
        <p className="muted">
          Where a run’s steps execute. Choose one when you submit a run; a node can name its own in the pipeline document
          (<code>"compute": "name"</code>).
        </p>
        {list.error || error ? (
          <p className="error" role="alert">
            {error ?? list.error}
          </p>
        ) : null}
        {list.data === null && !list.error ? <p className="muted">Loading…</p> : null}
        {list.data ? (
          <table className="list compute-list" aria-label="Compute targets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Settings</th>
                <th scope="col" aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.name} data-testid={`compute-${t.name}`}>
                  <td>
                    <strong>{t.name}</strong>
                  </td>
                  <td>{t.kind === 'slurm' ? 'Slurm' : 'local'}</td>
                  <td className="muted">{settingsSummary(t)}</td>
                  <td className="num">
                    {t.builtin ? (
                      <span className="muted small">built in</span>
                    ) : (
                      <button type="button" onClick={() => void remove(t.name)} aria-label={`Remove ${t.name}`}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <AddTarget onAdded={list.reload} />
      </div>
    </PageFrame>
  );
}
