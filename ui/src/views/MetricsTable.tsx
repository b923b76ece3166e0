// The metrics of an evaluation: one row per metric, one column per
// evaluated model, the better figure of two marked.

import { fmt, metricLabel } from './report';

/** Metrics where less is better; for the rest more is better. */
const LOWER_IS_BETTER = new Set([
  'log_loss',
  'mean_absolute_error',
  'root_mean_squared_error',
  'relative_absolute_error',
  'relative_squared_error',
  'average_distance_to_cluster_center',
  'maximal_distance_to_cluster_center',
]);
/** Counts and settings, which are not better or worse. */
const NEUTRAL = new Set(['rows', 'positives', 'threshold', 'count']);

interface MetricsTableProps {
  models: { metrics: Record<string, unknown> }[];
  names: string[];
  /** Keys to leave out. */
  omit?: string[];
  caption?: string;
}

export function MetricsTable({ models, names, omit = [], caption }: MetricsTableProps) {
  const keys = [...new Set(models.flatMap((m) => Object.keys(m.metrics)))].filter((k) => !omit.includes(k));
  const best = (k: string): number | null => {
    if (models.length < 2 || NEUTRAL.has(k)) return null;
    const vals = models.map((m) => m.metrics[k]);
    if (!vals.every((v) => typeof v === 'number')) return null;
    const nums = vals as number[];
    const want = LOWER_IS_BETTER.has(k) ? Math.min(...nums) : Math.max(...nums);
    return nums.filter((v) => v === want).length === 1 ? nums.indexOf(want) : null;
  };
  return (
    <table className="metrics vis-metrics" data-testid="metrics-table">
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          <th scope="col">Metric</th>
          {names.map((n, i) => (
            <th scope="col" key={i} className="num">
              {models.length > 1 ? <span className={`model-swatch model-${i}`} aria-hidden="true" /> : null}
              {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const b = best(k);
          return (
            <tr key={k} data-metric={k}>
              <th scope="row" title={k}>
                {metricLabel(k)}
              </th>
              {models.map((m, i) => {
                const v = m.metrics[k];
                return (
                  <td key={i} className={`num${b === i ? ' best' : ''}`} title={typeof v === 'number' ? String(v) : undefined}>
                    {typeof v === 'number' ? fmt(v, 6) : v === undefined || v === null ? '—' : String(v)}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The colour of each compared model, as every chart of the report draws it. */
export function ModelLegend({ names }: { names: string[] }) {
  return (
    <ul className="model-legend" aria-label="Models">
      {names.map((n, i) => (
        <li key={i}>
          <span className={`model-swatch model-${i}`} aria-hidden="true" />
          {n}
        </li>
      ))}
    </ul>
  );
}
