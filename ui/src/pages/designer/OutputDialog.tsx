// What a step made: "Preview data" pages through a table output in windows
// of rows (virtualised, OutputRows) with its schema (types and roles) and
// each column's profile (OutputProfile); result tables (sweep results,
// feature importance) also get their chart. An evaluation report is drawn
// for its task (views/EvaluationView); any other output shows its JSON.
// "View log" shows the step's log.

import { lazy, Suspense, useEffect, useState } from 'react';

import { api, apiText, errorMessage, routeUrl } from '../../api/client';
import { useRunRecord } from '../../api/runs';
import type { StepOutput, TablePage } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { asEvaluation, metricLabel } from '../../views/report';
import { tableViewKind, type TableViewKind } from '../../views/kinds';
import { OutputProfile } from './OutputProfile';
import { cellText, OutputRows } from './OutputRows';

// The drawn views load with the first output that needs them.
const EvaluationView = lazy(() => import('../../views/EvaluationView').then((m) => ({ default: m.EvaluationView })));
const FeatureImportance = lazy(() => import('../../views/TableViews').then((m) => ({ default: m.FeatureImportance })));
const SweepResults = lazy(() => import('../../views/TableViews').then((m) => ({ default: m.SweepResults })));

const loadingView = <p className="muted">Loading the view…</p>;

/** Rows fetched at a time; only those in view are rendered. */
const PAGE = 200;

/** Rows of JSON that reads as metrics: name and value, nested objects flattened. */
function metricRows(json: unknown, prefix = ''): [string, string][] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [];
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(json)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') rows.push([name, cellText(v)]);
    else if (typeof v === 'string' || typeof v === 'boolean') rows.push([name, String(v)]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) rows.push(...metricRows(v, name));
  }
  return rows;
}

