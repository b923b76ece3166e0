// One published pipeline: its versions (one is the default, and any can
// become it), the parameters it takes, a form to submit a run with
// parameter values (and the same request for REST clients), and the runs
// submitted through it, refreshed while any is going. It can be disabled
// (it then refuses new runs) and enabled again.

import { useCallback, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { PublishedDetail, PublishedVersion } from '../../api/production';
import { CopyButton } from '../../components/CopyButton';
import { PageFrame } from '../../components/PageFrame';
import { Link } from '../../router';
import { when } from '../endpoints/StateBadge';
import { usePolled } from '../endpoints/usePolled';
import { SubmitCard } from './SubmitCard';
import '../endpoints/production.css';

/** A version's source for people, with a link: "draft:12@7" or "run:31". */
function Source({ text }: { text: string }) {
  let m = /^draft:(\d+)@(\d+)$/.exec(text);
  if (m)
    return (
      <Link to={`/pipelines/${m[1]}`}>
        Draft {m[1]}, revision {m[2]}
      </Link>
    );
  m = /^run:(\d+)$/.exec(text);
  if (m) return <Link to={`/runs/${m[1]}`}>Run {m[1]}</Link>;
  return <span>{text || '—'}</span>;
}

const ACTIVE = new Set(['queued', 'running']);

function Versions({ p, onChanged }: { p: PublishedDetail; onChanged: (p: PublishedDetail) => void }) {
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const makeDefault = async (v: PublishedVersion) => {
    setBusy(v.version);
    setError(null);
    try {
      onChanged(await api('PATCH /api/published/{id}', { params: { id: p.id }, body: { default_version: v.version } }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title" className="card-title">
        Versions
        <span className="muted small card-note">immutable: publish again under this name to add one</span>
      </h2>
      {error ? (
        <p className="error small" role="alert">
          {error}
        </p>
      ) : null}
      <table className="list version-list" data-testid="versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Published from</th>
            <th scope="col">Published</th>
            <th scope="col">
              <span className="sr-only">Default</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...p.versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>
                  <strong>{v.version}</strong>
                  {v.default ? <span className="default-tag">default</span> : null}
                </td>
                <td>
                  <Source text={v.source} />
                </td>
                <td>{when(v.created_at)}</td>
                <td>
                  {v.default ? null : (
                    <button type="button" className="link-button small" disabled={busy !== null} onClick={() => void makeDefault(v)}>
                      {busy === v.version ? 'Setting…' : 'Make default'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}

/** Disable or enable: a disabled pipeline refuses new runs, here and over REST. */
function DisableButton({ p, onChanged }: { p: PublishedDetail; onChanged: (p: PublishedDetail) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    if (!p.disabled && !window.confirm(`Disable “${p.name}”? It will refuse new runs until it is enabled again; its versions and runs stay.`)) return;
    setBusy(true);
    setError(null);
    try {
      onChanged(await api('PATCH /api/published/{id}', { params: { id: p.id }, body: { disabled: !p.disabled } }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="form-actions">
      {error ? (
        <span className="error small" role="alert">
          {error}
        </span>
      ) : null}
      <button type="button" disabled={busy} onClick={() => void toggle()}>
        {p.disabled ? 'Enable' : 'Disable'}
      </button>
    </div>
  );
}

function Runs({ id }: { id: number }) {
  const [active, setActive] = useState(false);
  const runs = usePolled(
    useCallback(
      (signal: AbortSignal) =>
        api('GET /api/published/{id}/runs', { params: { id }, signal }).then((r) => {
          setActive(r.runs.some((x) => ACTIVE.has(x.status)));
          return r.runs;
        }),
      [id],
    ),
    active ? 1500 : 6000,
  );
  return (
    <section className="card card-wide" aria-labelledby="runs-title">
      <h2 id="runs-title" className="card-title">
        Runs
        <span className="muted small card-note">submitted here or over REST, newest first</span>
      </h2>
      {runs.error && !runs.data ? <p className="error small">{runs.error}</p> : null}
      {runs.data?.length === 0 ? <p className="muted">No runs yet: submit one.</p> : null}
      {runs.data && runs.data.length > 0 ? (
        <table className="list" data-testid="published-runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Version</th>
              <th scope="col">Experiment</th>
              <th scope="col">Status</th>
              <th scope="col">Parameters</th>
              <th scope="col">Submitted</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id} data-run={r.id}>
                <td>
                  <Link to={`/runs/${r.id}`}>Run {r.id}</Link>
                </td>
                <td>{r.version}</td>
                <td>{r.experiment}</td>
                <td className={`status-${r.status}`} data-status={r.status} title={r.error || undefined}>
                  {r.status}
                  {r.error ? <div className="error small clamp">{r.error}</div> : null}
                </td>
                <td className="mono small">
                  {Object.keys(r.parameters).length === 0
                    ? '—'
                    : Object.entries(r.parameters)
                        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
                        .join(', ')}
                </td>
                <td>{when(r.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function PublishedPage({ id }: { id: number }) {
  const [override, setOverride] = useState<PublishedDetail | null>(null);
  const [submitted, setSubmitted] = useState(0);
  const loaded = usePolled(
    useCallback((signal: AbortSignal) => api('GET /api/published/{id}', { params: { id }, signal }), [id]),
    0,
  );
  const p = override && override.id === id ? override : loaded.data;

  if (loaded.status === 404) {
    return (
      <PageFrame title="Published pipelines">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/published">Published pipelines</Link>
        </nav>
        <h1>There is no published pipeline {id}</h1>
      </PageFrame>
    );
  }

  const restBody = p ? JSON.stringify({ experiment: p.name, parameters: Object.fromEntries(Object.entries(p.parameters).map(([k, s]) => [k, s.default ?? null])) }, null, 2) : '';
  const rest = p ? `curl -sS -X POST '${window.location.origin}/api/published/${p.id}/runs' \\\n  -H 'Content-Type: application/json' \\\n  --data-binary @- <<'JSON'\n${restBody}\nJSON\n` : '';

  return (
    <PageFrame title={p ? `${p.name} · Published pipelines` : 'Published pipelines'}>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/published">Published pipelines</Link>
        <span aria-hidden="true"> / </span>
        <span>{p?.name ?? id}</span>
      </nav>
      {loaded.error && !p ? (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      ) : null}
      {!p && !loaded.error ? <p className="muted">Loading…</p> : null}
      {p ? (
        <>
          <div className="page-head">
            <div>
              <h1 className="with-badge">
                {p.name}
                <span className="default-tag">default version {p.default_version}</span>
                {p.disabled ? <span className="disabled-pill">disabled</span> : null}
              </h1>
              {p.description ? <p className="muted page-lede">{p.description}</p> : null}
            </div>
            <DisableButton p={p} onChanged={setOverride} />
          </div>
          <div className="two-columns">
            <div className="stack">
              <Versions p={p} onChanged={setOverride} />
              <section className="card" aria-labelledby="rest-title">
                <h2 id="rest-title" className="card-title">
                  Submit over REST
                  <CopyButton text={rest} what="REST request" className="card-note" />
                </h2>
                <p className="muted small">
                  The answer is <code>{'{"run_id": N, ...}'}</code>; follow the run at <code>GET /api/runs/N</code>. Add{' '}
                  <code>"version"</code> to run another version than the default, and a workspace token (
                  <code>Authorization: Bearer</code>) when the server has one.
                </p>
                <div className="code-block">
                  <pre data-testid="rest-sample">{rest}</pre>
                </div>
              </section>
            </div>
            {/* Remade when the default changes, so it offers the new default. */}
            <SubmitCard key={p.default_version} p={p} onSubmitted={() => setSubmitted((n) => n + 1)} />
          </div>
          <div className="details-grid runs-grid">
            <Runs key={`${id}-${submitted}`} id={id} />
          </div>
        </>
      ) : null}
    </PageFrame>
  );
}
