// What a step made: "Preview data" pages through a table output in windows
// of rows (virtualised, OutputRows) with its schema (types and roles) and
// each column's profile (OutputProfile); a report shows its metrics as a
// table; any other output shows its JSON. "View log" shows the step's log.

import { useEffect, useState } from 'react';

import { api, apiText, errorMessage, routeUrl } from '../../api/client';
import type { StepOutput } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { OutputProfile } from './OutputProfile';
import { cellText, OutputRows } from './OutputRows';

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

const METRIC_NAMES: Record<string, string> = {
  coefficient_of_determination: 'Coefficient of determination (R²)',
  auc: 'AUC',
};

function metricLabel(key: string): string {
  const known = METRIC_NAMES[key];
  if (known) return known;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

interface ModelReport {
  input?: string;
  metrics?: Record<string, unknown>;
}

/** An evaluation report: one column of metrics per evaluated input. */
function ReportView({ json }: { json: unknown }) {
  const report = (json ?? {}) as { task?: string; label?: string; models?: ModelReport[] };
  const models = Array.isArray(report.models) ? report.models.filter((m) => m && typeof m.metrics === 'object') : [];
  if (models.length === 0) {
    const rows = metricRows(json);
    if (rows.length === 0) return null;
    return (
      <table className="metrics" data-testid="metrics-table">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k} data-metric={k}>
              <th scope="row">{k}</th>
              <td className="num">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  const keys = [...new Set(models.flatMap((m) => Object.keys(m.metrics ?? {})))];
  return (
    <>
      <p className="muted small">
        {report.task ? `A ${report.task} evaluation` : 'An evaluation'}
        {report.label ? ` of “${report.label}”` : ''}
      </p>
      <table className="metrics" data-testid="metrics-table">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {models.map((m, i) => (
              <th scope="col" key={i} className="num">
                {m.input ?? `model ${i + 1}`}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k} data-metric={k}>
              <th scope="row" title={k}>
                {metricLabel(k)}
              </th>
              {models.map((m, i) => {
                const v = m.metrics?.[k];
                return (
                  <td key={i} className="num">
                    {typeof v === 'number' ? cellText(v) : v === undefined || v === null ? '' : String(v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
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
  const [tab, setTab] = useState<'rows' | 'profile'>('rows');
  const [column, setColumn] = useState<string | null>(null);
  const [profileOpened, setProfileOpened] = useState(false);
  const openTab = (which: 'rows' | 'profile') => {
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
          <button type="button" role="tab" aria-selected={tab === 'rows'} onClick={() => openTab('rows')}>
            Rows
          </button>
          <button type="button" role="tab" aria-selected={tab === 'profile'} onClick={() => openTab('profile')}>
            Profile
          </button>
        </div>
        {tab === 'rows' ? (
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
          <div role="tabpanel" aria-label="Profile" hidden={tab !== 'profile'}>
            <OutputProfile runId={runId} node={node} port={port} column={column} onColumn={setColumn} />
          </div>
        ) : null}
      </>
    );
  } else if (out) {
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
        {out.kind === 'report' ? <ReportView json={out.json} /> : null}
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
