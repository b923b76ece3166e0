// The shapes of the replies the workspace pages read (issue #9: datasets,
// experiments and runs, compare, models; docs/api.md), added to the
// client's `Replies` by module augmentation so that `api()` types them like
// the others; types.ts still checks that each key is a route of the server.

import type { DatasetVersion, RunAccepted, RunSummary } from './types';

/** POST /api/runs/{id}/rerun: the new run. */
export type Rerun = RunAccepted;

export interface Experiment {
  name: string;
  created_at: string;
  runs: number;
  /** Runs by status: {"completed": 3, "failed": 1}. */
  statuses: Record<string, number>;
  latest_run: { id: number; status: string; pipeline: string; created_at: string } | null;
}

/** An evaluation report's figures (GET /api/runs/{id}/metrics). */
export interface EvaluationSummary {
  node: string;
  port: string;
  task: 'regression' | 'binary' | 'multiclass' | 'clustering' | null;
  label: string | null;
  models: { input: string | null; metrics: Record<string, number | null> }[];
}

export interface KeyMetrics {
  node: string;
  task: EvaluationSummary['task'];
  metrics: Record<string, number | null>;
}

/** A run as GET /api/runs?metrics=true lists it. */
export interface RunWithMetrics extends RunSummary {
  key_metrics?: KeyMetrics | null;
}

export interface UploadedDataset extends DatasetVersion {
  warnings?: string[];
}

/** A dataset version a run read, as a model's lineage records it. */
export interface LineageDataset {
  node: string;
  name: string;
  version: number;
  digest: string;
}

export interface ModelVersion {
  name: string;
  version: number;
  description: string;
  run_id: number;
  node: string;
  port: string;
  digest: string;
  kind: string;
  created_at: string;
  datasets: LineageDataset[];
  /** GET /api/models: how many versions the name has. */
  versions?: number;
}

export interface ModelLineage {
  model: ModelVersion;
  run: { id: number; experiment: string; pipeline: string; status: string; created_at: string; finished_at: string } | null;
  step: { node: string; module: string; status: string; cache_key: string; finished_at: string } | null;
  datasets: LineageDataset[];
}

declare module './types' {
  interface Replies {
    'GET /api/experiments': { experiments: Experiment[] };
    'GET /api/runs/{id}/metrics': { run_id: number; evaluations: EvaluationSummary[] };
    'POST /api/runs/{id}/rerun': Rerun;
    'POST /api/datasets': UploadedDataset;
    'GET /api/datasets/{name}': DatasetVersion;
    'GET /api/datasets/{name}/versions': { versions: DatasetVersion[] };
    'POST /api/datasets/{name}/archive': DatasetVersion;
    'POST /api/datasets/{name}/reactivate': DatasetVersion;
    'GET /api/models': { models: ModelVersion[] };
    'POST /api/models': ModelVersion;
    'GET /api/models/{name}': ModelVersion;
    'GET /api/models/{name}/versions': { versions: ModelVersion[] };
    'GET /api/models/{name}/lineage': ModelLineage;
  }
}
