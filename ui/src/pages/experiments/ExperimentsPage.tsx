// Experiments and their runs: the experiments on the left, the runs of the
// chosen one (or all) on the right with status, when, duration, parameters
// and key metrics; filter, sort, and pick runs to compare.

import { useCallback, useEffect, useMemo, useState } from 'react';

import { api } from '../../api/client';
import type { RunWithMetrics } from '../../api/workspace';
import { ago, elapsed, formatDuration, when } from '../../components/format';
import { PageFrame } from '../../components/PageFrame';
import { StatusBadge } from '../../components/StatusBadge';
import { useLoad } from '../../components/useLoad';
import { Link, navigate } from '../../router';
import { LOWER_IS_BETTER, metricColumns, metricShort, metricText } from './metrics';

import '../workspace.css';

type SortKey = 'id' | 'pipeline' | 'status' | 'created_at' | 'created_by' | 'duration' | `metric:${string}`;

const ACTIVE = new Set(['queued', 'running']);

function durationOf(r: RunWithMetrics): number | null {
  return elapsed(r.started_at || r.created_at, r.finished_at || (ACTIVE.has(r.status) ? new Date().toISOString() : ''));
}

function paramText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function ExperimentsPage({ experiment }: { experiment: string | null }) {
  const experiments = useLoad(useCallback((signal: AbortSignal) => api('GET /api/experiments', { signal }).then((r) => r.experiments), []));
  const runs = useLoad(
    useCallback(
      (signal: AbortSignal) =>
        api('GET /api/runs', { query: { experiment: experiment ?? undefined, metrics: 'true', limit: 500 }, signal }).then((r) => r.runs as RunWithMetrics[]),
      [experiment],
    ),
  );
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'id', descending: true });
  const [picked, setPicked] = useState<number[]>([]);

  // While a run is going, the list follows it.
  const { reload } = runs;
  const active = (runs.data ?? []).some((r) => ACTIVE.has(r.status));
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(reload, 2000);
    return () => window.clearInterval(timer);
  }, [active, reload]);

  const metrics = useMemo(() => metricColumns((runs.data ?? []).map((r) => r.key_metrics)), [runs.data]);

  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const list = (runs.data ?? []).filter((r) => {
      if (status && r.status !== status) return false;
      const text = `${r.id} run ${r.id} ${r.pipeline} ${r.experiment} ${r.status} ${Object.entries(r.parameters)
        .map(([k, v]) => `${k}=${paramText(v)}`)
        .join(' ')}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    const value = (r: RunWithMetrics): number | string | null => {
      if (sort.key === 'duration') return durationOf(r);
      if (sort.key.startsWith('metric:')) return r.key_metrics?.metrics[sort.key.slice(7)] ?? null;
      if (sort.key === 'id') return r.id;
      return String(r[sort.key as 'pipeline' | 'status' | 'created_at' | 'created_by']);
    };
    return list.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.descending ? -c : c;
    });
  }, [runs.data, query, status, sort]);

  const heading = (key: SortKey, label: string, numeric = false, title?: string) => {
    const on = sort.key === key;
    return (
      <th scope="col" className={numeric ? 'num' : undefined} aria-sort={on ? (sort.descending ? 'descending' : 'ascending') : 'none'} title={title}>
        <button
          type="button"
          className="sort-button"
          onClick={() => {
            const better = key.startsWith('metric:') ? !LOWER_IS_BETTER.has(key.slice(7)) : numeric;
            setSort({ key, descending: on ? !sort.descending : better });
          }}
        >
          {label}
          <span className="sort-mark" aria-hidden="true">
            {on ? (sort.descending ? '▼' : '▲') : '↕'}
          </span>
        </button>
      </th>
    );
  };

  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const selected = experiments.data?.find((e) => e.name === experiment);
  const total = (experiments.data ?? []).reduce((s, e) => s + e.runs, 0);

  const actions = (
    <button
      type="button"
      className="primary"
      disabled={picked.length < 2}
      title={picked.length < 2 ? 'Tick two or more runs to compare them' : undefined}
      onClick={() => navigate(`/compare?runs=${[...picked].sort((a, b) => a - b).join(',')}`)}
      data-testid="compare-selected"
    >
      Compare {picked.length > 0 ? `${picked.length} runs` : 'runs'}
    </button>
  );

  return (
    <PageFrame title={experiment ? `${experiment} · Experiments` : 'Experiments'} actions={actions} wide>
      <div className="ws-split">
        <aside className="ws-list" aria-label="Experiments">
          <div className="ws-list-head">
            <h1>Experiments</h1>
            <span className="muted small">{experiments.data?.length ?? ''}</span>
          </div>
          {experiments.error ? <p className="error small">{experiments.error}</p> : null}
          <ul className="ws-cards">
            <li>
              <Link to="/experiments" className={`ws-card${experiment === null ? ' selected' : ''}`} aria-current={experiment === null ? 'page' : undefined}>
                <span className="ws-card-title">All runs</span>
                <span className="ws-card-meta">{total} runs</span>
              </Link>
            </li>
            {(experiments.data ?? []).map((e) => (
              <li key={e.name}>
                <Link
                  to={`/experiments?experiment=${encodeURIComponent(e.name)}`}
                  className={`ws-card${e.name === experiment ? ' selected' : ''}`}
                  aria-current={e.name === experiment ? 'page' : undefined}
                  data-experiment={e.name}
                >
                  <span className="ws-card-title">{e.name}</span>
                  <span className="ws-card-meta">
                    {e.runs} run{e.runs === 1 ? '' : 's'}
                    {e.latest_run ? ` · last ${ago(e.latest_run.created_at)}` : ''}
                  </span>
                  <span className="status-strip" aria-label={Object.entries(e.statuses).map(([s, n]) => `${n} ${s}`).join(', ')}>
                    {Object.entries(e.statuses).map(([s, n]) => (
                      <span key={s} className={`strip-${s}`} style={{ flexGrow: n }} title={`${n} ${s}`} />
                    ))}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </aside>
        <section className="ws-detail" aria-label="Runs">
          <header className="detail-head">
            <div className="detail-title">
              <h2>{experiment ?? 'All runs'}</h2>
              {selected ? <span className="muted small">created {when(selected.created_at)}</span> : null}
            </div>
            <div className="detail-actions runs-filters">
              <input type="search" placeholder="Filter: pipeline, parameter, run…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Filter runs" />
              <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="Status">
                <option value="">Any status</option>
                {['completed', 'failed', 'running', 'queued', 'canceled'].map((s) => (
                  <option key={s} value={s}>
                    {s.charAt(0).toUpperCase() + s.slice(1)}
                  </option>
                ))}
              </select>
            </div>
          </header>
          {runs.error ? <p className="error">{runs.error}</p> : null}
          {runs.data === null && !runs.error ? <p className="muted">Loading the runs…</p> : null}
          {runs.data && runs.data.length === 0 ? <p className="muted">No runs yet. Submit a pipeline from the designer.</p> : null}
          {runs.data && runs.data.length > 0 ? (
            <div className="table-scroll">
              <table className="list runs-table" data-testid="runs-table">
                <thead>
                  <tr>
                    <th scope="col" className="pick">
                      <span className="sr-only">Compare</span>
                    </th>
                    {heading('id', 'Run', true)}
                    {heading('status', 'Status')}
                    {heading('pipeline', 'Pipeline')}
                    {experiment === null ? <th scope="col">Experiment</th> : null}
                    {heading('created_at', 'Submitted')}
                    {heading('created_by', 'By')}
                    {heading('duration', 'Duration', true)}
                    <th scope="col">Parameters</th>
                    {metrics.map((m) => heading(`metric:${m}`, metricShort(m), true, m))}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => {
                    const d = durationOf(r);
                    const params = Object.entries(r.parameters);
                    return (
                      <tr key={r.id} data-run={r.id} className={picked.includes(r.id) ? 'selected' : undefined}>
                        <td className="pick">
                          <input type="checkbox" checked={picked.includes(r.id)} onChange={() => toggle(r.id)} aria-label={`Compare run ${r.id}`} />
                        </td>
                        <td className="num">
                          <Link to={`/runs/${r.id}`}>Run {r.id}</Link>
                        </td>
                        <td>
                          <StatusBadge status={r.status} title={r.error || undefined} />
                        </td>
                        <td className="ellipsis" title={r.pipeline}>
                          {r.pipeline}
                        </td>
                        {experiment === null ? (
                          <td>
                            <Link to={`/experiments?experiment=${encodeURIComponent(r.experiment)}`}>{r.experiment}</Link>
                          </td>
                        ) : null}
                        <td title={when(r.created_at)}>{ago(r.created_at)}</td>
                        <td>{r.created_by || <span className="muted">—</span>}</td>
                        <td className="num">{d === null ? '—' : formatDuration(d)}</td>
                        <td className="params-cell">
                          {params.length === 0 ? <span className="muted">—</span> : null}
                          {params.slice(0, 3).map(([k, v]) => (
                            <span key={k} className="param-chip" title={`${k} = ${paramText(v)}`}>
                              {k} = {paramText(v)}
                            </span>
                          ))}
                          {params.length > 3 ? <span className="muted small">+{params.length - 3}</span> : null}
                        </td>
                        {metrics.map((m) => (
                          <td key={m} className="num metric-cell" data-metric={m}>
                            {metricText(r.key_metrics?.metrics[m])}
                          </td>
                        ))}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
          {runs.data && runs.data.length > 0 && shown.length === 0 ? <p className="muted">No run matches the filter.</p> : null}
        </section>
      </div>
    </PageFrame>
  );
}
