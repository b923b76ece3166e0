// A two-class evaluation: the metrics, the ROC, precision-recall and lift
// curves of every evaluated model on the same axes, and a threshold slider
// that reads the report's threshold table (0, 0.01, ..., 1) to show the
// confusion matrix and the figures at that threshold, marking the point on
// each curve.

import { useId, useMemo, useState } from 'react';
import type { VisualizationSpec } from 'vega-embed';

import { VegaChart } from '../components/VegaChart';
import { MetricsTable, ModelLegend } from './MetricsTable';
import { fmt, type BinaryModel, type Confusion, type CurvePoint, type EvaluationReport } from './report';

type Curve = 'roc' | 'precision_recall' | 'lift';

const CURVES: { key: Curve; title: string; x: string; y: string; diagonal: boolean }[] = [
  { key: 'roc', title: 'ROC curve', x: 'False positive rate', y: 'True positive rate', diagonal: true },
  { key: 'precision_recall', title: 'Precision-recall', x: 'Recall', y: 'Precision', diagonal: false },
  { key: 'lift', title: 'Lift (cumulative gains)', x: 'Fraction of rows', y: 'Fraction of positives', diagonal: true },
];

/** Where a threshold's counts sit on each curve. */
function pointAt(curve: Curve, c: Confusion): [number | null, number | null] {
  const pos = c.true_positives + c.false_negatives;
  const neg = c.false_positives + c.true_negatives;
  const n = pos + neg;
  if (curve === 'roc') return [neg ? c.false_positives / neg : null, pos ? c.true_positives / pos : null];
  if (curve === 'precision_recall') return [c.recall, c.precision];
  return [n ? (c.true_positives + c.false_positives) / n : null, pos ? c.true_positives / pos : null];
}

