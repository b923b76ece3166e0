// "Clone as draft": a run's pipeline as a new draft to edit. The draft is
// the document the run was given (its dataset nodes still say "latest" if
// they did), with each pipeline parameter's default set to the value the
// run used, so that submitting the draft as it is runs what the run ran.

import { api } from '../../api/client';
import type { Draft, PipelineDocument, Run } from '../../api/types';

export function cloneDocument(run: Run): PipelineDocument {
  const doc: PipelineDocument = structuredClone(run.snapshot.pipeline);
  const values = run.snapshot.parameters ?? run.parameters ?? {};
  const params = { ...(doc.parameters ?? {}) };
  for (const [k, v] of Object.entries(values)) if (params[k]) params[k] = { ...params[k], default: v };
  doc.parameters = params;
  doc.name = `${run.pipeline || doc.name || 'Pipeline'} (run ${run.id})`;
  return doc;
}

export function cloneAsDraft(run: Run): Promise<Draft> {
  return api('POST /api/pipelines', { body: cloneDocument(run) });
}
