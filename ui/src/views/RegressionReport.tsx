// A regression evaluation: the metrics, a histogram of the residuals
// (actual minus predicted) and the predicted values against the actual
// ones, with the identity line where a perfect model's points would lie.

import { useMemo } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import { VegaChart } from '../components/VegaChart';
import { MetricsTable, ModelLegend } from './MetricsTable';
import type { EvaluationReport, RegressionModel } from './report';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function residualSpec(models: RegressionModel[], names: string[]): VisualizationSpec {
  const values = models.flatMap((m, k) =>
    (m.charts?.residual_histogram ?? []).filter((b) => b.from !== null && b.to !== null).map((b) => ({ model: names[k], ...b })),
  );
  return {
    $schema: SCHEMA,
    title: 'Residuals (actual − predicted)',
    width: 'container',
    height: 240,
    data: { values },
    mark: { type: 'bar', opacity: models.length > 1 ? 0.6 : 0.9, binSpacing: 1 },
    encoding: {
      x: { field: 'from', type: 'quantitative', bin: { binned: true }, axis: { title: 'Residual', tickCount: 8 } },
      x2: { field: 'to' },
      y: { field: 'count', type: 'quantitative', stack: null, axis: { title: 'Rows', tickMinStep: 1 } },
      color: { field: 'model', type: 'nominal', sort: names, title: null, legend: null },
      tooltip: [
        { field: 'model', title: 'Model' },
        { field: 'from', title: 'From', format: '.3~f' },
        { field: 'to', title: 'To', format: '.3~f' },
        { field: 'count', title: 'Rows' },
      ],
    },
  } as VisualizationSpec;
}

function scatterSpec(models: RegressionModel[], names: string[], label: string): VisualizationSpec {
  const values = models.flatMap((m, k) =>
    (m.charts?.actual_vs_predicted ?? []).filter(([y, p]) => y !== null && p !== null).map(([y, p]) => ({ model: names[k], actual: y, predicted: p })),
  );
  const all = values.flatMap((v) => [v.actual as number, v.predicted as number]);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const pad = (hi - lo) * 0.04 || 1;
  const domain = [lo - pad, hi + pad];
  return {
    $schema: SCHEMA,
    title: 'Predicted against actual',
    width: 'container',
    height: 260,
    layer: [
      {
        data: { values: [{ a: domain[0], b: domain[1] }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#98a2b3' },
        encoding: {
          x: { field: 'a', type: 'quantitative' },
          y: { field: 'a', type: 'quantitative' },
          x2: { field: 'b' },
          y2: { field: 'b' },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 28, opacity: 0.6 },
        encoding: {
          x: { field: 'actual', type: 'quantitative', scale: { domain, nice: false, zero: false }, axis: { title: `Actual ${label}`.trim(), tickCount: 6 } },
          y: { field: 'predicted', type: 'quantitative', scale: { domain, nice: false, zero: false }, axis: { title: 'Predicted', tickCount: 6 } },
          color: { field: 'model', type: 'nominal', sort: names, title: null, legend: null },
          tooltip: [
            { field: 'model', title: 'Model' },
            { field: 'actual', title: 'Actual', format: '.4~f' },
            { field: 'predicted', title: 'Predicted', format: '.4~f' },
          ],
        },
      },
    ],
  } as VisualizationSpec;
}

export function RegressionReport({ report, names }: { report: EvaluationReport; names: string[] }) {
  const models = report.models as RegressionModel[];
  const specs = useMemo(() => [residualSpec(models, names), scatterSpec(models, names, report.label ?? '')], [models, names, report.label]);
  const hasCharts = models.some((m) => m.charts);
  return (
    <div className="report report-regression">
      <p className="report-lede">
        Regression evaluation{report.label ? <> of <strong>{report.label}</strong></> : null}.
      </p>
      {hasCharts && models.length > 1 ? <ModelLegend names={names} /> : null}
      <div className="report-grid three">
        <section className="report-panel" aria-label="Metrics">
          <h3>Metrics</h3>
          <MetricsTable models={models} names={names} />
        </section>
        {hasCharts ? (
          <>
            <section className="report-panel" aria-label="Residuals">
              <VegaChart spec={specs[0]!} label="Residual histogram" testId="chart-residuals" height={300} />
            </section>
            <section className="report-panel" aria-label="Predicted against actual">
              <VegaChart spec={specs[1]!} label="Predicted against actual" testId="chart-predicted-actual" height={300} />
            </section>
          </>
        ) : null}
      </div>
      {hasCharts ? null : <p className="muted">This report carries no chart data (it was made by an older weft).</p>}
    </div>
  );
}
