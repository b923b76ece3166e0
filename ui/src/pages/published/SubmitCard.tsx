// Submit a run of a published pipeline: which version (the default unless
// chosen), the experiment, and a value for each pipeline parameter (its
// default to start with; a dataset parameter picks from the workspace's
// datasets). What is sent is what a REST client sends.

import { useEffect, useId, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { PublishedDetail } from '../../api/production';
import type { PipelineParameter } from '../../api/types';
import { Link } from '../../router';

function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A field's text as the parameter's value. */
function parse(type: string, text: string): unknown {
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

function ParamInput({ name, spec, value, datasets, onChange }: { name: string; spec: PipelineParameter; value: string; datasets: string[]; onChange: (v: string) => void }) {
  const id = useId();
  const required = spec.default === undefined || spec.default === null;
  const control =
    spec.type === 'dataset' && datasets.length > 0 ? (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required}>
        {required ? <option value="">Choose a dataset…</option> : null}
        {[...new Set([...(value ? [value] : []), ...datasets])].map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
    ) : spec.type === 'bool' ? (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    ) : (
      <input id={id} type="text" value={value} placeholder={required ? 'required' : ''} onChange={(e) => onChange(e.target.value)} required={required} />
    );
  return (
    <div className="field" data-param={name}>
      <label className="field-label" htmlFor={id}>
        {name} <span className="type-tag">{spec.type}</span>
        {required ? <span className="required"> *</span> : null}
      </label>
      {control}
    </div>
  );
}

export function SubmitCard({ p, onSubmitted }: { p: PublishedDetail; onSubmitted: (runId: number) => void }) {
  const [version, setVersion] = useState(p.default_version);
  const [params, setParams] = useState<Record<string, PipelineParameter>>(p.parameters);
  const [values, setValues] = useState<Record<string, string>>({});
  const [experiment, setExperiment] = useState(p.name);
  const [datasets, setDatasets] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<{ run: number; version: number } | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    api('GET /api/datasets', { signal: abort.signal })
      .then((r) => setDatasets([...new Set(r.datasets.map((d) => d.name))].sort()))
      .catch(() => {
        // a dataset name can still be typed
      });
    return () => abort.abort();
  }, []);

  // Each version has its own parameters; the default's come with the page.
  useEffect(() => {
    if (version === p.default_version) {
      setParams(p.parameters);
      return;
    }
    const abort = new AbortController();
    api('GET /api/published/{id}/versions/{version}', { params: { id: p.id, version }, signal: abort.signal })
      .then((v) => setParams(v.parameters))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [version, p]);

  useEffect(() => {
    setValues(Object.fromEntries(Object.entries(params).map(([k, s]) => [k, show(s.default)])));
  }, [params]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    setStarted(null);
    // Every value is sent, defaults too, so that the run records what it used.
    const bound: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(params)) {
      const text = values[k] ?? '';
      if (text !== '' || (s.default !== undefined && s.default !== null)) bound[k] = parse(s.type, text);
    }
    try {
      const r = await api('POST /api/published/{id}/runs', {
        params: { id: p.id },
        body: { experiment: experiment.trim() || p.name, parameters: bound, ...(version !== p.default_version ? { version } : {}) },
      });
      setStarted({ run: r.run_id, version: r.version });
      onSubmitted(r.run_id);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="submit-title">
      <h2 id="submit-title" className="card-title">
        Submit a run
      </h2>
      <form
        data-testid="published-submit"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span className="field-label">Version</span>
          <select value={version} onChange={(e) => setVersion(Number(e.target.value))}>
            {[...p.versions]
              .sort((a, b) => b.version - a.version)
              .map((v) => (
                <option key={v.version} value={v.version}>
                  Version {v.version}
                  {v.default ? ' (default)' : ''}
                </option>
              ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Experiment</span>
          <input type="text" value={experiment} maxLength={100} onChange={(e) => setExperiment(e.target.value)} />
        </label>
        {Object.keys(params).length > 0 ? <h3 className="props-sub">Parameters</h3> : <p className="muted small">This version takes no parameters.</p>}
        {Object.entries(params).map(([k, s]) => (
          <ParamInput key={k} name={k} spec={s} value={values[k] ?? ''} datasets={datasets} onChange={(v) => setValues({ ...values, [k]: v })} />
        ))}
        {error ? (
          <p className="error small" role="alert">
            {error}
          </p>
        ) : null}
        {started ? (
          <p className="success-line" role="status">
            <span>
              <Link to={`/runs/${started.run}`}>Run {started.run}</Link> of version {started.version} is submitted.
            </span>
          </p>
        ) : null}
        {p.disabled ? <p className="muted small">This pipeline is disabled: enable it to submit runs.</p> : null}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || p.disabled}>
            {busy ? 'Submitting…' : 'Submit'}
          </button>
        </div>
      </form>
    </section>
  );
}
