// Compare runs: two or more runs side by side: their parameters with the
// differences highlighted, their evaluation figures (the better marked),
// and the ROC curves of their two-class evaluations on one chart.

import { useCallback, useEffect, useMemo, useState } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import { api, errorMessage } from '../../api/client';
import type { Run } from '../../api/types';
import type { EvaluationSummary } from '../../api/workspace';
import { ago, elapsed, formatDuration } from '../../components/format';
import { PageFrame } from '../../components/PageFrame';
import { StatusBadge } from '../../components/StatusBadge';
import { VegaChart } from '../../components/VegaChart';
import { useLoad } from '../../components/useLoad';
import { Link, navigate } from '../../router';
import { asEvaluation, metricLabel, type BinaryModel } from '../../views/report';
import { LOWER_IS_BETTER, metricText } from '../experiments/metrics';
import { metricRows, parameterRows, type DiffRow } from './diff';

import '../workspace.css';
import '../../views/vis.css';

interface Loaded {
  run: Run;
  evaluations: EvaluationSummary[];
}

interface RocSeries {
  series: string;
  auc: number | null;
  points: [number, number][];
}

/** The ROC curves of a run's two-class evaluations. */
async function rocOf(l: Loaded, signal: AbortSignal): Promise<RocSeries[]> {
  const out: RocSeries[] = [];
  for (const e of l.evaluations.filter((x) => x.task === 'binary')) {
    const o = await api('GET /api/runs/{id}/steps/{node}/outputs/{port}', { params: { id: l.run.id, node: e.node, port: e.port }, signal });
    const report = o.kind === 'report' ? asEvaluation(o.json) : null;
    (report?.models ?? []).forEach((m, k) => {
      const b = m as BinaryModel;
      const suffix = [l.evaluations.length > 1 ? e.node : '', report!.models.length > 1 ? `model ${k + 1}` : ''].filter(Boolean).join(' · ');
      out.push({
        series: `Run ${l.run.id}${suffix ? ` · ${suffix}` : ''}`,
        auc: typeof b.metrics.auc === 'number' ? b.metrics.auc : null,
        points: (b.roc ?? []).filter(([x, y]) => x !== null && y !== null).map(([x, y]) => [x as number, y as number]),
      });
    });
  }
  return out;
}

