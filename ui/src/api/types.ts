// The shapes of the API's replies, as docs/api.md describes them. The
// OpenAPI document (routes.gen.ts) fixes the routes and their parameters; it
// does not describe reply bodies, so they are written here, and
// `Replies` below must name only routes that exist.

import type { RouteKey } from './routes.gen';

export type PortKind = 'table' | 'learner' | 'model' | 'transform' | 'report';
export type ColumnType = 'numeric' | 'integer' | 'boolean' | 'string' | 'categorical' | 'datetime';
export type ColumnRole = 'feature' | 'label' | 'weight' | 'score' | 'clear';

export interface PortDescriptor {
  name: string;
  kind: PortKind;
  optional: boolean;
  help: string;
}

/** Parameter types of docs/modules.md; a newer server may send others. */
export type ParamType =
  | 'number'
  | 'int'
  | 'bool'
  | 'string'
  | 'text'
  | 'sql'
  | 'python'
  | 'enum'
  | 'column'
  | 'column-selection'
  | 'dataset'
  | (string & {});

export interface ParamDescriptor {
  name: string;
  label: string;
  type: ParamType;
  default: unknown;
  required: boolean;
  min: number | null;
  max: number | null;
  choices: string[] | null;
  /** The input port whose columns a column parameter names. */
  input: string | null;
  /** "param=value" or "param=a|b": the parameter is shown only then. */
  visible_when: string | null;
  help: string;
}

export interface ModuleDescriptor {
  id: string;
  name: string;
  version: number;
  display_name: string;
  category: string;
  help: string;
  inputs: PortDescriptor[];
  outputs: PortDescriptor[];
  params: ParamDescriptor[];
}

export interface DatasetVersion {
  name: string;
  version: number;
  digest: string;
  description: string;
  source: string;
  rows: number;
  columns: number;
  bytes: number;
  created_at: string;
  archived: boolean;
}

export interface SchemaColumn {
  name: string;
  type: ColumnType;
  role: ColumnRole;
}

export type Cell = string | number | boolean | null;

export interface TablePage {
  schema: SchemaColumn[];
  total_rows: number;
  offset: number;
  limit: number;
  rows: Cell[][];
}

export interface HistogramBin {
  lo: number | null;
  hi: number | null;
  count: number;
}

/** One column's statistics (docs/api.md, GET /api/datasets/{name}/profile). */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  role: ColumnRole;
  count: number;
  missing: number;
  unique: number;
  mode: string | null;
  mode_count: number;
  /** Numbers, booleans (as 0/1) and datetimes (microseconds since the epoch); null when not finite. */
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  median?: number | null;
  std?: number | null;
  q1?: number | null;
  q3?: number | null;
  histogram?: HistogramBin[];
  /** Strings, categoricals and booleans: the most frequent values, most frequent first. */
  top?: { value: string; count: number }[];
}

export interface TableProfile {
  nrows: number;
  ncols: number;
  columns: ColumnProfile[];
}

/** A step output: a table page, or the JSON of a model, transform or report. */
export type StepOutput =
  | (TablePage & { kind: 'table'; digest: string })
  | { kind: Exclude<PortKind, 'table'>; digest: string; json: unknown };

// -- pipeline documents (docs/pipelines.md) --

export interface ParamRef {
  $param: string;
}

export interface PipelineParameter {
  type: string;
  default?: unknown;
}

export interface PipelineNode {
  id: string;
  module: string;
  params?: Record<string, unknown>;
  regenerate?: boolean;
}

export interface PipelineEdge {
  from: string;
  to: string;
}

export interface PipelineDocument {
  format: 'weft.pipeline/1';
  name?: string;
  description?: string;
  parameters?: Record<string, PipelineParameter>;
  nodes?: PipelineNode[];
  edges?: PipelineEdge[];
  layout?: Record<string, { x: number; y: number }>;
}

export interface DraftSummary {
  id: number;
  name: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface Draft extends DraftSummary {
  document: PipelineDocument;
}

export interface ValidationIssue {
  /** "" for the pipeline as a whole. */
  node: string;
  /** A parameter or port name; "" for the node as a whole. */
  field: string;
  message: string;
}

export interface Validation {
  valid: boolean;
  issues: ValidationIssue[];
}

export interface PortSchema {
  node: string;
  port: string;
  kind: PortKind;
  /** null when the schema is not known before running. */
  columns: SchemaColumn[] | null;
}

// -- runs --

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';
export type StepStatus = RunStatus | 'reused' | 'skipped';

export interface RunSummary {
  id: number;
  experiment: string;
  pipeline: string;
  status: RunStatus;
  error: string;
  created_at: string;
  /** The account that started the run ("" for runs from before weft recorded it). */
  created_by: string;
  started_at: string;
  finished_at: string;
  parameters: Record<string, unknown>;
  cancel_requested: boolean;
}

export interface Step {
  node: string;
  module: string;
  status: StepStatus;
  cache_key: string;
  started_at: string;
  finished_at: string;
  elapsed_ms: number;
  outputs: Record<string, string>;
  error: string;
  signal: number;
  peak_rss_kb: number;
  reused_from_run: number;
}

export interface Run extends RunSummary {
  snapshot: { format: string; pipeline: PipelineDocument; parameters: Record<string, unknown> };
  steps: Step[];
}

export interface RunAccepted {
  run_id: number;
  status: string;
}

/** The data of the server-sent events of GET /api/runs/{id}/events. */
export type RunEvent =
  | { event: 'run'; run_id: number; time: string; status: RunStatus; message?: string }
  | { event: 'step'; run_id: number; time: string; node: string; status: StepStatus; message?: string }
  | { event: 'log'; run_id: number; time: string; node: string; line: string }
  | { event: 'progress'; run_id: number; time: string; node: string; progress: number };

export interface ApiErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** The reply of each route the app reads as JSON. */
export interface Replies {
  'GET /api/health': { status: string; version: string; workspace: string };
  'GET /api/modules': { modules: ModuleDescriptor[] };
  'GET /api/datasets': { datasets: DatasetVersion[] };
  'GET /api/datasets/{name}/preview': TablePage;
  'GET /api/datasets/{name}/profile': TableProfile;
  'GET /api/pipelines': { pipelines: DraftSummary[]; total: number; offset: number; limit: number };
  'POST /api/pipelines': Draft;
  'POST /api/pipelines/import': Draft;
  'GET /api/pipelines/{id}': Draft;
  'PUT /api/pipelines/{id}': Draft;
  'DELETE /api/pipelines/{id}': { id: number; deleted: boolean };
  'POST /api/pipelines/{id}/validate': Validation;
  'GET /api/pipelines/{id}/schema': PortSchema;
  'POST /api/pipelines/{id}/clone': Draft;
  'POST /api/runs': RunAccepted;
  'GET /api/runs': { runs: RunSummary[]; total: number; offset: number; limit: number };
  'GET /api/runs/{id}': Run;
  'POST /api/runs/{id}/cancel': RunAccepted;
  'GET /api/runs/{id}/steps/{node}/outputs/{port}': StepOutput;
  'GET /api/runs/{id}/steps/{node}/outputs/{port}/profile': TableProfile;
}

// Fails to compile when a key of Replies is not a route of the server.
type Missing = Exclude<keyof Replies, RouteKey>;
export const repliesNameOnlyRoutes: Missing extends never ? true : Missing = true;
