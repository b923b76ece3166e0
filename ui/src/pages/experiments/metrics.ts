// Which figures stand for a run in lists and comparisons, and how they read.

import type { KeyMetrics } from '../../api/workspace';
import { metricLabel } from '../../views/report';

/** The headline metrics of each task, most telling first. */
export const KEY_METRICS: Record<string, string[]> = {
  binary: ['auc', 'accuracy', 'f1_score'],
  regression: ['coefficient_of_determination', 'root_mean_squared_error', 'mean_absolute_error'],
  multiclass: ['overall_accuracy', 'macro_precision', 'macro_recall'],
  clustering: ['average_distance_to_cluster_center'],
};

/** Where less is better. */
export const LOWER_IS_BETTER = new Set([
  'log_loss',
  'mean_absolute_error',
  'root_mean_squared_error',
  'relative_absolute_error',
  'relative_squared_error',
  'average_distance_to_cluster_center',
  'maximal_distance_to_cluster_center',
]);

/** Short headings for table columns. */
const SHORT: Record<string, string> = {
  auc: 'AUC',
  accuracy: 'Accuracy',
  f1_score: 'F1',
  coefficient_of_determination: 'R²',
  root_mean_squared_error: 'RMSE',
  mean_absolute_error: 'MAE',
  overall_accuracy: 'Accuracy (overall)',
  macro_precision: 'Macro precision',
  macro_recall: 'Macro recall',
  average_distance_to_cluster_center: 'Avg. distance',
  log_loss: 'Log loss',
};

export function metricShort(key: string): string {
  return SHORT[key] ?? metricLabel(key);
}

/** The metric columns a list of runs needs, in task order. */
export function metricColumns(keys: (KeyMetrics | null | undefined)[]): string[] {
  const tasks = new Set(keys.map((k) => k?.task).filter(Boolean) as string[]);
  const out: string[] = [];
  for (const task of ['binary', 'multiclass', 'regression', 'clustering'])
    if (tasks.has(task)) for (const m of KEY_METRICS[task]!) if (!out.includes(m)) out.push(m);
  return out;
}

export function metricText(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}