function curveSpec(curve: (typeof CURVES)[number], models: BinaryModel[], names: string[]): VisualizationSpec {
  const line: Record<string, unknown>[] = [];
  const marks: Record<string, unknown>[] = [];
  models.forEach((m, k) => {
    const pts: CurvePoint[] = m[curve.key] ?? [];
    pts.forEach(([x, y, t], i) => {
      if (x !== null && y !== null) line.push({ model: names[k], x, y, t, i });
    });
    (m.thresholds ?? []).forEach((c, i) => {
      const [x, y] = pointAt(curve.key, c);
      if (x !== null && y !== null) marks.push({ model: names[k], x, y, i, t: c.threshold });
    });
  });
  const colour = { field: 'model', type: 'nominal', title: null, sort: names, legend: null };
  const axis = (title: string) => ({ type: 'quantitative', scale: { domain: [0, 1] }, axis: { title, tickCount: 5, format: '.1f' } });
  const layers: Record<string, unknown>[] = [];
  if (curve.diagonal)
    layers.push({
      data: { values: [{ x: 0, y: 0, x2: 1, y2: 1 }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#b8c0cc' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, x2: { field: 'x2' }, y2: { field: 'y2' } },
    });
  layers.push({
    data: { values: line },
    mark: { type: 'line', interpolate: curve.key === 'precision_recall' ? 'step-after' : 'linear', strokeWidth: 2 },
    encoding: { x: { field: 'x', ...axis(curve.x) }, y: { field: 'y', ...axis(curve.y) }, color: colour, order: { field: 'i' } },
  });
  layers.push({
    data: { values: marks },
    transform: [{ filter: 'datum.i == at' }],
    mark: { type: 'point', filled: true, size: 90, stroke: '#fff', strokeWidth: 1.5, opacity: 1 },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      color: colour,
      tooltip: [
        { field: 'model', title: 'Model' },
        { field: 't', title: 'Threshold', format: '.2f' },
        { field: 'x', title: curve.x, format: '.3f' },
        { field: 'y', title: curve.y, format: '.3f' },
      ],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: curve.title,
    width: 'container',
    height: 240,
    params: [{ name: 'at', value: 50 }],
    layer: layers,
  } as unknown as VisualizationSpec;
}

function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** The confusion matrix at a threshold, as a table shaded by row share. */
function ConfusionTable({ c, positive, negative, name, index }: { c: Confusion; positive: string; negative: string; name: string; index: number }) {
  const pos = c.true_positives + c.false_negatives;
  const neg = c.false_positives + c.true_negatives;
  const cell = (key: keyof Confusion, count: number, whole: number, right: boolean) => (
    <td
      data-cell={key}
      className={`cm-cell ${right ? 'cm-right' : 'cm-wrong'}`}
      style={{ ['--share' as string]: share(count, whole).toFixed(3) }}
      title={`${count} of ${whole} rows (${(100 * share(count, whole)).toFixed(1)}%)`}
    >
      <span className="cm-count">{count}</span>
      <span className="cm-label">{key.replace(/_/g, ' ')}</span>
    </td>
  );
  return (
    <div className="cm-block" data-testid="confusion-matrix" data-model={index}>
      <table className="confusion" aria-label={`Confusion matrix of ${name}`}>
        <thead>
          <tr>
            <td />
            <th scope="col">Predicted {positive}</th>
            <th scope="col">Predicted {negative}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Actual {positive}</th>
            {cell('true_positives', c.true_positives, pos, true)}
            {cell('false_negatives', c.false_negatives, pos, false)}
          </tr>
          <tr>
            <th scope="row">Actual {negative}</th>
            {cell('false_positives', c.false_positives, neg, false)}
            {cell('true_negatives', c.true_negatives, neg, true)}
          </tr>
        </tbody>
      </table>
      <dl className="at-threshold">
        {(['accuracy', 'precision', 'recall', 'f1_score'] as const).map((k) => (
          <div key={k}>
            <dt>{k === 'f1_score' ? 'F1 score' : k.charAt(0).toUpperCase() + k.slice(1)}</dt>
            <dd data-at-threshold={k}>{fmt(c[k], 3)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

export function BinaryReport({ report, names }: { report: EvaluationReport; names: string[] }) {
  const models = report.models as BinaryModel[];
  const first = models[0]!;
  const [at, setAt] = useState(() => {
    const i = (first.thresholds ?? []).findIndex((c) => c.threshold === first.confusion_matrix?.threshold);
    return i >= 0 ? i : 50;
  });
  const sliderId = useId();
  const specs = useMemo(() => CURVES.map((c) => curveSpec(c, models, names)), [models, names]);
  const signals = useMemo(() => ({ at }), [at]);
  const steps = first.thresholds?.length ?? 0;
  const threshold = first.thresholds?.[at]?.threshold ?? at / 100;

  return (
    <div className="report report-binary">
      <p className="report-lede">
        Two-class evaluation{report.label ? <> of <strong>{report.label}</strong></> : null}: the positive class is{' '}
        <strong>{first.positive_class}</strong>, the negative <strong>{first.negative_class}</strong>.
      </p>
      <div className="report-grid binary-top">
        <section className="report-panel" aria-label="Metrics">
          <h3>Metrics</h3>
          <MetricsTable models={models} names={names} omit={['threshold']} caption={`Accuracy, precision, recall and F1 at threshold ${fmt(first.confusion_matrix?.threshold ?? 0.5, 2)}`} />
        </section>
        <section className="report-panel threshold-panel" aria-label="Threshold">
          <h3>Threshold</h3>
          {steps > 0 ? (
            <>
              <div className="threshold-control">
                <label htmlFor={sliderId}>Predict positive when the probability is at least</label>
                <output htmlFor={sliderId} data-testid="threshold-value">
                  {fmt(threshold, 2)}
                </output>
                <input
                  id={sliderId}
                  type="range"
                  min={0}
                  max={steps - 1}
                  step={1}
                  value={at}
                  onChange={(e) => setAt(Number(e.target.value))}
                  aria-valuetext={`threshold ${fmt(threshold, 2)}`}
                  data-testid="threshold-slider"
                />
              </div>
              <div className="cm-row">
                {models.map((m, k) => {
                  const c = m.thresholds?.[at];
                  return c ? (
                    <div key={k} className="cm-model">
                      {models.length > 1 ? (
                        <h4>
                          <span className={`model-swatch model-${k}`} aria-hidden="true" />
                          {names[k]}
                        </h4>
                      ) : null}
                      <ConfusionTable c={c} positive={m.positive_class} negative={m.negative_class} name={names[k]!} index={k} />
                    </div>
                  ) : null;
                })}
              </div>
            </>
          ) : (
            <p className="muted">The report has no threshold table.</p>
          )}
        </section>
      </div>
      {models.length > 1 ? <ModelLegend names={names} /> : null}
      <section className="report-curves" aria-label="Curves">
        {CURVES.map((c, i) => (
          <VegaChart key={c.key} spec={specs[i]!} signals={signals} label={c.title} testId={`chart-${c.key}`} height={290} />
        ))}
      </section>
    </div>
  );
}
