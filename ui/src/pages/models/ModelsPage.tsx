// Models: the registered models, and one open beside the list with its
// versions, its lineage (the run, the step and the dataset versions, each a
// link) and its download.

import { useCallback, useEffect } from 'react';

import { api, routeUrl } from '../../api/client';
import { ago, when } from '../../components/format';
import { PageFrame } from '../../components/PageFrame';
import { StatusBadge } from '../../components/StatusBadge';
import { useLoad } from '../../components/useLoad';
import { useVersions, VersionSelect } from '../../components/Versions';
import { Link, navigate } from '../../router';

import '../workspace.css';

function ModelDetail({ name, version }: { name: string; version: number | null }) {
  const versions = useVersions(name, version, (signal) =>
    api('GET /api/models/{name}/versions', { params: { name }, signal }).then((r) => r.versions),
  );
  const { latest, current } = versions;
  const v = current?.version;
  const lineage = useLoad(
    useCallback(
      (signal: AbortSignal) =>
        v === undefined ? Promise.resolve(null) : api('GET /api/models/{name}/lineage', { params: { name }, query: { version: v }, signal }),
      [name, v],
    ),
  ).data;
  const error = versions.error;

  useEffect(() => {
    document.title = `${name} · Models · weft`;
  }, [name]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!current) return <p className="muted">Loading {name}…</p>;
  const pick = (n: number) => navigate(`/models/${encodeURIComponent(name)}${n === latest?.version ? '' : `?version=${n}`}`, { replace: true });

  return (
    <article className="model-detail" aria-label={`Model ${name}`}>
      <header className="detail-head">
        <div className="detail-title">
          <h2>{name}</h2>
          <VersionSelect state={versions} onPick={pick} />
          <span className={`kind-pill kind-${current.kind}`}>{current.kind}</span>
        </div>
        <div className="detail-actions">
          <a className="button primary-link" href={routeUrl('GET /api/models/{name}/download', { name }, { version: current.version })} download data-testid="model-download">
            Download
          </a>
        </div>
      </header>
      {current.description ? <p className="detail-description">{current.description}</p> : null}
      <dl className="facts">
        <div>
          <dt>Registered</dt>
          <dd>{when(current.created_at)}</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>
            <code>
              {current.node}.{current.port}
            </code>
          </dd>
        </div>
        <div>
          <dt>Digest</dt>
          <dd>
            <code title={current.digest}>{current.digest.slice(0, 12)}</code>
          </dd>
        </div>
      </dl>
      <section className="lineage" aria-label="Lineage" data-testid="lineage">
        <h3>Lineage</h3>
        <ol className="lineage-chain">
          <li className="lineage-node lineage-data">
            <span className="lineage-kind">Data</span>
            {(lineage?.datasets ?? current.datasets).length === 0 ? <span className="muted small">No registered dataset (the run typed or imported its data)</span> : null}
            {(lineage?.datasets ?? current.datasets).map((d) => (
              <Link key={`${d.node}-${d.name}`} to={`/datasets/${encodeURIComponent(d.name)}?version=${d.version}`} className="lineage-link" data-lineage="dataset">
                {d.name} <span className="version-pill">v{d.version}</span>
                <span className="muted small"> via {d.node}</span>
              </Link>
            ))}
          </li>
          <li className="lineage-node">
            <span className="lineage-kind">Run</span>
            <Link to={`/runs/${current.run_id}`} className="lineage-link" data-lineage="run">
              Run {current.run_id}
            </Link>
            {lineage?.run ? (
              <span className="muted small">
                {lineage.run.pipeline} · {lineage.run.experiment} · <StatusBadge status={lineage.run.status} />
              </span>
            ) : null}
          </li>
          <li className="lineage-node">
            <span className="lineage-kind">Step</span>
            <Link to={`/runs/${current.run_id}?node=${encodeURIComponent(current.node)}`} className="lineage-link" data-lineage="step">
              {current.node}
            </Link>
            {lineage?.step ? <span className="muted small">{lineage.step.module}</span> : null}
          </li>
          <li className="lineage-node lineage-model">
            <span className="lineage-kind">Model</span>
            <span className="lineage-self">
              {name} <span className="version-pill">v{current.version}</span>
            </span>
          </li>
        </ol>
      </section>
      <section aria-label="Versions">
        <h3>Versions</h3>
        <table className="list versions-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Registered</th>
              <th scope="col">Run</th>
              <th scope="col">Output</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {(versions.data ?? [])
              .slice()
              .reverse()
              .map((x) => (
                <tr key={x.version} className={x.version === current.version ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => pick(x.version)}>
                      Version {x.version}
                    </button>
                  </td>
                  <td>{when(x.created_at)}</td>
                  <td>
                    <Link to={`/runs/${x.run_id}`}>Run {x.run_id}</Link>
                  </td>
                  <td>
                    <code>
                      {x.node}.{x.port}
                    </code>
                  </td>
                  <td className="muted">{x.description}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}

export function ModelsPage({ name, version }: { name: string | null; version: number | null }) {
  const list = useLoad(useCallback((signal: AbortSignal) => api('GET /api/models', { signal }).then((r) => r.models), []));
  return (
    <PageFrame title="Models" wide>
      <div className="ws-split">
        <aside className="ws-list" aria-label="Models">
          <div className="ws-list-head">
            <h1>Models</h1>
            <span className="muted small">{list.data?.length ?? ''}</span>
          </div>
          {list.error ? <p className="error small">{list.error}</p> : null}
          {list.data === null && !list.error ? <p className="muted small">Loading…</p> : null}
          <ul className="ws-cards">
            {(list.data ?? []).map((m) => (
              <li key={m.name}>
                <Link
                  to={`/models/${encodeURIComponent(m.name)}`}
                  className={`ws-card${m.name === name ? ' selected' : ''}`}
                  aria-current={m.name === name ? 'page' : undefined}
                  data-model={m.name}
                >
                  <span className="ws-card-title">
                    {m.name}
                    <span className="version-pill">v{m.version}</span>
                  </span>
                  <span className="ws-card-meta">
                    {m.kind} · {m.versions ?? 1} version{(m.versions ?? 1) === 1 ? '' : 's'}
                  </span>
                  <span className="ws-card-sub">
                    from run {m.run_id} · {ago(m.created_at)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {list.data && list.data.length === 0 ? (
            <p className="muted small">No models yet. Register a trained model from a run's Train Model step.</p>
          ) : null}
        </aside>
        <section className="ws-detail">
          {name ? (
            <ModelDetail key={name} name={name} version={version} />
          ) : (
            <div className="drop-hint">
              <h2>Registered models</h2>
              <p className="muted">Pick a model to see its versions, where it came from, and to download it.</p>
            </div>
          )}
        </section>
      </div>
    </PageFrame>
  );
}
