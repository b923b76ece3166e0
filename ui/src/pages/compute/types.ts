// The shapes of the compute-target routes of issue #12 (docs/slurm.md),
// added to the client's `Replies` by module augmentation so that `api()`
// types them; types.ts still checks that each key is a route of the server.

/** A Slurm target's settings; every one is optional. */
export interface SlurmSettings {
  partition?: string;
  account?: string;
  /** Minutes, or Slurm's --time form ("HH:MM:SS", "D-HH:MM"). */
  time_limit?: string | number;
  cpus?: number;
  memory_mb?: number;
  sbatch_args?: string[];
  /** The workspace's path on the compute nodes. */
  workspace?: string;
  /** The weft binary the compute nodes run. */
  weft?: string;
  retries?: number;
  max_jobs?: number;
  /** Whether Cross Validate Model's folds and Tune Model Hyperparameters' runs run as a job array (default true). */
  job_arrays?: boolean;
}

export type ComputeKind = 'local' | 'slurm';

export interface ComputeTarget {
  name: string;
  kind: ComputeKind;
  config: SlurmSettings;
  /** "" for the built-in target. */
  created_at: string;
  builtin: boolean;
}

export interface RunCompute {
  run_id: number;
  compute: string;
  jobs: { node: string; job_id: string }[];
}

declare module '../../api/types' {
  interface Replies {
    'GET /api/compute': { targets: ComputeTarget[] };
    'POST /api/compute': ComputeTarget;
    'GET /api/compute/{name}': ComputeTarget;
    'PUT /api/compute/{name}': ComputeTarget;
    'DELETE /api/compute/{name}': { name: string; deleted: boolean };
    'GET /api/runs/{id}/compute': RunCompute;
  }
}
