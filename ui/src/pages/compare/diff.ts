// What two or more runs are compared on: their parameters (the pipeline's,
// and every node's as the run resolved them) and their evaluation figures,
// one row per name, one cell per run, each row marked when its cells differ.

import type { Run } from '../../api/types';
import type { EvaluationSummary } from '../../api/workspace';

export interface DiffRow {
  key: string;
  /** Where the row belongs: "Pipeline parameters", or a node id. */
  group: string;
  label: string;
  values: (string | null)[];
  differs: boolean;
}

/** A value as one line of text; null when the run has none. */
export function valueText(v: unknown): string | null {
  if (v === undefined) return null;
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function differs(values: (string | null)[]): boolean {
  return values.some((v) => v !== values[0]);
}

interface SnapshotSteps {
  steps?: Record<string, { module?: string; params?: Record<string, unknown> }>;
}

/** The parameters of each run, row by row. */
export function parameterRows(runs: Run[]): DiffRow[] {
  const rows: DiffRow[] = [];
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.parameters ?? {})))].sort();
  for (const n of names) {
    const values = runs.map((r) => valueText(r.parameters?.[n]));
    rows.push({ key: `param:${n}`, group: 'Pipeline parameters', label: n, values, differs: differs(values) });
  }
  // Nodes in the order the first run that has them lists them.
  const nodes: string[] = [];
  for (const r of runs) for (const n of r.snapshot.pipeline.nodes ?? []) if (!nodes.includes(n.id)) nodes.push(n.id);
  for (const id of nodes) {
    const paramsOf = (r: Run) => {
      const resolved = (r.snapshot as unknown as SnapshotSteps).steps?.[id]?.params;
      return resolved ?? r.snapshot.pipeline.nodes?.find((n) => n.id === id)?.params;
    };
    const moduleValues = runs.map((r) => r.snapshot.pipeline.nodes?.find((n) => n.id === id)?.module ?? null);
    rows.push({ key: `${id}:module`, group: id, label: 'module', values: moduleValues, differs: differs(moduleValues) });
    const keys = [...new Set(runs.flatMap((r) => Object.keys(paramsOf(r) ?? {})))].sort();
    for (const k of keys) {
      const values = runs.map((r) => {
        const p = paramsOf(r);
        return p ? valueText(p[k]) : null;
      });
      rows.push({ key: `${id}:${k}`, group: id, label: k, values, differs: differs(values) });
    }
  }
  return rows;
}

export interface MetricRow extends DiffRow {
  metric: string;
  numbers: (number | null)[];
}

/** The evaluation figures of each run, row by row (node, model, metric). */
export function metricRows(evaluations: (EvaluationSummary[] | null)[]): MetricRow[] {
  const rows: MetricRow[] = [];
  const seen = new Set<string>();
  evaluations.forEach((list) =>
    (list ?? []).forEach((e) =>
      e.models.forEach((m, k) => {
        for (const metric of Object.keys(m.metrics)) {
          const key = `${e.node}|${k}|${metric}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const numbers = evaluations.map((l) => {
            const v = l?.find((x) => x.node === e.node)?.models[k]?.metrics[metric];
            return typeof v === 'number' ? v : null;
          });
          const values = numbers.map((v) => (v === null ? null : String(v)));
          const group = e.models.length > 1 ? `${e.node} · ${m.input ?? `model ${k + 1}`}` : e.node;
          rows.push({ key, group, label: metric, metric, values, numbers, differs: differs(values) });
        }
      }),
    ),
  );
  return rows;
}
