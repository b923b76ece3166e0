// Views of tables that are results rather than data: the runs of a
// hyperparameter sweep (Tune Model Hyperparameters' `sweep_results`: one
// row per run, a column per parameter and the metric columns) and feature
// importance (Permutation Feature Importance: `Feature Name` and `Score`).
// Each is a sortable table and a bar chart.

import { useMemo, useState } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import type { Cell, SchemaColumn } from '../api/types';
import { VegaChart } from '../components/VegaChart';

import './vis.css';
import { FEATURE, SCORE } from './kinds';
import { SortableTable } from './SortableTable';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Metric names of evaluation reports, as sweep columns may spell them. */
const METRICS = new Set(
  [
    'accuracy', 'precision', 'recall', 'f1 score', 'f1', 'auc', 'log loss', 'average log loss', 'positives', 'threshold',
    'mean absolute error', 'root mean squared error', 'relative absolute error', 'relative squared error',
    'coefficient of determination', 'r2', 'overall accuracy', 'average accuracy', 'micro precision', 'macro precision',
    'micro recall', 'macro recall', 'rows',
  ].map((s) => s.replace(/\s+/g, '')),
);
const LOWER_IS_BETTER = /loss|error/i;

const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

export function isMetricColumn(name: string): boolean {
  return METRICS.has(norm(name));
}

function toRecords(schema: SchemaColumn[], rows: Cell[][]): Record<string, Cell>[] {
  return rows.map((r) => Object.fromEntries(schema.map((c, i) => [c.name, r[i] ?? null])));
}

const isNumeric = (c: SchemaColumn) => c.type === 'numeric' || c.type === 'integer';

export function FeatureImportance({ schema, rows }: { schema: SchemaColumn[]; rows: Cell[][] }) {
  const records = useMemo(() => toRecords(schema, rows), [schema, rows]);
  const spec = useMemo(() => {
    const values = records
      .filter((r) => typeof r[SCORE] === 'number')
      .sort((a, b) => Math.abs(b[SCORE] as number) - Math.abs(a[SCORE] as number))
      .slice(0, 30)
      .map((r) => ({ feature: String(r[FEATURE]), score: r[SCORE] }));
    return {
      $schema: SCHEMA,
      title: values.length < records.length ? `The ${values.length} most important of ${records.length} features` : 'Feature importance',
      width: 'container',
      height: Math.max(80, values.length * 20),
      data: { values },
      mark: { type: 'bar', cornerRadiusEnd: 2 },
      encoding: {
        y: { field: 'feature', type: 'nominal', sort: '-x', axis: { title: null, labelLimit: 200 } },
        x: { field: 'score', type: 'quantitative', axis: { title: 'Score (the metric lost when the feature is shuffled)' } },
        color: { condition: { test: 'datum.score < 0', value: '#d6336c' }, value: '#2563eb' },
        tooltip: [
          { field: 'feature', title: 'Feature' },
          { field: 'score', title: 'Score', format: '.5f' },
        ],
      },
    } as VisualizationSpec;
  }, [records]);
  return (
    <div className="result-view" data-testid="importance-view">
      <VegaChart spec={spec} label="Feature importance" testId="chart-importance" height={Math.min(640, records.length * 20 + 60)} />
      <SortableTable
        label="Feature importance"
        testId="importance-table"
        columns={schema.map((c) => ({ key: c.name, label: c.name, numeric: isNumeric(c) }))}
        rows={records}
        initial={{ key: SCORE, descending: true }}
      />
    </div>
  );
}

export function SweepResults({ schema, rows, preferred = [] }: { schema: SchemaColumn[]; rows: Cell[][]; preferred?: string[] }) {
  const records = useMemo(() => toRecords(schema, rows), [schema, rows]);
  const metrics = schema.filter((c) => isNumeric(c) && isMetricColumn(c.name));
  const params = schema.filter((c) => !metrics.includes(c));
  // The metric the sweep optimised, when known; else the first that measures.
  const [metric, setMetric] = useState(
    () =>
      metrics.find((m) => preferred.some((p) => norm(p) === norm(m.name) || (norm(p) === 'fscore' && norm(m.name) === 'f1score')))?.name ??
      metrics.find((m) => !/^(rows|positives|threshold)$/i.test(m.name))?.name ??
      metrics[0]?.name ??
      '',
  );
  const lower = LOWER_IS_BETTER.test(metric);
  const best = useMemo(() => {
    let at = -1;
    records.forEach((r, i) => {
      const v = r[metric];
      if (typeof v !== 'number') return;
      const b = at >= 0 ? (records[at]![metric] as number) : null;
      if (b === null || (lower ? v < b : v > b)) at = i;
    });
    return at;
  }, [records, metric, lower]);
  const spec = useMemo(() => {
    const label = (r: Record<string, Cell>, i: number) =>
      params
        .slice(0, 3)
        .map((p) => `${p.name}=${r[p.name] ?? '—'}`)
        .join(', ') || `run ${i + 1}`;
    const values = records.map((r, i) => ({ run: i + 1, label: label(r, i), value: r[metric], best: i === best }));
    return {
      $schema: SCHEMA,
      title: `${metric} by run`,
      width: 'container',
      height: 220,
      data: { values },
      transform: [{ filter: 'isValid(datum.value)' }],
      mark: { type: 'bar', cornerRadiusEnd: 2 },
      encoding: {
        x: { field: 'run', type: 'ordinal', axis: { title: 'Run', labelAngle: 0, labelOverlap: true } },
        y: { field: 'value', type: 'quantitative', axis: { title: metric } },
        color: { condition: { test: 'datum.best', value: '#e67e22' }, value: '#2563eb' },
        tooltip: [
          { field: 'run', title: 'Run' },
          { field: 'label', title: 'Parameters' },
          { field: 'value', title: metric, format: '.5f' },
        ],
      },
    } as VisualizationSpec;
  }, [records, metric, best, params]);
  if (metrics.length === 0) return <p className="muted">No metric columns were recognised in this table.</p>;
  const bestRow = best >= 0 ? records[best] : undefined;
  return (
    <div className="result-view" data-testid="sweep-view">
      <div className="result-tools">
        <label>
          Metric{' '}
          <select value={metric} onChange={(e) => setMetric(e.target.value)} aria-label="Metric to chart">
            {metrics.map((m) => (
              <option key={m.name}>{m.name}</option>
            ))}
          </select>
        </label>
        {bestRow ? (
          <span className="best-note" data-testid="sweep-best">
            Best {lower ? '(lowest)' : '(highest)'}: run {best + 1} · {params.map((p) => `${p.name} ${bestRow[p.name] ?? '—'}`).join(' · ')}
          </span>
        ) : null}
      </div>
      <VegaChart spec={spec} label={`${metric} by run`} testId="chart-sweep" height={250} />
      <SortableTable
        label="Sweep results"
        testId="sweep-table"
        columns={[
          { key: '__run', label: 'Run', numeric: true },
          ...schema.map((c) => ({ key: c.name, label: c.name, numeric: isNumeric(c) })),
        ]}
        rows={records.map((r, i) => ({ __run: i + 1, ...r }))}
        initial={{ key: metric, descending: !lower }}
        rowClass={(r) => (r.__run === best + 1 ? 'best-row' : undefined)}
      />
    </div>
  );
}
