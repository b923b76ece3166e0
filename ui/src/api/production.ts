// The shapes of the replies of issue #10's routes (docs/api.md: inference
// pipelines, published pipelines, endpoints), added to the client's
// `Replies` by module augmentation so that `api()` types them like the
// others; types.ts still checks that each key is a route of the server.

import type { ColumnType, Draft, PipelineDocument, PipelineParameter, RunStatus } from './types';

/** One column of an endpoint's input (or output) schema. */
export interface EndpointColumn {
  name: string;
  type: ColumnType;
  /** Categorical columns: the levels seen in training. */
  levels?: string[];
  /** Output columns: "score" for the model's predictions. */
  role?: string;
}

export interface EndpointSchema {
  columns: EndpointColumn[];
}

export interface EndpointMetrics {
  requests: number;
  errors: number;
  /** Milliseconds; null before the first request. */
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

export type EndpointState = 'deploying' | 'healthy' | 'failed';

/** The scoring URLs of an endpoint, by protocol (absolute). */
export interface EndpointUrls {
  score: string;
  invocations: string;
  openapi: string;
  v2_infer: string;
  v2_model: string;
  v2_ready: string;
}

/** An endpoint as GET /api/endpoints lists it. */
export interface EndpointSummary {
  name: string;
  version: number;
  state: EndpointState;
  reason: string;
  /** Where the document came from, for people: "draft 12". */
  source: string;
  description?: string;
  created_at: string;
  updated_at: string;
  /** Whether every module in the request path has a fast path; null until compiled. */
  fast_path: boolean | null;
  warnings: string[];
  urls: EndpointUrls;
  /** null until the plan is compiled (or when it failed). */
  input_schema: EndpointSchema | null;
  output_schema: EndpointSchema | null;
  metrics: EndpointMetrics;
}

/** GET /api/endpoints/{name}: the summary and the deployed document. */
export interface EndpointDetail extends EndpointSummary {
  document: PipelineDocument | null;
}

export interface EndpointKeys {
  primary: string;
  secondary: string;
}

/** POST /api/endpoints: the endpoint, and its keys when it is new (201). */
export interface EndpointDeployed extends EndpointSummary {
  keys?: EndpointKeys;
}

export interface KeyRegenerated {
  name: string;
  which: keyof EndpointKeys;
  key: string;
}

/** A version of a published pipeline: immutable once made. */
export interface PublishedVersion {
  version: number;
  /** What was published, for people: "draft:12@7" (draft 12 at revision 7) or "run:31". */
  source: string;
  created_at: string;
  default: boolean;
}

/** GET /api/published/{id}/versions/{version}: a version with its document. */
export interface PublishedVersionDetail extends PublishedVersion {
  pipeline_id: number;
  document: PipelineDocument;
  parameters: Record<string, PipelineParameter>;
}

export interface PublishedSummary {
  id: number;
  name: string;
  description: string;
  default_version: number;
  latest_version: number;
  created_at: string;
  updated_at: string;
  /** Refuses new runs until enabled again (PATCH {"disabled": false}). */
  disabled: boolean;
}

/** GET /api/published/{id}: its versions, and the default version's parameters. */
export interface PublishedDetail extends PublishedSummary {
  versions: PublishedVersion[];
  parameters: Record<string, PipelineParameter>;
}

export interface PublishedRun {
  id: number;
  version: number;
  experiment: string;
  status: RunStatus;
  error: string;
  created_at: string;
  started_at: string;
  finished_at: string;
  parameters: Record<string, unknown>;
}

export interface InferenceCreated {
  draft: Pick<Draft, 'id' | 'name' | 'revision'>;
  warnings: string[];
  kind: 'realtime' | 'batch';
}

/** The native scoring protocol's reply. */
export interface NativeScoringReply {
  Results: { WebServiceOutput0: Record<string, string | number | boolean | null>[] };
}

declare module './types' {
  interface Replies {
    'GET /api/endpoints': { endpoints: EndpointSummary[] };
    'POST /api/endpoints': EndpointDeployed;
    'GET /api/endpoints/{name}': EndpointDetail;
    'DELETE /api/endpoints/{name}': { name: string; deleted: boolean };
    'POST /api/endpoints/{name}/keys/{which}/regenerate': KeyRegenerated;
    'POST /api/endpoints/{name}/score': NativeScoringReply;
    'POST /api/runs/{id}/inference-pipeline': InferenceCreated;
    'GET /api/published': { published: PublishedSummary[] };
    'POST /api/published': { id: number; name: string; version: number; default_version: number };
    'GET /api/published/{id}': PublishedDetail;
    'PATCH /api/published/{id}': PublishedDetail;
    'GET /api/published/{id}/versions/{version}': PublishedVersionDetail;
    'POST /api/published/{id}/runs': { run_id: number; status: string; published_id: number; version: number };
    'GET /api/published/{id}/runs': { published_id: number; name: string; runs: PublishedRun[] };
  }
}
