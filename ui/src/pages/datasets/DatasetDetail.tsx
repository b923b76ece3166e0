// One dataset: its versions, a preview of the chosen version's rows, its
// profile, downloads, archive and reactivate, and "Use in new pipeline".

import { useCallback, useEffect, useState } from 'react';

import { api, errorMessage, routeUrl } from '../../api/client';
import type { TablePage } from '../../api/types';
import { bytes, count, when } from '../../components/format';
import { useVersions, VersionSelect } from '../../components/Versions';
import { navigate } from '../../router';
import { OutputRows } from '../designer/OutputRows';
import { ProfileView } from '../../views/ProfileView';
import { sourceText } from './source';

const PAGE = 200;

type Tab = 'preview' | 'profile' | 'versions';

interface DatasetDetailProps {
  name: string;
  /** The version asked for in the address; null for the latest. */
  version: number | null;
  onChanged: () => void;
}

export function DatasetDetail({ name, version, onChanged }: DatasetDetailProps) {
  const versions = useVersions(name, version, (signal) =>
    api('GET /api/datasets/{name}/versions', { params: { name }, signal }).then((r) => r.versions),
  );
  const { latest, current, reload } = versions;
  const [failed, setError] = useState<string | null>(null);
  const error = versions.error ?? failed;
  const [tab, setTab] = useState<Tab>('preview');
  const [column, setColumn] = useState<string | null>(null);
  const [page, setPage] = useState<TablePage | null>(null);
  const [offset, setOffset] = useState(0);
  const [busy, setBusy] = useState(false);

  const v = current?.version;

  useEffect(() => {
    if (v === undefined) return;
    const abort = new AbortController();
    api('GET /api/datasets/{name}/preview', { params: { name }, query: { version: v, offset, limit: PAGE }, signal: abort.signal })
      .then(setPage)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [name, v, offset]);

  const loadProfile = useCallback(
    (signal: AbortSignal) => api('GET /api/datasets/{name}/profile', { params: { name }, query: { version: v }, signal }),
    [name, v],
  );

  useEffect(() => {
    document.title = `${name} · Datasets · weft`;
  }, [name]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!current) return <p className="muted">Loading {name}…</p>;

  const pick = (n: number) => {
    setOffset(0);
    navigate(`/datasets/${encodeURIComponent(name)}${n === latest?.version ? '' : `?version=${n}`}`, { replace: true });
  };

  const useInPipeline = async () => {
    setBusy(true);
    try {
      const id = name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 90) || 'dataset';
      const d = await api('POST /api/pipelines', {
        body: {
          format: 'weft.pipeline/1',
          name: `${name} pipeline`,
          nodes: [{ id, module: 'dataset@1', params: { dataset: name, version: current.version === latest?.version ? 'latest' : current.version } }],
          edges: [],
          layout: { [id]: { x: 80, y: 60 } },
        },
      });
      navigate(`/pipelines/${d.id}`);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  // Archive hides the dataset from the list; Reactivate shows it again.
  const setArchived = async (archived: boolean) => {
    if (archived && !window.confirm(`Archive “${name}”? It leaves the list, but pipelines that use it still run. Reactivate brings it back.`)) return;
    setBusy(true);
    try {
      await api(archived ? 'POST /api/datasets/{name}/archive' : 'POST /api/datasets/{name}/reactivate', { params: { name } });
      onChanged();
      reload();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const download = (format: string) => routeUrl('GET /api/datasets/{name}/download', { name }, { format, version: current.version });
  const last = page ? Math.min(page.offset + page.rows.length, page.total_rows) : 0;

  return (
    <article className="dataset-detail" aria-label={`Dataset ${name}`}>
      <header className="detail-head">
        <div className="detail-title">
          <h2>{name}</h2>
          <VersionSelect state={versions} onPick={pick} />
          {current.archived ? <span className="archived-pill">archived</span> : null}
        </div>
        <div className="detail-actions">
          <button type="button" className="primary" disabled={busy} onClick={() => void useInPipeline()}>
            Use in new pipeline
          </button>
          <details className="menu-button">
            <summary className="button">Download</summary>
            <div className="menu-list" role="menu">
              {[
                ['csv', 'CSV'],
                ['tsv', 'TSV'],
                ['json', 'JSON records'],
                ['native', 'weft table (.wtbl)'],
              ].map(([f, label]) => (
                <a key={f} role="menuitem" href={download(f!)} download>
                  {label}
                </a>
              ))}
            </div>
          </details>
          <button type="button" disabled={busy} onClick={() => void setArchived(!current.archived)}>
            {current.archived ? 'Reactivate' : 'Archive'}
          </button>
        </div>
      </header>
      {current.description ? <p className="detail-description">{current.description}</p> : null}
      <dl className="facts">
        <div>
          <dt>Rows</dt>
          <dd data-fact="rows">{count(current.rows)}</dd>
        </div>
        <div>
          <dt>Columns</dt>
          <dd data-fact="columns">{current.columns}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{bytes(current.bytes)}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{sourceText(current.source)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{when(current.created_at)}</dd>
        </div>
        <div>
          <dt>Digest</dt>
          <dd>
            <code title={current.digest}>{current.digest.slice(0, 12)}</code>
          </dd>
        </div>
      </dl>
      <div className="tabs" role="tablist" aria-label="What to show">
        {(
          [
            ['preview', 'Preview'],
            ['profile', 'Profile'],
            ['versions', `Versions (${versions.data?.length ?? 0})`],
          ] as const
        ).map(([t, label]) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'preview' ? (
        <div role="tabpanel" aria-label="Preview" className="detail-panel">
          {page ? (
            <>
              <div className="table-tools">
                <span role="status" data-testid="preview-range">
                  Rows {page.total_rows === 0 ? 0 : page.offset + 1}–{last} of {page.total_rows} · click a column for its profile
                </span>
                <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                  Previous
                </button>
                <button type="button" disabled={last >= page.total_rows} onClick={() => setOffset(offset + PAGE)}>
                  Next
                </button>
              </div>
              <OutputRows
                schema={page.schema}
                rows={page.rows}
                offset={page.offset}
                label={`${name} rows`}
                onColumn={(c) => {
                  setColumn(c);
                  setTab('profile');
                }}
              />
            </>
          ) : (
            <p className="muted">Loading the rows…</p>
          )}
        </div>
      ) : null}
      {tab === 'profile' ? (
        <div role="tabpanel" aria-label="Profile" className="detail-panel">
          <ProfileView load={loadProfile} column={column} onColumn={setColumn} />
        </div>
      ) : null}
      {tab === 'versions' ? (
        <div role="tabpanel" aria-label="Versions" className="detail-panel">
          <table className="list versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Created</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col" className="num">
                  Columns
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Source</th>
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
                    <td className="num">{count(x.rows)}</td>
                    <td className="num">{x.columns}</td>
                    <td className="num">{bytes(x.bytes)}</td>
                    <td>{sourceText(x.source)}</td>
                    <td className="muted">{x.description}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </article>
  );
}