/** A report that is not an evaluation: its figures as a table. */
function GenericReport({ json }: { json: unknown }) {
  const rows = metricRows(json);
  if (rows.length === 0) return null;
  return (
    <table className="metrics" data-testid="metrics-table">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k} data-metric={k}>
            <th scope="row" title={k}>
              {metricLabel(k.slice(k.lastIndexOf('.') + 1))}
            </th>
            <td className="num">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The whole of a result table (up to 1000 rows), for its chart. */
function ResultView({ runId, node, port, kind, preferred }: { runId: number; node: string; port: string; kind: TableViewKind; preferred: string[] }) {
  const [page, setPage] = useState<TablePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    api('GET /api/runs/{id}/steps/{node}/outputs/{port}', { params: { id: runId, node, port }, query: { limit: 1000 }, signal: abort.signal })
      .then((r) => {
        if (r.kind === 'table') setPage(r);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [runId, node, port]);
  if (error) return <p className="error">{error}</p>;
  if (!page) return <p className="muted">Loading…</p>;
  return (
    <Suspense fallback={loadingView}>
      {kind === 'importance' ? <FeatureImportance schema={page.schema} rows={page.rows} /> : <SweepResults schema={page.schema} rows={page.rows} preferred={preferred} />}
    </Suspense>
  );
}

interface OutputProps {
  runId: number;
  node: string;
  port: string;
  onClose: () => void;
}

export function OutputDialog({ runId, node, port, onClose }: OutputProps) {
  const [offset, setOffset] = useState(0);
  const [out, setOut] = useState<StepOutput | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tab, setTab] = useState<'result' | 'rows' | 'profile'>('result');
  const [column, setColumn] = useState<string | null>(null);
  const [profileOpened, setProfileOpened] = useState(false);
  const run = useRunRecord(runId);
  const module = run?.steps.find((st) => st.node === node)?.module;
  const resultKind = out?.kind === 'table' ? tableViewKind(module, port, out.schema) : null;
  // The metrics a sweep was told to optimise, to chart first.
  const nodeParams = run?.snapshot.pipeline.nodes?.find((n) => n.id === node)?.params ?? {};
  const sweepMetrics = Object.entries(nodeParams)
    .filter(([k, v]) => k.startsWith('metric_for_measuring_performance') && typeof v === 'string')
    .map(([, v]) => v as string);
  const shownTab = tab === 'result' && !resultKind ? 'rows' : tab;
  const openTab = (which: 'result' | 'rows' | 'profile') => {
    setTab(which);
    if (which === 'profile') setProfileOpened(true);
  };
  const showProfile = (name: string) => {
    setColumn(name);
    openTab('profile');
  };

  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    api('GET /api/runs/{id}/steps/{node}/outputs/{port}', {
      params: { id: runId, node, port },
      query: { offset, limit: PAGE },
      signal: abort.signal,
    })
      .then((r) => {
        setOut(r);
        setError(null);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(errorMessage(e));
        setLoading(false);
      });
    return () => abort.abort();
  }, [runId, node, port, offset]);

  const download = (format: 'csv' | 'json') =>
    routeUrl('GET /api/runs/{id}/steps/{node}/outputs/{port}/download', { id: runId, node, port }, { format });

  let body = null;
  if (out?.kind === 'table') {
    const last = Math.min(out.offset + out.rows.length, out.total_rows);
    body = (
      <>
        <div className="table-tools">
          <span role="status" data-testid="preview-range">
            Rows {out.total_rows === 0 ? 0 : out.offset + 1}–{last} of {out.total_rows} · {out.schema.length} columns
          </span>
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
          <button type="button" disabled={last >= out.total_rows} onClick={() => setOffset(offset + PAGE)}>
            Next
          </button>
          <a href={download('csv')} download>
            Download CSV
          </a>
        </div>
        <div className="tabs" role="tablist" aria-label="What to show">
          {resultKind ? (
            <button type="button" role="tab" aria-selected={shownTab === 'result'} onClick={() => openTab('result')}>
              {resultKind === 'sweep' ? 'Sweep results' : 'Feature importance'}
            </button>
          ) : null}
          <button type="button" role="tab" aria-selected={shownTab === 'rows'} onClick={() => openTab('rows')}>
            Rows
          </button>
          <button type="button" role="tab" aria-selected={shownTab === 'profile'} onClick={() => openTab('profile')}>
            Profile
          </button>
        </div>
        {resultKind && shownTab === 'result' ? (
          <div role="tabpanel" aria-label={resultKind === 'sweep' ? 'Sweep results' : 'Feature importance'}>
            <ResultView runId={runId} node={node} port={port} kind={resultKind} preferred={sweepMetrics} />
          </div>
        ) : null}
        {shownTab === 'rows' ? (
          <div role="tabpanel" aria-label="Rows">
            <OutputRows
              schema={out.schema}
              rows={out.rows}
              offset={out.offset}
              label={`${node}.${port} rows`}
              onColumn={showProfile}
            />
          </div>
        ) : null}
        {profileOpened ? (
          // Kept once opened, so going back and forth fetches the profile once.
          <div role="tabpanel" aria-label="Profile" hidden={shownTab !== 'profile'}>
            <OutputProfile runId={runId} node={node} port={port} column={column} onColumn={setColumn} />
          </div>
        ) : null}
      </>
    );
  } else if (out) {
    const evaluation = out.kind === 'report' ? asEvaluation(out.json) : null;
    body = (
      <>
        <div className="table-tools">
          <span>
            A {out.kind} · <code>{out.digest.slice(0, 12)}</code>
          </span>
          <a href={download('json')} download>
            Download JSON
          </a>
        </div>
        {evaluation ? (
          <Suspense fallback={loadingView}>
            <EvaluationView report={evaluation} pipeline={run?.snapshot.pipeline} node={node} />
          </Suspense>
        ) : out.kind === 'report' ? (
          <GenericReport json={out.json} />
        ) : null}
        <details className="json-details" open={out.kind !== 'report'}>
          <summary>JSON</summary>
          <pre className="json-view">{JSON.stringify(out.json, null, 2)}</pre>
        </details>
      </>
    );
  }

  return (
    <Dialog title={`${node} · ${port}`} onClose={onClose} wide testId="output-dialog">
      {loading && !out ? <p className="muted">Loading…</p> : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
      {body}
    </Dialog>
  );
}

export function LogDialog({ runId, node, error: stepError, onClose }: { runId: number; node: string; error?: string; onClose: () => void }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    apiText('GET /api/runs/{id}/steps/{node}/log', { params: { id: runId, node }, signal: abort.signal })
      .then(setText)
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [runId, node]);
  return (
    <Dialog title={`Log of ${node}`} onClose={onClose} wide testId="log-dialog">
      {stepError ? (
        <p className="error" role="alert">
          {stepError}
        </p>
      ) : null}
      {text === null && !error ? <p className="muted">Loading…</p> : null}
      {error ? <p className="error">{error}</p> : null}
      {text !== null ? <pre className="log-view">{text || '(the log is empty)'}</pre> : null}
    </Dialog>
  );
}
