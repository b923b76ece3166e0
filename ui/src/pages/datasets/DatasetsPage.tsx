// Datasets: the registered datasets (size, rows, source), one open beside
// the list with its versions, preview and profile. Dropping a file anywhere
// on the page uploads it, with progress.

import { useCallback, useMemo, useState, type DragEvent } from 'react';

import { api } from '../../api/client';
import type { UploadedDataset } from '../../api/workspace';
import { count } from '../../components/format';
import { PageFrame } from '../../components/PageFrame';
import { useLoad } from '../../components/useLoad';
import { Link, navigate } from '../../router';
import { DatasetDetail } from './DatasetDetail';
import { sourceText } from './source';
import { UploadDialog } from './UploadDialog';

import '../workspace.css';

function hasFiles(e: DragEvent): boolean {
  return [...e.dataTransfer.types].includes('Files');
}

export function DatasetsPage({ name, version }: { name: string | null; version: number | null }) {
  const [archived, setArchived] = useState(false);
  const [query, setQuery] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(0);
  const list = useLoad(useCallback((signal: AbortSignal) => api('GET /api/datasets', { query: { archived: archived ? 'true' : undefined }, signal }).then((r) => r.datasets), [archived]));

  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return (list.data ?? []).filter((d) => words.every((w) => `${d.name} ${d.description} ${d.source}`.toLowerCase().includes(w)));
  }, [list.data, query]);

  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(0);
    const f = e.dataTransfer.files[0];
    if (f) setFile(f);
  };

  const uploaded = (d: UploadedDataset) => {
    setFile(null);
    list.reload();
    navigate(`/datasets/${encodeURIComponent(d.name)}`);
  };

  const actions = (
    <label className="button primary-button">
      Upload dataset…
      <input
        type="file"
        className="sr-only"
        accept=".csv,.tsv,.tab,.arff,.json,.wtbl,text/csv,application/json"
        data-testid="upload-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) setFile(f);
          e.target.value = '';
        }}
      />
    </label>
  );

  return (
    <PageFrame title="Datasets" actions={actions} wide>
      <div
        className={`ws-split${dragging > 0 ? ' drop-active' : ''}`}
        data-testid="datasets-drop"
        onDragEnter={(e) => {
          if (hasFiles(e)) setDragging((n) => n + 1);
        }}
        onDragLeave={(e) => {
          if (hasFiles(e)) setDragging((n) => Math.max(0, n - 1));
        }}
        onDragOver={(e) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        onDrop={onDrop}
      >
        <aside className="ws-list" aria-label="Datasets">
          <div className="ws-list-head">
            <h1>Datasets</h1>
            <span className="muted small">{list.data ? `${list.data.length}` : ''}</span>
          </div>
          <input type="search" placeholder="Search datasets" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search datasets" />
          <label className="check small">
            <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Show archived
          </label>
          {list.error ? <p className="error small">{list.error}</p> : null}
          {list.data === null && !list.error ? <p className="muted small">Loading…</p> : null}
          <ul className="ws-cards">
            {shown.map((d) => (
              <li key={d.name}>
                <Link
                  to={`/datasets/${encodeURIComponent(d.name)}`}
                  className={`ws-card${d.name === name ? ' selected' : ''}${d.archived ? ' archived' : ''}`}
                  aria-current={d.name === name ? 'page' : undefined}
                  data-dataset={d.name}
                >
                  <span className="ws-card-title">
                    {d.name}
                    <span className="version-pill">v{d.version}</span>
                    {d.archived ? <span className="archived-pill">archived</span> : null}
                  </span>
                  <span className="ws-card-meta">
                    {count(d.rows)} rows × {d.columns} cols
                  </span>
                  <span className="ws-card-sub">{sourceText(d.source)}</span>
                </Link>
              </li>
            ))}
          </ul>
          {list.data && shown.length === 0 ? <p className="muted small">{query ? 'No dataset matches.' : 'No datasets yet.'}</p> : null}
        </aside>
        <section className="ws-detail">
          {name ? (
            <DatasetDetail key={name} name={name} version={version} onChanged={list.reload} />
          ) : (
            <div className="drop-hint" data-testid="drop-hint">
              <div className="drop-icon" aria-hidden="true">
                ⇪
              </div>
              <h2>Drop a file here to upload it</h2>
              <p className="muted">CSV, TSV, ARFF, JSON records or a weft table, up to 4 GB. Or choose a dataset on the left.</p>
            </div>
          )}
        </section>
        {dragging > 0 ? (
          <div className="drop-overlay" aria-hidden="true">
            <div>Drop to upload</div>
          </div>
        ) : null}
      </div>
      {file ? <UploadDialog file={file} existing={(list.data ?? []).map((d) => d.name)} onDone={uploaded} onClose={() => setFile(null)} /> : null}
    </PageFrame>
  );
}
