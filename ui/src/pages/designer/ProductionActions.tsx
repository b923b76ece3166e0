// The designer's way to production, in its toolbar: "Create inference
// pipeline" on a completed run, "Publish" for any draft, and "Deploy" for
// a real-time inference pipeline (one with Web Service Input and Output).

import { useState } from 'react';

import type { RunStatus } from '../../api/types';
import { DeployDialog } from './DeployDialog';
import { InferenceDialog } from './InferenceDialog';
import { PublishDialog } from './PublishDialog';

interface ProductionActionsProps {
  draftId: number;
  name: string;
  description: string;
  /** The module ids on the canvas ("web-service-input@1", ...). */
  modules: string[];
  run: { id: number; status: RunStatus } | null;
  flush: () => Promise<void>;
}

type Open = 'inference' | 'publish' | 'deploy' | null;

/** Whether a pipeline is a real-time inference pipeline: it can be deployed. */
export function isRealtimeInference(modules: string[]): boolean {
  return modules.some((m) => m.startsWith('web-service-input@')) && modules.some((m) => m.startsWith('web-service-output@'));
}

export function ProductionActions({ draftId, name, description, modules, run, flush }: ProductionActionsProps) {
  const [open, setOpen] = useState<Open>(null);
  const completed = run?.status === 'completed' ? run.id : null;
  const deployable = isRealtimeInference(modules);
  const close = () => setOpen(null);

  return (
    <span className="production-actions">
      {completed !== null && !deployable ? (
        <button type="button" onClick={() => setOpen('inference')} title={`Make an inference pipeline from run ${completed}`}>
          Create inference pipeline
        </button>
      ) : null}
      {modules.length > 0 ? (
        <button type="button" onClick={() => setOpen('publish')} title="Publish this pipeline, to submit it over REST">
          Publish
        </button>
      ) : null}
      {deployable ? (
        <button type="button" className="deploy-button" onClick={() => setOpen('deploy')} title="Deploy as a real-time endpoint">
          Deploy
        </button>
      ) : null}
      {open === 'inference' && completed !== null ? <InferenceDialog runId={completed} initialKind="realtime" onClose={close} /> : null}
      {open === 'publish' ? (
        <PublishDialog draftId={draftId} pipelineName={name} description={description} runId={completed} flush={flush} onClose={close} />
      ) : null}
      {open === 'deploy' ? <DeployDialog draftId={draftId} pipelineName={name} description={description} flush={flush} onClose={close} /> : null}
    </span>
  );
}
