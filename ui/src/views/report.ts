// The evaluation report of Evaluate Model (docs/formats.md, section 4.3), as
// the views read it, and the names people see for its parts.

export type Num = number | null;

/** Counts and figures at one threshold. */
export interface Confusion {
  threshold: Num;
  true_positives: number;
  false_positives: number;
  true_negatives: number;
  false_negatives: number;
  accuracy: Num;
  precision: Num;
  recall: Num;
  f1_score: Num;
}

/** [x, y, threshold]; the threshold is null at "nothing predicted positive". */
export type CurvePoint = [Num, Num, Num];

interface ModelBase {
  input: string;
  metrics: Record<string, unknown>;
}

export interface BinaryModel extends ModelBase {
  positive_class: string;
  negative_class: string;
  confusion_matrix: Confusion;
  thresholds: Confusion[];
  roc: CurvePoint[];
  precision_recall: CurvePoint[];
  lift: CurvePoint[];
}

export interface RegressionModel extends ModelBase {
  charts?: {
    residual_histogram?: { from: Num; to: Num; count: number }[];
    actual_vs_predicted?: [Num, Num][];
  };
}

export interface MulticlassModel extends ModelBase {
  classes: string[];
  per_class: { class: string; precision: Num; recall: Num }[];
  confusion_matrix: number[][];
}

export interface ClusterStats {
  count: number;
  average_distance_to_cluster_center: Num;
  average_distance_to_other_centers: Num;
  maximal_distance_to_cluster_center: Num;
}

export interface Projection {
  space: 'features' | 'distances';
  columns: string[];
  explained_variance_ratio: [Num, Num];
  points: [Num, Num, number][];
}

export interface ClusteringModel extends ModelBase {
  clusters: (ClusterStats & { cluster: number })[];
  charts?: { projection?: Projection | null };
}

export type Task = 'regression' | 'binary' | 'multiclass' | 'clustering';

export interface EvaluationReport<M extends ModelBase = ModelBase> {
  kind: 'report';
  report: 'evaluation';
  task: Task;
  label?: string | null;
  models: M[];
}

/** An evaluation report, or null for any other JSON. */
export function asEvaluation(json: unknown): EvaluationReport | null {
  const r = json as Partial<EvaluationReport> | null;
  if (!r || typeof r !== 'object' || r.report !== 'evaluation' || !Array.isArray(r.models)) return null;
  if (!['regression', 'binary', 'multiclass', 'clustering'].includes(String(r.task))) return null;
  const models = r.models.filter((m) => m && typeof m === 'object' && typeof m.metrics === 'object' && m.metrics !== null);
  return models.length > 0 ? { ...(r as EvaluationReport), models } : null;
}

const METRIC_NAMES: Record<string, string> = {
  auc: 'AUC',
  f1_score: 'F1 score',
  log_loss: 'Log loss',
  coefficient_of_determination: 'Coefficient of determination (R²)',
  root_mean_squared_error: 'Root mean squared error',
  mean_absolute_error: 'Mean absolute error',
  relative_absolute_error: 'Relative absolute error',
  relative_squared_error: 'Relative squared error',
  average_distance_to_cluster_center: 'Average distance to cluster center',
  average_distance_to_other_centers: 'Average distance to other centers',
  maximal_distance_to_cluster_center: 'Maximal distance to cluster center',
  count: 'Points',
};

/** "mean_absolute_error" -> "Mean absolute error". */
export function metricLabel(key: string): string {
  const known = METRIC_NAMES[key];
  if (known) return known;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A figure for people: integers whole, others to 4 decimals (or 4 significant digits when small). */
export function fmt(x: unknown, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return '—';
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6) return x.toFixed(digits);
  return x.toPrecision(digits);
}

/** What the compared inputs are called when their models are not known. */
export function inputLabel(input: string): string {
  if (input === 'scored_dataset') return 'Scored dataset';
  if (input === 'scored_dataset_to_compare') return 'Scored dataset to compare';
  return input;
}
