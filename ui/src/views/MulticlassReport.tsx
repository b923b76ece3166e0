// A multiclass evaluation: the metrics, the confusion matrix as a heat map
// (rows are actual classes, columns predicted; each cell shaded by its share
// of the actual class) and each class's precision and recall.

import { useMemo, type ReactNode } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import { VegaChart } from '../components/VegaChart';
import { MetricsTable } from './MetricsTable';
import type { EvaluationReport, MulticlassModel } from './report';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function heatSpec(m: MulticlassModel): VisualizationSpec {
  const values: Record<string, unknown>[] = [];
  m.confusion_matrix.forEach((row, a) => {
    const total = row.reduce((s, v) => s + v, 0);
    row.forEach((count, p) =>
      values.push({ actual: m.classes[a], predicted: m.classes[p], count, share: total ? count / total : 0, right: a === p }),
    );
  });
  const side = Math.min(420, Math.max(230, m.classes.length * 56));
  return {
    $schema: SCHEMA,
    title: 'Confusion matrix',
    width: side,
    height: side,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: m.classes, axis: { title: 'Predicted class', orient: 'top', labelAngle: -30, labelLimit: 120 } },
      y: { field: 'actual', type: 'nominal', sort: m.classes, axis: { title: 'Actual class', labelLimit: 140 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#fff', strokeWidth: 2, cornerRadius: 3 },
        encoding: {
          color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, legend: { title: 'Share of the actual class', format: '.0%', orient: 'bottom', gradientLength: 160 } },
          tooltip: [
            { field: 'actual', title: 'Actual' },
            { field: 'predicted', title: 'Predicted' },
            { field: 'count', title: 'Rows' },
            { field: 'share', title: 'Share of actual', format: '.1%' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 13, fontWeight: 600 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.55', value: '#ffffff' }, value: '#1d2330' },
        },
      },
    ],
  } as VisualizationSpec;
}

function perClassSpec(m: MulticlassModel): VisualizationSpec {
  const values = m.per_class.flatMap((c) => [
    { class: c.class, metric: 'Precision', value: c.precision },
    { class: c.class, metric: 'Recall', value: c.recall },
  ]);
  return {
    $schema: SCHEMA,
    title: 'Precision and recall by class',
    width: 'container',
    height: 240,
    data: { values },
    transform: [{ filter: 'datum.value !== null' }],
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { field: 'class', type: 'nominal', sort: m.classes, axis: { title: null, labelAngle: -30, labelLimit: 120 } },
      xOffset: { field: 'metric' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: null, format: '.0%' } },
      color: { field: 'metric', type: 'nominal', title: null, scale: { range: ['#2563eb', '#16a085'] } },
      tooltip: [
        { field: 'class', title: 'Class' },
        { field: 'metric', title: 'Metric' },
        { field: 'value', title: 'Value', format: '.3f' },
      ],
    },
  } as VisualizationSpec;
}

function ModelPanels({ m, name, index, many, lead }: { m: MulticlassModel; name: string; index: number; many: boolean; lead?: ReactNode }) {
  const specs = useMemo(() => [heatSpec(m), perClassSpec(m)], [m]);
  return (
    <section className="report-model" aria-label={name}>
      {many ? (
        <h3>
          <span className={`model-swatch model-${index}`} aria-hidden="true" />
          {name}
        </h3>
      ) : null}
      <div className="report-grid three">
        {lead}
        <div className="report-panel">
          <VegaChart spec={specs[0]!} label={`Confusion matrix of ${name}`} testId="chart-confusion" height={300} />
        </div>
        <div className="report-panel">
          <VegaChart spec={specs[1]!} label={`Precision and recall by class of ${name}`} testId="chart-per-class" height={290} />
          <table className="metrics per-class" data-testid="per-class">
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col" className="num">
                  Precision
                </th>
                <th scope="col" className="num">
                  Recall
                </th>
              </tr>
            </thead>
            <tbody>
              {m.per_class.map((c) => (
                <tr key={c.class} data-class={c.class}>
                  <th scope="row">{c.class}</th>
                  <td className="num">{c.precision === null ? '—' : c.precision.toFixed(4)}</td>
                  <td className="num">{c.recall === null ? '—' : c.recall.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

export function MulticlassReport({ report, names }: { report: EvaluationReport; names: string[] }) {
  const models = report.models as MulticlassModel[];
  const metrics = (
    <section className="report-panel" aria-label="Metrics">
      <h3>Metrics</h3>
      <MetricsTable models={models} names={names} />
    </section>
  );
  return (
    <div className="report report-multiclass">
      <p className="report-lede">
        Multiclass evaluation{report.label ? <> of <strong>{report.label}</strong></> : null} over {models[0]?.classes.length ?? 0} classes.
      </p>
      {models.length > 1 ? metrics : null}
      {models.map((m, k) => (
        <ModelPanels key={k} m={m} name={names[k]!} index={k} many={models.length > 1} lead={models.length === 1 ? metrics : undefined} />
      ))}
    </div>
  );
}