function rocSpec(series: RocSeries[]): VisualizationSpec {
  const name = (s: RocSeries) => (s.auc === null ? s.series : `${s.series} (AUC ${s.auc.toFixed(3)})`);
  const values = series.flatMap((s) => s.points.map(([x, y], i) => ({ series: name(s), x, y, i })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'ROC curves',
    width: 'container',
    height: 340,
    layer: [
      {
        data: { values: [{ x: 0, y: 0, x2: 1, y2: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#b8c0cc' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'False positive rate', format: '.1f' } },
          y: { field: 'y', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'True positive rate', format: '.1f' } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'right', labelLimit: 260 } },
          order: { field: 'i' },
        },
      },
    ],
  } as unknown as VisualizationSpec;
}

function DiffTable({ rows, runs, label, best, testId }: { rows: DiffRow[]; runs: Run[]; label: string; best?: (r: DiffRow) => number | null; testId: string }) {
  let group = '';
  return (
    <table className="list diff-table" aria-label={label} data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          {runs.map((r) => (
            <th key={r.id} scope="col">
              <Link to={`/runs/${r.id}`}>Run {r.id}</Link>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.flatMap((row) => {
          const out = [];
          if (row.group !== group) {
            group = row.group;
            out.push(
              <tr key={`g:${row.key}`} className="diff-group">
                <th scope="colgroup" colSpan={runs.length + 1}>
                  {row.group}
                </th>
              </tr>,
            );
          }
          const b = best?.(row) ?? null;
          out.push(
            <tr key={row.key} className={row.differs ? 'diff' : undefined} data-differs={row.differs} data-row={row.key}>
              <th scope="row">{'metric' in row ? metricLabel(row.label) : row.label}</th>
              {row.values.map((v, i) => (
                <td key={i} className={`${b === i ? 'best ' : ''}${v === null ? 'missing' : ''}`} title={v ?? 'not set'}>
                  {v === null ? '—' : 'numbers' in row ? metricText((row as { numbers: (number | null)[] }).numbers[i]) : v}
                </td>
              ))}
            </tr>,
          );
          return out;
        })}
      </tbody>
    </table>
  );
}

export function ComparePage({ ids }: { ids: number[] }) {
  const [loaded, setLoaded] = useState<Loaded[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const [roc, setRoc] = useState<RocSeries[] | null>(null);
  const recent = useLoad(useCallback((signal: AbortSignal) => api('GET /api/runs', { query: { limit: 100 }, signal }).then((r) => r.runs), []));
  const key = ids.join(',');

  useEffect(() => {
    const abort = new AbortController();
    setLoaded(null);
    setRoc(null);
    setError(null);
    Promise.all(
      ids.map(async (id) => {
        const [run, m] = await Promise.all([
          api('GET /api/runs/{id}', { params: { id }, signal: abort.signal }),
          api('GET /api/runs/{id}/metrics', { params: { id }, signal: abort.signal }),
        ]);
        return { run, evaluations: m.evaluations };
      }),
    )
      .then(async (l) => {
        setLoaded(l);
        const curves = (await Promise.all(l.map((x) => rocOf(x, abort.signal)))).flat();
        setRoc(curves);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
    // ids is the same list whenever key is.
  }, [key]);

  const runs = useMemo(() => loaded?.map((l) => l.run) ?? [], [loaded]);
  const params = useMemo(() => parameterRows(runs), [runs]);
  const metrics = useMemo(() => metricRows(loaded?.map((l) => l.evaluations) ?? []), [loaded]);
  const spec = useMemo(() => (roc && roc.length > 0 ? rocSpec(roc) : null), [roc]);
  const setIds = (next: number[]) => navigate(`/compare?runs=${next.join(',')}`, { replace: true });
  const bestOf = (row: DiffRow): number | null => {
    const nums = (row as { numbers?: (number | null)[] }).numbers;
    if (!nums || nums.filter((v) => v !== null).length < 2 || ['rows', 'positives', 'threshold', 'count'].includes(row.label)) return null;
    const valid = nums.filter((v): v is number => v !== null);
    const want = LOWER_IS_BETTER.has(row.label) ? Math.min(...valid) : Math.max(...valid);
    return valid.filter((v) => v === want).length === 1 ? nums.indexOf(want) : null;
  };
  const shownParams = onlyDiffs ? params.filter((r) => r.differs) : params;
  const differing = params.filter((r) => r.differs).length;

  return (
    <PageFrame title="Compare runs" wide>
      <div className="compare-page">
        <header className="detail-head">
          <div className="detail-title">
            <h1>Compare runs</h1>
          </div>
          <div className="detail-actions">
            <ul className="run-chips" aria-label="Runs compared">
              {ids.map((id) => (
                <li key={id} className="run-chip">
                  <Link to={`/runs/${id}`}>Run {id}</Link>
                  <button type="button" className="chip-remove" aria-label={`Remove run ${id}`} onClick={() => setIds(ids.filter((x) => x !== id))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <select
              value=""
              aria-label="Add a run"
              onChange={(e) => {
                const id = Number(e.target.value);
                if (id) setIds([...ids, id].sort((a, b) => a - b));
              }}
            >
              <option value="">Add a run…</option>
              {(recent.data ?? [])
                .filter((r) => !ids.includes(r.id))
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    Run {r.id} · {r.pipeline} · {r.status}
                  </option>
                ))}
            </select>
          </div>
        </header>
        {ids.length < 2 ? <p className="muted">Pick at least two runs to compare (tick them in the run list, or add them here).</p> : null}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        {loaded === null && !error && ids.length > 0 ? <p className="muted">Loading the runs…</p> : null}
        {loaded && runs.length > 0 ? (
          <>
            <section className="compare-section" aria-label="Overview">
              <table className="list diff-table overview-table">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    {runs.map((r) => (
                      <th key={r.id} scope="col">
                        <Link to={`/runs/${r.id}`}>Run {r.id}</Link>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">Pipeline</th>
                    {runs.map((r) => (
                      <td key={r.id}>{r.pipeline}</td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Experiment</th>
                    {runs.map((r) => (
                      <td key={r.id}>{r.experiment}</td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Status</th>
                    {runs.map((r) => (
                      <td key={r.id}>
                        <StatusBadge status={r.status} />
                      </td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Submitted</th>
                    {runs.map((r) => (
                      <td key={r.id}>{ago(r.created_at)}</td>
                    ))}
                  </tr>
                  <tr>
                    <th scope="row">Duration</th>
                    {runs.map((r) => {
                      const d = elapsed(r.started_at || r.created_at, r.finished_at);
                      return <td key={r.id}>{d === null ? '—' : formatDuration(d)}</td>;
                    })}
                  </tr>
                </tbody>
              </table>
            </section>
            <div className="compare-grid">
              <section className="compare-section" aria-label="Metrics">
                <h2>Metrics</h2>
                {metrics.length === 0 ? <p className="muted">None of these runs evaluated a model.</p> : <DiffTable rows={metrics} runs={runs} label="Metric" best={bestOf} testId="compare-metrics" />}
              </section>
              <section className="compare-section" aria-label="ROC curves">
                <h2>ROC curves</h2>
                {roc === null ? <p className="muted">Loading the curves…</p> : null}
                {roc && roc.length === 0 ? <p className="muted">None of these runs has a two-class evaluation.</p> : null}
                {spec ? <VegaChart spec={spec} label="ROC curves" testId="compare-roc" height={360} /> : null}
              </section>
            </div>
            <section className="compare-section" aria-label="Parameters">
              <div className="section-head">
                <h2>Parameters</h2>
                <span className="muted small" data-testid="diff-count">
                  {differing === 0 ? 'No differences' : `${differing} difference${differing === 1 ? '' : 's'}`}
                </span>
                <label className="check small">
                  <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} /> Only differences
                </label>
              </div>
              <DiffTable rows={shownParams} runs={runs} label="Parameter" testId="compare-params" />
            </section>
          </>
        ) : null}
      </div>
    </PageFrame>
  );
}
