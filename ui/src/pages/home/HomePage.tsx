// The pipelines home: the drafts, the recent runs, "New pipeline", import a
// pipeline document, and the sample pipelines of the repository, each
// opened as a new draft.

import { useCallback, useEffect, useState } from 'react';

import { api, errorMessage } from '../../api/client';
import type { DraftSummary, PipelineDocument, RunSummary } from '../../api/types';
import { NavBar } from '../../components/NavBar';
import { Link, navigate } from '../../router';

// The sample pipelines are bundled at build time from the repository.
const SAMPLE_FILES = {
  ...import.meta.glob<PipelineDocument>('../../../../samples/**/*.json', { eager: true, import: 'default' }),
  ...import.meta.glob<PipelineDocument>('../../../../examples/*.json', { eager: true, import: 'default' }),
};

const SAMPLES = Object.entries(SAMPLE_FILES)
  .filter(([, doc]) => doc?.format === 'weft.pipeline/1')
  .map(([file, doc]) => ({ file: file.replace(/^(\.\.\/)+/, ''), doc }))
  .sort((a, b) => (a.doc.name ?? a.file).localeCompare(b.doc.name ?? b.file));

function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

function useList<T>(load: (signal: AbortSignal) => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [load, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function HomePage() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const drafts = useList(
    useCallback((signal: AbortSignal) => api('GET /api/pipelines', { query: { limit: 200 }, signal }).then((r) => r.pipelines), []),
  );
  const runs = useList(
    useCallback((signal: AbortSignal) => api('GET /api/runs', { query: { limit: 20 }, signal }).then((r) => r.runs), []),
  );

  useEffect(() => {
    document.title = 'Pipelines · weft';
  }, []);

  const create = async (doc: PipelineDocument, how: 'new' | 'import' = 'new') => {
    setBusy(true);
    setError(null);
    try {
      const d = how === 'import' ? await api('POST /api/pipelines/import', { body: doc }) : await api('POST /api/pipelines', { body: doc });
      navigate(`/pipelines/${d.id}`);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  const remove = async (d: DraftSummary) => {
    if (!window.confirm(`Delete the draft “${d.name}”? Its runs are kept.`)) return;
    try {
      await api('DELETE /api/pipelines/{id}', { params: { id: d.id } });
      drafts.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const importFile = async (file: File) => {
    let doc: PipelineDocument;
    try {
      doc = JSON.parse(await file.text()) as PipelineDocument;
    } catch (e) {
      setError(`${file.name} is not JSON: ${errorMessage(e)}`);
      return;
    }
    await create(doc, 'import');
  };

  const draftFor = (run: RunSummary) => (drafts.data ?? []).find((d) => d.name === run.pipeline);

  return (
    <div className="home">
      <header className="toolbar">
        <span className="brand">weft</span>
        <NavBar />
        <span className="toolbar-gap" />
        <label className="button">
          Import…
          <input
            type="file"
            accept=".json,application/json"
            className="sr-only"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
              e.target.value = '';
            }}
          />
        </label>
        <button type="button" className="primary" disabled={busy} onClick={() => void create({ format: 'weft.pipeline/1', name: 'Untitled pipeline', nodes: [], edges: [] })}>
          New pipeline
        </button>
      </header>
      <main className="home-body">
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <section aria-labelledby="drafts-title">
          <h1 id="drafts-title">Pipelines</h1>
          {drafts.error ? <p className="error">{drafts.error}</p> : null}
          {drafts.data === null && !drafts.error ? <p className="muted">Loading…</p> : null}
          {drafts.data?.length === 0 ? <p className="muted">No pipelines yet: start a new one, or open a sample.</p> : null}
          {drafts.data && drafts.data.length > 0 ? (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Revision</th>
                  <th scope="col">Changed</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {drafts.data.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/pipelines/${d.id}`}>{d.name || 'Untitled pipeline'}</Link>
                    </td>
                    <td>{d.revision}</td>
                    <td>{when(d.updated_at)}</td>
                    <td>
                      <button type="button" className="link-button small" onClick={() => void remove(d)} aria-label={`Delete ${d.name}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
        <section aria-labelledby="samples-title">
          <h2 id="samples-title">Samples</h2>
          {SAMPLES.length === 0 ? <p className="muted">No sample pipelines are bundled.</p> : null}
          <ul className="samples">
            {SAMPLES.map((s) => (
              <li key={s.file}>
                <button type="button" disabled={busy} onClick={() => void create({ ...s.doc, name: s.doc.name ?? s.file })}>
                  Open sample: {s.doc.name ?? s.file}
                </button>
                {s.doc.description ? <span className="muted small"> {s.doc.description}</span> : null}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="runs-title">
          <h2 id="runs-title">Recent runs</h2>
          {runs.error ? <p className="error">{runs.error}</p> : null}
          {runs.data === null && !runs.error ? <p className="muted">Loading…</p> : null}
          {runs.data?.length === 0 ? <p className="muted">No runs yet.</p> : null}
          {runs.data && runs.data.length > 0 ? (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Pipeline</th>
                  <th scope="col">Experiment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.map((r) => {
                  const d = draftFor(r);
                  return (
                    <tr key={r.id}>
                      <td>{d ? <Link to={`/pipelines/${d.id}?run=${r.id}`}>Run {r.id}</Link> : `Run ${r.id}`}</td>
                      <td>{r.pipeline}</td>
                      <td>{r.experiment}</td>
                      <td className={`status-${r.status}`}>{r.status}</td>
                      <td>{when(r.created_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : null}
        </section>
      </main>
    </div>
  );
}
